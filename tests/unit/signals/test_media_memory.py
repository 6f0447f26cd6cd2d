"""Hostile-size images (docs/security.md, threat 4): hashed at a bounded size, with a measured drift from the
full-size hash, a bounded peak of memory, EXIF orientation kept, and at most two decodes at once per process."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pdqhash
import pytest
from PIL import Image

from accord.signals import media
from accord.signals.hashing import bits_to_hex, hash_media
from accord.signals.media import MediaLimits

PHOTOS = sorted((Path(__file__).parents[2] / "data" / "photos").glob("*.jpg"))
LIMITS = MediaLimits(max_pixels=60_000_000)


def _distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def _pdq(data: bytes, limits: MediaLimits = LIMITS) -> str:
    return next(s.value for s in hash_media(data, limits=limits) if s.type == "pdq")


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def test_a_large_image_is_hashed_reduced_within_a_few_bits_of_its_full_size_hash() -> None:
    """The 12 held-out real photos enlarged 9x (4608 px, over the 4,096 px hashing side): the reduced hash
    against pdqhash's hash of the whole image. Measured: mean 2.8 bits, max 14; every one still a match."""
    drifts = []
    for path in PHOTOS:
        big = Image.open(path).convert("RGB")
        big = big.resize((big.width * 9, big.height * 9), Image.Resampling.LANCZOS)
        reference = bits_to_hex(pdqhash.compute(np.asarray(big))[0])
        drifts.append(_distance(reference, _pdq(_png(big))))
    assert len(drifts) == 12
    assert sum(drifts) / len(drifts) <= 4 and max(drifts) <= 16, drifts


def test_an_image_up_to_the_hashing_side_is_hashed_bit_for_bit() -> None:
    photo = Image.open(PHOTOS[0]).convert("RGB")
    big = photo.resize((4096, 4096 * photo.height // photo.width), Image.Resampling.LANCZOS)
    assert media.reduction(big.size, LIMITS.hash_side) == 1
    assert _pdq(_png(big)) == bits_to_hex(pdqhash.compute(np.asarray(big))[0])


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec, so a child of a large test process would report
# its parent's peak.
PEAK = """
import sys
from accord.signals.hashing import hash_media
from accord.signals.media import MediaLimits
data = open(sys.argv[1], "rb").read()
hash_media(data, limits=MediaLimits(max_pixels=60_000_000, hash_side=int(sys.argv[2])))
status = open("/proc/self/status").read().split("VmHWM:")[1]
print(int(status.split()[0]) // 1024)
"""


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_the_peak_memory_of_hashing_a_7000_square_image(tmp_path: Path, suffix: str) -> None:
    """Hashed whole, a 7,000 x 7,000 image peaked at 1.3 GB in its own process with pdqhash (1.6 GB in the
    issue's run), 760 MB with the compiled core (no float64 luma, two float32 buffers); reduced, 380-475 MB across
    runs, the process's imports included (bounded here at 600 MB)."""
    noise = np.random.default_rng(1).integers(0, 255, (70, 70, 3), dtype=np.uint8)
    path = tmp_path / f"big{suffix}"
    Image.fromarray(noise).resize((7000, 7000), Image.Resampling.NEAREST).save(path)

    def peak_mb(side: int) -> int:
        done = subprocess.run([sys.executable, "-c", PEAK, str(path), str(side)], capture_output=True, text=True,
                              check=True, timeout=300)
        return int(done.stdout.strip())

    whole, reduced = peak_mb(10**6), peak_mb(4096)
    assert reduced < 600 and whole > 1.6 * reduced, (whole, reduced)


def test_the_exif_orientation_survives_the_reduction() -> None:
    wide = Image.new("RGB", (8200, 400), "white")
    wide.paste((0, 0, 0), (0, 0, 4100, 400))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    out = io.BytesIO()
    wide.save(out, "JPEG", exif=exif.tobytes())
    upright = media.decode_image(out.getvalue(), LIMITS)
    assert upright.height > upright.width, upright.size
    assert upright.height <= LIMITS.hash_side


def test_at_most_two_images_are_decoded_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    active, most, lock, release = 0, 0, threading.Lock(), threading.Event()
    real = media._load_rgb

    def counted(*args: Any) -> Image.Image:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        release.wait(5)
        with lock:
            active -= 1
        return real(*args)

    monkeypatch.setattr(media, "_load_rgb", counted)
    data = Path(PHOTOS[0]).read_bytes()
    threads = [threading.Thread(target=media.decode_image, args=(data, LIMITS)) for _ in range(4)]
    for thread in threads:
        thread.start()
    while True:  # wait until two decodes hold the slots and the others queue behind them
        with lock:
            if active == media.MAX_CONCURRENT_DECODES:
                break
    release.set()
    for thread in threads:
        thread.join(10)
    assert most == media.MAX_CONCURRENT_DECODES == 2
