"""Turning uploaded bytes into signals: PDQ for photos, MD5 and SHA-256 for every file, video MD5 and (where
the optional ``vpdq`` package is installed) vPDQ for videos, and the text signals of documents
(``accord.signals.documents``).

A video is vPDQ-hashed by python-threatexchange's ``VPDQSignal.hash_from_file`` (ffmpeg through the ``vpdq``
package) in a separate Python process, from a temporary file: the decoder gets ``MediaLimits.video_seconds``
of wall-clock time and ``MediaLimits.video_memory`` of address space, and a video that crashes it or that it
cannot open is refused with ``InvalidInput`` instead of taking the server down.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from accord.errors import InvalidInput, PayloadTooLarge
from accord.signals import pdqfast
from accord.signals.documents import document_signals
from accord.signals.media import MediaKind, MediaLimits, check_size, decode_image, sniff
from accord.signals.types import SIGNAL_TYPES, VPDQ_QUALITY_THRESHOLD, validate_signal

PDQ_QUALITY_THRESHOLD = 50
"""Below this PDQ quality a hash is too unreliable to match on (python-threatexchange's figure)."""


@dataclass(frozen=True, slots=True)
class ComputedSignal:
    """A signal computed from media. ``quality`` is set for PDQ, and for vPDQ (its best frame's quality);
    ``variants`` are the edit-robust PDQ hashes asked of ``hash_media``, taken from the same decode."""

    type: str
    value: str
    quality: int | None = None
    variants: tuple[str, ...] = ()

    @property
    def indexable(self) -> bool:
        """Whether the signal may enter a bank or be matched (a low-quality PDQ hash may not)."""
        return self.quality is None or self.quality >= PDQ_QUALITY_THRESHOLD


VPDQ_AVAILABLE = "vpdq" in SIGNAL_TYPES
"""Whether uploaded videos are vPDQ-hashed (the optional ``vpdq`` package is installed)."""

_VPDQ_WORKER = """\
import resource, sys
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from threatexchange.extensions.vpdq.vpdq import VPDQSignal
sys.stdout.write(VPDQSignal.hash_from_file(sys.argv[1]))
"""


def vpdq_of_video(data: bytes, container: str | None, limits: MediaLimits) -> ComputedSignal | None:
    """The vPDQ signal of a video (size already checked), None when it has no frame; ``InvalidInput`` when
    ffmpeg cannot decode it, ``PayloadTooLarge`` when it takes longer than ``limits.video_seconds``."""
    name = (container or "video").upper()
    with tempfile.NamedTemporaryFile(prefix="accord-vpdq-", suffix=f".{container or 'video'}") as handle:
        handle.write(data)
        handle.flush()
        try:
            done = subprocess.run(  # noqa: S603  # our own interpreter and script; the path is ours
                [sys.executable, "-c", _VPDQ_WORKER, handle.name, str(limits.video_memory)],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=limits.video_seconds, check=False,
            )
        except subprocess.TimeoutExpired:
            raise PayloadTooLarge(
                f"the {name} video takes more than {limits.video_seconds:g} s to hash", field="file"
            ) from None
    if done.returncode != 0:
        raise InvalidInput(f"the {name} video is truncated or corrupt: ffmpeg cannot decode it", field="file")
    from threatexchange.extensions.vpdq.vpdq_util import json_to_vpdq  # vpdq is an optional extra

    value = done.stdout.decode("ascii", errors="replace")
    try:
        frames = json_to_vpdq(value)
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput(f"the {name} video could not be hashed", field="file") from None
    if not frames:
        return None
    quality = max(int(frame.quality) for frame in frames)
    if quality >= VPDQ_QUALITY_THRESHOLD:
        value = validate_signal("vpdq", value)
    return ComputedSignal("vpdq", value, quality)


def bits_to_hex(bits: npt.NDArray[np.integer]) -> str:
    """The 64-hex-digit form of pdqhash's 256 bits, first bit most significant (python-threatexchange's)."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def pdq_from_array(pixels: npt.NDArray[np.uint8]) -> tuple[str, int]:
    """PDQ hash and quality of ``(height, width, 3)`` RGB pixels, bit for bit as pdqhash computes them."""
    return pdqfast.hash_array(pixels)


def hash_media(
    data: bytes, *, limits: MediaLimits, variants: Callable[[Image.Image], Sequence[str]] | None = None
) -> list[ComputedSignal]:
    """All signals of one uploaded file; a photo (or, where vPDQ is installed, a video) that cannot be decoded
    raises ``InvalidInput``. ``variants`` (``index_hashes`` or ``query_hashes``) runs on the photo's one decode
    when its PDQ is indexable."""
    check_size(data, limits)
    sniffed = sniff(data)
    kind = sniffed.kind
    signals = [
        ComputedSignal("md5", hashlib.md5(data, usedforsecurity=False).hexdigest()),
        ComputedSignal("sha256", hashlib.sha256(data).hexdigest()),
    ]
    if kind is MediaKind.PHOTO:
        image = decode_image(data, limits)
        value, quality = pdqfast.hash_image(image)
        extra = tuple(variants(image)) if variants is not None and quality >= PDQ_QUALITY_THRESHOLD else ()
        signals.insert(0, ComputedSignal("pdq", value, quality, extra))
    elif kind is MediaKind.VIDEO:
        signals.append(ComputedSignal("video_md5", signals[0].value))
        vpdq = vpdq_of_video(data, sniffed.format, limits) if VPDQ_AVAILABLE else None
        if vpdq is not None:
            signals.append(vpdq)
    else:  # a document: the signals of its text (text_md5, text_tlsh, text_containment), if it is one
        signals.extend(ComputedSignal(kind_, value) for kind_, value in document_signals(data))
    return signals
