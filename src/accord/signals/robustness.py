"""The edit-robustness measurement: which edited re-uploads plain PDQ and Accord's variants still match.

Used by the tests and ``benchmarks/matching.py`` to produce the table in ``docs/signals.md``.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from accord.matching.pdq import PDQ_THRESHOLD
from accord.signals.variants import centre_crop, index_hashes, query_hashes

Edit = Callable[[Image.Image], Image.Image]


def _reencode(image: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=40)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _watermark(image: Image.Image) -> Image.Image:
    marked = image.copy()
    draw = ImageDraw.Draw(marked, "RGBA")
    width, height = marked.size
    box = (int(width * 0.6), int(height * 0.85), int(width * 0.97), int(height * 0.97))
    draw.rectangle(box, fill=(255, 255, 255, 160))
    draw.text((int(width * 0.62), int(height * 0.87)), "@reposter", fill=(0, 0, 0, 255))
    return marked


def _letterbox(image: Image.Image) -> Image.Image:
    return ImageOps.expand(image, border=(image.width // 10, image.height // 10), fill=(0, 0, 0))


EDITS: dict[str, Edit] = {
    "re-encode (JPEG q40)": _reencode,
    "resize to 50 %": lambda im: im.resize((im.width // 2, im.height // 2)),
    "greyscale": lambda im: im.convert("L").convert("RGB"),
    "blur (Gaussian r=2)": lambda im: im.filter(ImageFilter.GaussianBlur(2)),
    "brighten 30 %": lambda im: ImageEnhance.Brightness(im).enhance(1.3),
    "watermark (corner box)": _watermark,
    "crop 5 % per side": lambda im: centre_crop(im, 0.05),
    "crop 10 % per side": lambda im: centre_crop(im, 0.10),
    "mirror": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "flip": lambda im: im.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
    "rotate 90": lambda im: im.transpose(Image.Transpose.ROTATE_90),
    "letterbox 10 %": _letterbox,
    "mirror + crop 5 %": lambda im: centre_crop(im, 0.05).transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "crop 10 % off-centre": lambda im: im.crop((im.width // 10, im.height // 10, im.width, im.height)),
}


SAMPLE_PHOTOS = (
    "astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "moon", "hubble_deep_field",
    "immunohistochemistry", "page", "text", "grass", "gravel", "brick", "retina", "colorwheel", "clock",
    "cell", "horse", "logo",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class EditResult:
    """How many of ``total`` edited photos were matched to their original."""

    edit: str
    plain: int
    accord: int
    total: int


def distance(a: str, b: str) -> int:
    """Hamming distance between two PDQ hashes."""
    left, right = np.frombuffer(bytes.fromhex(a), np.uint8), np.frombuffer(bytes.fromhex(b), np.uint8)
    return int(np.bitwise_count(left ^ right).sum())


def accord_distance(bank: list[str], query: list[str]) -> int:
    """The least distance between any bank-side and any query-side hash."""
    return min(distance(a, b) for a in bank for b in query)


def sample_photos() -> dict[str, Image.Image]:
    """scikit-image's bundled photos (a dev dependency) whose PDQ quality is high enough to bank."""
    from skimage import data  # imported late: scikit-image is only needed to measure

    photos = {}
    for name in SAMPLE_PHOTOS:
        pixels = getattr(data, name)()
        photo = Image.fromarray(pixels.astype(np.uint8) * (255 if pixels.dtype == bool else 1)).convert("RGB")
        if index_hashes(photo):
            photos[name] = photo
    return photos


def measure_edits(photos: Mapping[str, Image.Image]) -> list[EditResult]:
    """Per edit, how many photos plain PDQ (one hash each side) and Accord's variants match at <= 31."""
    banked = {name: index_hashes(photo) for name, photo in photos.items()}
    results = []
    for edit_name, edit in EDITS.items():
        plain = accord = 0
        for name, photo in photos.items():
            edited = edit(photo)
            query = query_hashes(edited)
            plain += distance(banked[name][0], query[0]) <= PDQ_THRESHOLD
            accord += accord_distance(banked[name], query) <= PDQ_THRESHOLD
        results.append(EditResult(edit_name, plain, accord, len(photos)))
    return results


def closest_unrelated(photos: Mapping[str, Image.Image]) -> tuple[int, str, str]:
    """The least Accord distance between two different photos (banked one way, queried the other)."""
    banked = {name: index_hashes(photo) for name, photo in photos.items()}
    queried = {name: query_hashes(photo) for name, photo in photos.items()}
    pairs = itertools.permutations(photos, 2)
    return min((accord_distance(banked[a], queried[b]), a, b) for a, b in pairs)
