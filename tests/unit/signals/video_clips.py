"""Short real videos for the vPDQ tests, made offline with the ffmpeg command from scikit-image's photos.

``needs_vpdq()`` skips a test where the optional ``vpdq`` package or the ``ffmpeg`` command is missing (a fresh
CI machine has neither), so these tests never fail for want of the extra.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

SCENES_A = ("astronaut", "coffee", "chelsea", "rocket", "retina")
SCENES_B = ("camera", "coins", "moon", "hubble_deep_field", "horse")


def needs_vpdq() -> None:
    """Skip unless vPDQ can be computed here: the ``vpdq`` extra and the ffmpeg command line tool."""
    pytest.importorskip("vpdq", reason="vpdq is not installed (pip install -e '.[video]'; see docs/signals.md)")
    if shutil.which("ffmpeg") is None:
        pytest.skip("the ffmpeg command is not installed; it makes the test videos")


def _photo(name: str) -> Image.Image:
    pixels = np.asarray(getattr(data, name)())
    if pixels.dtype != np.uint8:
        pixels = (pixels * 255 / max(float(pixels.max()), 1.0)).astype(np.uint8)
    return Image.fromarray(pixels).convert("RGB").resize((320, 240))


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_clip(folder: Path, name: str, scenes: tuple[str, ...], *, seconds_per_scene: int = 2) -> Path:
    """An MP4 (H.264 where available, else MPEG-4 part 2) at 25 fps showing each photo for a few seconds, with
    a slow zoom so that consecutive frames differ."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, scene in enumerate(scenes):
        _photo(scene).save(folder / f"{name}-{number:02d}.png")
    out = folder / f"{name}.mp4"
    _ffmpeg("-framerate", "1", "-i", str(folder / f"{name}-%02d.png"),
            "-vf", f"zoompan=z='min(zoom+0.001,1.2)':d={25 * seconds_per_scene}:s=320x240:fps=25,format=yuv420p",
            "-c:v", _codec(), "-b:v", "1500k", str(out))
    return out


def reencode(source: Path, out: Path, *, size: str = "192x144", bitrate: str = "150k", trim_frames: int = 0) -> Path:
    """A copy at another resolution and bitrate, optionally without its first ``trim_frames`` frames; the
    container follows ``out``'s suffix (``.mp4``, ``.mkv``...)."""
    args = ["-i", str(source)]
    if trim_frames:
        args += ["-vf", f"trim=start_frame={trim_frames},setpts=PTS-STARTPTS"]
    _ffmpeg(*args, "-s", size, "-b:v", bitrate, "-c:v", _codec(), "-pix_fmt", "yuv420p", str(out))
    return out


def _has_encoder(name: str) -> bool:
    listing = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True,
                             check=False).stdout
    return f" {name} " in listing


def _codec() -> str:
    return "libx264" if _has_encoder("libx264") else "mpeg4"
