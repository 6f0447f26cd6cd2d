"""PDQ hashing speed, decode included, beside python-threatexchange and pdqhash on the same JPEG files.

Run: ``PYTHONPATH=src python benchmarks/hashing.py`` (about 3 minutes; ``--quick`` for fewer files and runs).

* per-image rows: one process pinned to one core; each figure is the best of ``--runs`` passes over the files
  (the machine is shared: the best pass is the one least disturbed), in CPU seconds of that process, so that
  other jobs on the machine slow the wall clock more than the figure;
  - python-threatexchange: ``PdqSignal.hash_from_file`` (PIL decode, numpy array, pdqhash, a 256-character string);
  - pdqhash: read, PIL decode, ``pdqhash.compute``, hex;
  - Accord: ``hash_media`` on the file's bytes (sniffing, size and bomb checks, EXIF orientation, MD5, SHA-256
    and PDQ with the compiled core: what ``accord hash`` and an upload do per photo);
  - Accord's PDQ alone: ``decode_image`` and the compiled core;
  - the JPEG luma path (not adopted, see docs/decisions.md): libjpeg decodes only the luma (Pillow's draft mode
    to ``L``) and the core hashes it.
* exactness: Accord's hash and quality against python-threatexchange's for every file; the luma path's drift
  from the RGB path (bits) on the held-out photos (tests/data/photos and matplotlib's Grace Hopper) at their own
  size and at 1920x1080.
* the user's path: ``accord hash`` over 600 photos as a command, pinned to one core (``taskset -c 0``) against
  a Python loop of python-threatexchange's ``hash_from_file`` over the same files, also pinned; then ``accord
  hash`` on both cores against one. Wall clock, best of ``--runs``, interpreter start-up and imports included.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

from accord.signals import MediaLimits, hash_media, pdqfast
from accord.signals.media import decode_image

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "photos"
SKIMAGE = ["astronaut", "cat", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry",
           "retina", "colorwheel", "camera", "brick", "grass", "gravel", "moon", "coins", "cell", "clock"]
LIMITS = MediaLimits()


def sources() -> list[Image.Image]:
    """30 real photos: scikit-image's bundled ones and the held-out ones, in RGB."""
    from skimage import data

    photos = [Image.fromarray(getattr(data, name)()).convert("RGB") for name in SKIMAGE]
    photos += [Image.open(path).convert("RGB") for path in sorted(HELDOUT.glob("*.jpg"))]
    return photos


