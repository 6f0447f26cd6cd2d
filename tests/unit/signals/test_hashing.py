from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
from PIL import Image
from skimage import data
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes

from accord.errors import InvalidInput
from accord.signals import MediaLimits, hash_media, validate_signal


def astronaut() -> np.ndarray:
    return data.astronaut()  # type: ignore[no-untyped-call,no-any-return]  # scikit-image ships no types


def jpeg(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_photo_signals_match_python_threatexchange() -> None:
    blob = jpeg(astronaut())
    signals = {s.type: s for s in hash_media(blob, limits=MediaLimits())}
    assert set(signals) == {"pdq", "md5", "sha256"}
    expected_pdq, expected_quality = pdq_from_bytes(blob)
    assert signals["pdq"].value == expected_pdq
    assert signals["pdq"].quality == expected_quality
    assert signals["pdq"].indexable
    assert signals["md5"].value == hashlib.md5(blob).hexdigest()
    assert signals["sha256"].value == hashlib.sha256(blob).hexdigest()
    for signal in signals.values():
        assert validate_signal(signal.type, signal.value) == signal.value


def test_low_quality_pdq_is_returned_but_not_indexable() -> None:
    flat = np.full((128, 128, 3), 120, dtype=np.uint8)
    pdq = next(s for s in hash_media(jpeg(flat), limits=MediaLimits()) if s.type == "pdq")
    assert pdq.quality is not None and pdq.quality < 50
    assert not pdq.indexable


def test_video_gets_a_video_md5() -> None:
    blob = b"\x00\x00\x00\x18ftypisom" + bytes(range(200))
    signals = {s.type: s.value for s in hash_media(blob, limits=MediaLimits())}
    assert signals["video_md5"] == signals["md5"] == hashlib.md5(blob).hexdigest()
    assert "pdq" not in signals


def test_other_files_get_cryptographic_hashes_only() -> None:
    assert {s.type for s in hash_media(b"%PDF-1.7 ...", limits=MediaLimits())} == {"md5", "sha256"}


def test_corrupt_photo_is_refused() -> None:
    with pytest.raises(InvalidInput):
        hash_media(jpeg(astronaut())[:3000], limits=MediaLimits())
