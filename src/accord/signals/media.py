"""Safe reading of uploaded media: size limits, type sniffed from content, decompression-bomb protection.

Nothing here trusts a file name or a declared content type: the kind of a file is read from its first bytes,
and an image is decoded only by the Pillow plugin for the format those bytes announce. An image whose header
declares more pixels than ``MediaLimits.max_pixels`` is refused before its pixels are decoded.

Memory is bounded twice (docs/security.md, threat 4). An image whose longer side exceeds
``MediaLimits.hash_side`` is hashed at a reduced size: a JPEG is decoded by libjpeg at 1/2, 1/4 or 1/8 scale
(Pillow's draft mode), any other format is decoded and then reduced by an integer factor (a box filter) before
it is hashed; a 7,000 x 7,000 PNG peaked at 1.6 GB hashed whole by pdqhash. Images up to that side,
every phone photo among them, are hashed as they are, bit for bit as pdqhash hashes them. And at most
``MAX_CONCURRENT_DECODES`` images are decoded at once per process, so concurrent uploads queue instead of
adding up.
"""

from __future__ import annotations

import io
import math
import threading
import warnings
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from accord.errors import InvalidInput, PayloadTooLarge


class MediaKind(StrEnum):
    """What a file is, as far as hashing cares."""

    PHOTO = "photo"
    VIDEO = "video"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Ceilings applied before any decoding work is done."""

    max_bytes: int = 50 * 1024 * 1024
    """Largest upload accepted, in bytes."""
    max_pixels: int = 40_000_000
    """Largest image accepted, in declared width x height (a decompression bomb declares far more)."""
    min_side: int = 16
    """Smallest width or height worth hashing perceptually."""
    video_seconds: float = 120.0
    """Longest a video may take to vPDQ-hash (wall-clock seconds) before it is refused."""
    video_memory: int = 4 * 1024 * 1024 * 1024
    """Address space allowed to the process decoding a video for vPDQ (bytes)."""
    hash_side: int = 4096
    """Longest side an image is hashed at; a larger one is reduced by an integer factor first (its PDQ then
    differs from the full-size hash by a few bits: docs/decisions.md)."""


MAX_CONCURRENT_DECODES = 2
"""Images one process decodes at the same time; further uploads wait for a slot."""
_DECODE_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_DECODES)


@dataclass(frozen=True, slots=True)
class Sniffed:
    """The outcome of reading a file's magic bytes."""

    kind: MediaKind
    format: str | None
    """Pillow's format name for photos (``JPEG``, ``PNG``...), the container for videos, else None."""


_IMAGE_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "JPEG"),
    (b"\x89PNG\r\n\x1a\n", 0, "PNG"),
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"WEBP", 8, "WEBP"),
    (b"BM", 0, "BMP"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
)
_VIDEO_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"ftyp", 4, "mp4"),
    (b"\x1a\x45\xdf\xa3", 0, "matroska"),
    (b"AVI ", 8, "avi"),
    (b"FLV", 0, "flv"),
    (b"\x00\x00\x01\xba", 0, "mpeg"),
)


def sniff(data: bytes) -> Sniffed:
    """Tell photos, videos and other files apart by their magic bytes, never by name."""
    for magic, offset, name in _IMAGE_MAGIC:
        if data[offset : offset + len(magic)] == magic and (name != "WEBP" or data[:4] == b"RIFF"):
            return Sniffed(MediaKind.PHOTO, name)
    for magic, offset, name in _VIDEO_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return Sniffed(MediaKind.VIDEO, name)
    return Sniffed(MediaKind.OTHER, None)


def check_size(data: bytes, limits: MediaLimits) -> None:
    """Refuse empty uploads and uploads above ``limits.max_bytes``."""
    if not data:
        raise InvalidInput("the file is empty", field="file")
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(
            f"the file has {len(data)} bytes, more than the limit of {limits.max_bytes}", field="file"
        )


def decode_image(data: bytes, limits: MediaLimits) -> Image.Image:
    """Decode a photo to RGB, upright per its EXIF orientation, refusing bombs and broken files."""
    check_size(data, limits)
    sniffed = sniff(data)
    if sniffed.kind is not MediaKind.PHOTO or sniffed.format is None:
        raise InvalidInput("the file is not a supported image (JPEG, PNG, GIF, WebP, BMP, TIFF)", field="file")
    image = _open(data, sniffed.format)
    _check_dimensions(image, limits)
    factor = reduction(image.size, limits.hash_side)
    with _DECODE_SLOTS:
        if factor > 1 and sniffed.format == "JPEG":
            image.draft("RGB", (image.width // factor, image.height // factor))  # libjpeg's DCT scaling
        return _load_rgb(image, sniffed.format, limits.hash_side)


def reduction(size: tuple[int, int], side: int) -> int:
    """The integer factor that brings the longer side of ``size`` to ``side`` or below (1: hashed as it is)."""
    return max(1, math.ceil(max(size) / side))


def _reduced(image: Image.Image, side: int) -> Image.Image:
    """Reduced before any copy is made (transposing and converting each copy the whole image)."""
    factor = reduction(image.size, side)
    if factor == 1:
        return image
    if image.mode not in _REDUCIBLE:
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    return image.reduce(factor)


_ORIENTATION = 0x0112
_REDUCIBLE = frozenset({"L", "LA", "RGB", "RGBA", "RGBa", "La", "I", "F", "CMYK"})


def _open(data: bytes, image_format: str) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=[image_format])
    except Image.DecompressionBombError as exc:
        raise InvalidInput(f"the image is a possible decompression bomb: {exc}", field="file") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise InvalidInput(f"the {image_format} header is corrupt: {exc}", field="file") from None


def _check_dimensions(image: Image.Image, limits: MediaLimits) -> None:
    width, height = image.size
    if width * height > limits.max_pixels:
        raise InvalidInput(
            f"the image declares {width}x{height} pixels, more than the limit of {limits.max_pixels}"
            " (a possible decompression bomb)",
            field="file",
        )
    if min(width, height) < limits.min_side:
        raise InvalidInput(f"the image is {width}x{height}, too small to hash", field="file")


def _load_rgb(image: Image.Image, image_format: str, side: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            exif = image.getexif()
            reduced = _reduced(image, side)
            if exif.get(_ORIENTATION, 1) in (1, None):  # upright already: no copy (exif_transpose would copy)
                return reduced if reduced.mode == "RGB" else reduced.convert("RGB")
            if reduced is not image:
                reduced.info["exif"] = exif.tobytes()  # reduce() drops the orientation exif_transpose reads
            upright = ImageOps.exif_transpose(reduced)
            return upright.convert("RGB")
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombWarning) as exc:
        raise InvalidInput(f"the {image_format} image is truncated or corrupt: {exc}", field="file") from None


def to_array(image: Image.Image) -> npt.NDArray[np.uint8]:
    """The RGB pixels of an image as an ``(height, width, 3)`` uint8 array, as pdqhash wants them."""
    return np.asarray(image.convert("RGB"), dtype=np.uint8)
