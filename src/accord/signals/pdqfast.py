"""PDQ hashes from the compiled core (``accord.signals._pdqcore``), bit for bit as pdqhash computes them.

The core reads 8-bit RGB or grey pixels straight from a buffer: no float copy of the image, no numpy luma
arithmetic, no list of 256 Python ints per hash. ``tests/unit/signals/test_pdqfast.py`` holds pdqhash as the
oracle over real photos and adversarial inputs. The extension is built by ``pip install -e .`` (``make
install``; ``hatch_build.py``); where it has not been built (a checkout run from ``src`` without installing),
the same functions fall back to pdqhash itself, slower and identical, and ``COMPILED`` says which is in use.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image

_Pixels = bytes | memoryview | npt.NDArray[np.uint8]


class _Core(Protocol):
    def hash(
        self, pixels: _Pixels, rows: int, cols: int, channels: int, stride: int, dihedral: bool
    ) -> tuple[bytes, int]: ...


def _load_core() -> _Core | None:
    try:
        from accord.signals import _pdqcore  # type: ignore[attr-defined]  # the compiled extension
    except ImportError:
        return None
    core: _Core = _pdqcore
    return core


_CORE = _load_core()
COMPILED = _CORE is not None
"""Whether the compiled core is in use (else pdqhash computes the same hashes, slower)."""

_GREY_MODES = frozenset({"L"})


def _pixels(image: Image.Image) -> tuple[bytes, int]:
    """The image's bytes as the core reads them (grey stays one channel: it hashes as its RGB conversion)."""
    if image.mode in _GREY_MODES:
        return image.tobytes(), 1
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image.tobytes(), 3


def hash_image(image: Image.Image) -> tuple[str, int]:
    """PDQ hash (64 hex digits) and quality of a decoded image, as pdqhash computes them on its RGB pixels."""
    if _CORE is None:
        return hash_array(np.asarray(image.convert("RGB"), dtype=np.uint8))
    pixels, channels = _pixels(image)
    digest, quality = _CORE.hash(pixels, image.height, image.width, channels, image.width * channels, False)
    return digest.hex(), quality


def dihedral_image(image: Image.Image) -> list[tuple[str, int]]:
    """The eight dihedral PDQ hashes (original, rotations 90/180/270, flips x/y/+1/-1) of a decoded image, each
    with the image's quality, as ``pdqhash.compute_dihedral`` computes them."""
    if _CORE is None:
        return dihedral_array(np.asarray(image.convert("RGB"), dtype=np.uint8))
    pixels, channels = _pixels(image)
    digests, quality = _CORE.hash(pixels, image.height, image.width, channels, image.width * channels, True)
    return [(digests[i : i + 32].hex(), quality) for i in range(0, 256, 32)]


def hash_array(pixels: npt.NDArray[np.uint8]) -> tuple[str, int]:
    """PDQ hash and quality of ``(height, width, 3)`` RGB pixels."""
    array = np.ascontiguousarray(pixels, dtype=np.uint8)
    if _CORE is None:
        import pdqhash

        bits, quality = pdqhash.compute(array)
        return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex(), int(quality)
    height, width = array.shape[:2]
    digest, quality = _CORE.hash(array, height, width, 3, width * 3, False)
    return digest.hex(), quality


def dihedral_array(pixels: npt.NDArray[np.uint8]) -> list[tuple[str, int]]:
    """The eight dihedral PDQ hashes of ``(height, width, 3)`` RGB pixels, with the quality."""
    array = np.ascontiguousarray(pixels, dtype=np.uint8)
    if _CORE is None:
        import pdqhash

        hashes, quality = pdqhash.compute_dihedral(array)
        return [(np.packbits(np.asarray(b, dtype=np.uint8)).tobytes().hex(), int(quality)) for b in hashes]
    height, width = array.shape[:2]
    digests, quality = _CORE.hash(array, height, width, 3, width * 3, True)
    return [(digests[i : i + 32].hex(), quality) for i in range(0, 256, 32)]


def hash_luma(luma: npt.NDArray[np.uint8]) -> tuple[str, int]:
    """PDQ hash and quality of a ``(height, width)`` grey plane (a JPEG's decoded luma), hashed as its RGB
    conversion would be."""
    array = np.ascontiguousarray(luma, dtype=np.uint8)
    if _CORE is None:
        return hash_array(np.repeat(array[:, :, None], 3, axis=2))
    height, width = array.shape
    digest, quality = _CORE.hash(array, height, width, 1, width, False)
    return digest.hex(), quality


Box = tuple[int, int, int, int]
"""A region as PIL's ``crop`` takes it: left, top, right, bottom."""


class Plane:
    """One decoded image's pixels, read once, from which any number of regions are hashed without copying them
    (the edit-robust variants: the photo, its centred crops, its border-trimmed content)."""

    def __init__(self, image: Image.Image) -> None:
        self.width, self.height = image.size
        if _CORE is None:
            self._array = np.asarray(image.convert("RGB"), dtype=np.uint8)
            self._pixels, self._channels = b"", 3
        else:
            self._pixels, self._channels = _pixels(image)

    def _region(self, box: Box | None) -> tuple[memoryview, int, int]:
        left, top, right, bottom = box or (0, 0, self.width, self.height)
        if not (0 <= left < right <= self.width and 0 <= top < bottom <= self.height):
            raise ValueError(f"the region {box} is not inside the {self.width}x{self.height} image")
        start = (top * self.width + left) * self._channels
        return memoryview(self._pixels)[start:], bottom - top, right - left

    def hash(self, box: Box | None = None) -> tuple[str, int]:
        """PDQ hash and quality of the region (the whole image by default), as of ``image.crop(box)``."""
        if _CORE is None:
            left, top, right, bottom = box or (0, 0, self.width, self.height)
            return hash_array(self._array[top:bottom, left:right])
        pixels, rows, cols = self._region(box)
        digest, quality = _CORE.hash(pixels, rows, cols, self._channels, self.width * self._channels, False)
        return digest.hex(), quality

    def dihedral(self, box: Box | None = None) -> list[tuple[str, int]]:
        """The eight dihedral PDQ hashes of the region, with its quality."""
        if _CORE is None:
            left, top, right, bottom = box or (0, 0, self.width, self.height)
            return dihedral_array(self._array[top:bottom, left:right])
        pixels, rows, cols = self._region(box)
        digests, quality = _CORE.hash(pixels, rows, cols, self._channels, self.width * self._channels, True)
        return [(digests[i : i + 32].hex(), quality) for i in range(0, 256, 32)]
