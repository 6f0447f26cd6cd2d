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

    def hash_arrow(
        self, schema: object, array: object, width: int, height: int, left: int, top: int, right: int,
        bottom: int, dihedral: bool,
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

Box = tuple[int, int, int, int]
"""A region as PIL's ``crop`` takes it: left, top, right, bottom."""


def _split(digests: bytes, quality: int) -> list[tuple[str, int]]:
    return [(digests[i : i + 32].hex(), quality) for i in range(0, len(digests), 32)]


class Plane:
    """One decoded image's pixels, from which any number of regions are hashed without copying them (the
    edit-robust variants: the photo, its centred crops, its border-trimmed content).

    The core reads Pillow's own pixel memory through the Arrow C data interface (``Image.__arrow_c_array__``,
    no copy); an image whose rows Pillow keeps in several blocks (over 16 MB) is copied once with ``tobytes``.
    A grey (``L``) image stays one channel: it hashes as its RGB conversion would."""

    def __init__(self, image: Image.Image) -> None:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        self.width, self.height = image.size
        self._image = image  # keeps the memory the Arrow capsules point into alive
        self._arrow: tuple[object, object] | None = None
        self._pixels = b""
        self._channels = 1 if image.mode == "L" else 3
        if _CORE is None:
            self._array = np.asarray(image.convert("RGB"), dtype=np.uint8)
            return
        try:
            self._arrow = image.__arrow_c_array__()
        except ValueError:  # rows not in one block
            self._pixels = image.tobytes()

    def _hashes(self, box: Box | None, dihedral: bool) -> list[tuple[str, int]]:
        left, top, right, bottom = box or (0, 0, self.width, self.height)
        if not (0 <= left < right <= self.width and 0 <= top < bottom <= self.height):
            raise ValueError(f"the region {box} is not inside the {self.width}x{self.height} image")
        if _CORE is None:
            region = self._array[top:bottom, left:right]
            return dihedral_array(region) if dihedral else [hash_array(region)]
        if self._arrow is not None:
            schema, array = self._arrow
            return _split(*_CORE.hash_arrow(schema, array, self.width, self.height, left, top, right, bottom,
                                            dihedral))
        stride = self.width * self._channels
        pixels = memoryview(self._pixels)[top * stride + left * self._channels :]
        return _split(*_CORE.hash(pixels, bottom - top, right - left, self._channels, stride, dihedral))

    def hash(self, box: Box | None = None) -> tuple[str, int]:
        """PDQ hash and quality of the region (the whole image by default), as of ``image.crop(box)``."""
        return self._hashes(box, False)[0]

    def dihedral(self, box: Box | None = None) -> list[tuple[str, int]]:
        """The eight dihedral PDQ hashes of the region (original, rotations 90/180/270, flips x/y/+1/-1), with its
        quality, as ``pdqhash.compute_dihedral`` computes them."""
        return self._hashes(box, True)


def hash_image(image: Image.Image) -> tuple[str, int]:
    """PDQ hash (64 hex digits) and quality of a decoded image, as pdqhash computes them on its RGB pixels."""
    return Plane(image).hash()


def dihedral_image(image: Image.Image) -> list[tuple[str, int]]:
    """The eight dihedral PDQ hashes of a decoded image, each with the image's quality."""
    return Plane(image).dihedral()


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
    return _split(*_CORE.hash(array, height, width, 3, width * 3, True))


def hash_luma(luma: npt.NDArray[np.uint8]) -> tuple[str, int]:
    """PDQ hash and quality of a ``(height, width)`` grey plane (a JPEG's decoded luma), hashed as its RGB
    conversion would be."""
    array = np.ascontiguousarray(luma, dtype=np.uint8)
    if _CORE is None:
        return hash_array(np.repeat(array[:, :, None], 3, axis=2))
    height, width = array.shape
    digest, quality = _CORE.hash(array, height, width, 1, width, False)
    return digest.hex(), quality
