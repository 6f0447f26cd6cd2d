"""Edit robustness: the extra PDQ hashes that let mirrored, rotated, cropped or letterboxed copies match.

Plain PDQ survives re-encoding, resizing, greyscale, mild blur and brightness changes, but a mirror image, a
90-degree rotation, a letterbox border or a crop of a few percent moves the hash far beyond distance 31.
Accord therefore hashes both sides more than once, always with PDQ bit for bit as pdqhash computes it
(``pdqfast``, the compiled core):

* **bank side** (``index_hashes``): the photo and centred crops of 3, 6, 9 and 12 % per side, so that a
  re-upload cropped by a similar amount lands near one of them;
* **query side** (``query_hashes``): the eight dihedral transforms (pdqhash computes them in one pass) of
  the upload and of a 1.5 % centred crop of it (filling the gaps of the bank-side grid), and the same again
  after trimming a uniform border.

A match is any pair within distance 31. The grid and the border tolerance were chosen on scikit-image's
photos and are measured per kind of edit, with the false-match rate among unrelated photos, in
``docs/signals.md``.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from accord.signals import pdqfast
from accord.signals.hashing import PDQ_QUALITY_THRESHOLD

BANK_CROPS = (0.03, 0.06, 0.09, 0.12)
"""Fractions cut from each side for the extra hashes stored with a banked photo."""
QUERY_CROPS = (0.0, 0.015)
"""Fractions cut from each side of an upload before its dihedral hashes are taken."""
BORDER_TOLERANCE = 16
"""Grey levels a border pixel may differ from the corners' colour and still count as border."""
_MIN_TRIMMED_AREA = 0.4


def crop_box(box: pdqfast.Box, fraction: float) -> pdqfast.Box:
    """``box`` with ``fraction`` of its width and height cut from each side."""
    left, top, right, bottom = box
    if fraction <= 0:
        return box
    dx, dy = round((right - left) * fraction), round((bottom - top) * fraction)
    return left + dx, top + dy, right - dx, bottom - dy


def centre_crop(image: Image.Image, fraction: float) -> Image.Image:
    """``image`` with ``fraction`` of its width and height cut from each side."""
    if fraction <= 0:
        return image
    return image.crop(crop_box((0, 0, *image.size), fraction))


def border_box(image: Image.Image, tolerance: int = BORDER_TOLERANCE) -> pdqfast.Box | None:
    """The region inside a uniform border (letterbox, frame), or None when it has none worth trimming."""
    grey = np.asarray(image.convert("L"), dtype=np.int16)
    corners = np.median([grey[0, 0], grey[0, -1], grey[-1, 0], grey[-1, -1]])
    content = np.abs(grey - corners) > tolerance
    rows, cols = np.flatnonzero(content.any(axis=1)), np.flatnonzero(content.any(axis=0))
    if rows.size == 0:
        return None
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    area = (bottom - top) * (right - left)
    if area == grey.size or area < _MIN_TRIMMED_AREA * grey.size:
        return None
    return left, top, right, bottom


def trim_border(image: Image.Image, tolerance: int = BORDER_TOLERANCE) -> Image.Image | None:
    """The image without a uniform border (letterbox, frame), or None when it has none worth trimming."""
    box = border_box(image, tolerance)
    return None if box is None else image.crop(box)


def _good(pairs: list[tuple[str, int]]) -> list[str]:
    """Hashes of sufficient quality, deduplicated, in first-seen order."""
    return list(dict.fromkeys(value for value, quality in pairs if quality >= PDQ_QUALITY_THRESHOLD))


def plain_hash(image: Image.Image) -> str | None:
    """The one PDQ hash of ``image`` as plain PDQ matching uses it, or None when its quality is too low."""
    return next(iter(_good([pdqfast.hash_image(image)])), None)


def index_hashes(image: Image.Image) -> list[str]:
    """The PDQ hashes to store for a banked photo: the photo itself first, then its centred crops (all from one
    read of its pixels)."""
    plane, whole = pdqfast.Plane(image), (0, 0, *image.size)
    return _good([plane.hash()] + [plane.hash(crop_box(whole, f)) for f in BANK_CROPS])


def query_hashes(image: Image.Image) -> list[str]:
    """The PDQ hashes to look up for an uploaded photo: dihedral transforms of it, of a slight crop of it, and
    of both again with any uniform border trimmed (all from one read of its pixels)."""
    plane = pdqfast.Plane(image)
    bases: list[pdqfast.Box] = [(0, 0, *image.size)]
    trimmed = border_box(image)
    if trimmed is not None:
        bases.append(trimmed)
    return _good([pair for base in bases for f in QUERY_CROPS for pair in plane.dihedral(crop_box(base, f))])
