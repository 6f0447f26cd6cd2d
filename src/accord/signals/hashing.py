"""Turning uploaded bytes into signals: PDQ for photos, MD5 and SHA-256 for every file, video MD5 for videos."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pdqhash

from accord.signals.media import MediaKind, MediaLimits, check_size, decode_image, sniff, to_array

PDQ_QUALITY_THRESHOLD = 50
"""Below this PDQ quality a hash is too unreliable to match on (python-threatexchange's figure)."""


@dataclass(frozen=True, slots=True)
class ComputedSignal:
    """A signal computed from media. ``quality`` is set for PDQ only."""

    type: str
    value: str
    quality: int | None = None

    @property
    def indexable(self) -> bool:
        """Whether the signal may enter a bank or be matched (a low-quality PDQ hash may not)."""
        return self.quality is None or self.quality >= PDQ_QUALITY_THRESHOLD


def bits_to_hex(bits: npt.NDArray[np.integer]) -> str:
    """The 64-hex-digit form of pdqhash's 256 bits, first bit most significant (python-threatexchange's)."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def pdq_from_array(pixels: npt.NDArray[np.uint8]) -> tuple[str, int]:
    """PDQ hash and quality of ``(height, width, 3)`` RGB pixels, computed by pdqhash."""
    bits, quality = pdqhash.compute(pixels)
    return bits_to_hex(bits), int(quality)


def hash_media(data: bytes, *, limits: MediaLimits) -> list[ComputedSignal]:
    """All signals of one uploaded file; a photo that cannot be decoded raises ``InvalidInput``."""
    check_size(data, limits)
    kind = sniff(data).kind
    signals = [
        ComputedSignal("md5", hashlib.md5(data, usedforsecurity=False).hexdigest()),
        ComputedSignal("sha256", hashlib.sha256(data).hexdigest()),
    ]
    if kind is MediaKind.PHOTO:
        value, quality = pdq_from_array(to_array(decode_image(data, limits)))
        signals.insert(0, ComputedSignal("pdq", value, quality))
    elif kind is MediaKind.VIDEO:
        signals.append(ComputedSignal("video_md5", signals[0].value))
    return signals