def fitted(photo: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The photo cropped to the aspect of ``size`` and resized to it."""
    width, height = photo.size
    target = size[0] / size[1]
    if width / height > target:
        cut = width - round(height * target)
        photo = photo.crop((cut // 2, 0, width - (cut - cut // 2), height))
    else:
        cut = height - round(width / target)
        photo = photo.crop((0, cut // 2, width, height - (cut - cut // 2)))
    return photo.resize(size, Image.Resampling.LANCZOS)


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def write_set(directory: Path, photos: list[Image.Image], size: tuple[int, int]) -> list[Path]:
    paths = []
    for i, photo in enumerate(photos):
        path = directory / f"{size[0]}x{size[1]}-{i:03d}.jpg"
        path.write_bytes(jpeg(fitted(photo, size)))
        paths.append(path)
    return paths


def pytx(path: Path) -> str:
    from threatexchange.signal_type.pdq.signal import PdqSignal

    return PdqSignal.hash_from_file(path)


def with_pdqhash(path: Path) -> str:
    pixels = np.asarray(Image.open(io.BytesIO(path.read_bytes())).convert("RGB"))
    bits, _ = pdqhash.compute(pixels)
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def accord(path: Path) -> str:
    return next(s.value for s in hash_media(path.read_bytes(), limits=LIMITS) if s.type == "pdq")


def accord_pdq_only(path: Path) -> str:
    return pdqfast.hash_image(decode_image(path.read_bytes(), LIMITS))[0]


def luma_of(data: bytes) -> Image.Image:
    """The JPEG's luma as libjpeg decodes it alone (the path measured, not adopted)."""
    image = Image.open(io.BytesIO(data), formats=["JPEG"])
    image.draft("L", image.size)
    return image.convert("L")


def luma_path(path: Path) -> str:
    return pdqfast.hash_image(luma_of(path.read_bytes()))[0]


def rate(fn: Callable[[Path], str], paths: list[Path], runs: int) -> float:
    """Images per CPU second of this process, best of ``runs`` passes."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        for path in paths:
            fn(path)
        best = min(best, time.process_time() - start)
    return len(paths) / best


def distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def per_image(sets: dict[str, list[Path]], runs: int) -> None:
    print("| figure (1 core, decode included, images/s) | python-threatexchange | pdqhash | Accord (hash_media) "
          "| ratio to pytx | Accord PDQ alone | ratio | luma path (not adopted) | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, paths in sets.items():
        base = rate(pytx, paths, runs)
        figures = [rate(fn, paths, runs) for fn in (with_pdqhash, accord, accord_pdq_only, luma_path)]
        print(f"| {label} JPEG, {len(paths)} photos | {base:,.0f} | {figures[0]:,.0f} | {figures[1]:,.0f} "
              f"| x{figures[1] / base:.2f} | {figures[2]:,.0f} | x{figures[2] / base:.2f} | {figures[3]:,.0f} "
              f"| x{figures[3] / base:.2f} |")
    print()
    for label, paths in sets.items():
        from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file

        same = 0
        for path in paths:
            value, quality = pdq_from_file(path)
            computed = next(s for s in hash_media(path.read_bytes(), limits=LIMITS) if s.type == "pdq")
            same += (computed.value, computed.quality) == (value, quality)
        print(f"exactness, {label}: {same}/{len(paths)} hashes and qualities identical to python-threatexchange")


def drift() -> None:
    import matplotlib.cbook

    files = sorted(HELDOUT.glob("*.jpg"))
    files.append(Path(str(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))))
    for label, size in (("own size", None), ("1920x1080", (1920, 1080))):
        bits = []
        for path in files:
            photo = Image.open(path).convert("RGB")
            data = jpeg(photo if size is None else fitted(photo, size))
            rgb = pdqfast.hash_image(decode_image(data, LIMITS))[0]
            bits.append(distance(rgb, pdqfast.hash_image(luma_of(data))[0]))
        print(f"luma path drift from the RGB path, {len(files)} held-out photos at {label}: mean "
              f"{sum(bits) / len(bits):.2f} bits, max {max(bits)} ({bits})")


PYTX_LOOP = """
import pathlib, sys
from threatexchange.signal_type.pdq.signal import PdqSignal
for name in sys.argv[1:]:
    print(PdqSignal.hash_from_file(pathlib.Path(name)))
"""


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Best wall-clock seconds and best CPU seconds (user + system, all its processes) of a command."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    best_wall = best_cpu = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        best_wall = min(best_wall, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return best_wall, best_cpu


def command_line(directory: Path, photos: list[Image.Image], runs: int, count: int) -> None:
    sizes = [(512, 512), (800, 600), (1024, 768), (640, 480), (1280, 720)]
    paths = []
    for i in range(count):
        photo = photos[i % len(photos)]
        size = sizes[i % len(sizes)]
        box = (i % 7, i % 5, photo.width - i % 3, photo.height - i % 11)  # no two files alike
        path = directory / f"user-{i:04d}.jpg"
        path.write_bytes(jpeg(fitted(photo.crop(box), size), quality=80 + i % 15))
        paths.append(path)
    names = [str(p) for p in paths]
    taskset = shutil.which("taskset")
    if taskset is None:
        print("taskset not found: the command-line rows need util-linux")
        return
    one, two = [taskset, "-c", "0"], [taskset, "-c", "0,1"]
    accord_cmd = [sys.executable, "-m", "accord", "hash", *names]
    rows = [("python-threatexchange loop, 1 core", timed([*one, sys.executable, "-c", PYTX_LOOP, *names], runs)),
            ("`accord hash`, 1 core", timed([*one, *accord_cmd], runs)),
            ("`accord hash`, 2 cores", timed([*two, *accord_cmd], runs)),
            ("`accord --help` alone (start-up), 1 core", timed([*one, sys.executable, "-m", "accord", "--help"],
                                                               runs))]
    base_wall, base_cpu = rows[0][1]
    print(f"\n`accord hash` over {count} photos (512x512 to 1280x720 JPEG), best of {runs}, interpreter start-up "
          "and imports included:")
    print("| figure | wall s | photos/s (wall) | wall ratio | CPU s | CPU ratio |")
    print("|---|---|---|---|---|---|")
    for label, (wall_s, cpu_s) in rows:
        print(f"| {label} | {wall_s:.2f} | {count / wall_s:,.0f} | x{base_wall / wall_s:.2f} | {cpu_s:.2f} "
              f"| x{base_cpu / cpu_s:.2f} |")
    (w1, c1), (w2, _), (wh, ch) = rows[1][1], rows[2][1], rows[3][1]
    print(f"2 cores against 1: x{w1 / w2:.2f} wall clock, x{(w1 - wh) / max(w2 - wh, 1e-9):.2f} less start-up; "
          f"hashing alone (CPU less start-up): {count / max(c1 - ch, 1e-9):,.0f} photos per CPU second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 photos per size, 2 runs, 120 for the command")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--part", choices=["all", "images", "command"], default="all")
    args = parser.parse_args()
    runs = 2 if args.quick else args.runs
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core for the per-image rows
    print(f"compiled core: {pdqfast.COMPILED}; load average {os.getloadavg()[0]:.1f} at the start")
    photos = sources()[: 10 if args.quick else None]
    with tempfile.TemporaryDirectory(prefix="accord-bench-hashing-") as tmp:
        directory = Path(tmp)
        if args.part in ("all", "images"):
            sets = {f"{w}x{h}": write_set(directory, photos, (w, h)) for w, h in ((512, 512), (1920, 1080))}
            per_image(sets, runs)
            drift()
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, range(os.cpu_count() or 1))
        if args.part in ("all", "command"):
            command_line(directory, sources(), 3 if not args.quick else 1, 120 if args.quick else 600)
    print("\nvPDQ: not measured here (ffmpeg and the vpdq package are not installed on this machine).")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
