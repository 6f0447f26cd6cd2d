from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes

from accord.errors import InvalidInput, PayloadTooLarge
from accord.signals import MediaLimits, hash_media, hashing, validate_signal
from tests.unit.signals.video_clips import SCENES_A, make_clip, needs_vpdq, reencode


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


def test_video_gets_a_video_md5(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "VPDQ_AVAILABLE", False)  # as without the extra: digests only, nothing decoded
    blob = b"\x00\x00\x00\x18ftypisom" + bytes(range(200))
    signals = {s.type: s.value for s in hash_media(blob, limits=MediaLimits())}
    assert signals["video_md5"] == signals["md5"] == hashlib.md5(blob).hexdigest()
    assert "pdq" not in signals


def test_other_files_get_cryptographic_hashes_only() -> None:
    assert {s.type for s in hash_media(b"\x00\x01 a binary file", limits=MediaLimits())} == {"md5", "sha256"}
    with pytest.raises(InvalidInput, match="PDF is corrupt"):  # a document's text is read: test_documents.py
        hash_media(b"%PDF-1.7 ...", limits=MediaLimits())


def test_corrupt_photo_is_refused() -> None:
    with pytest.raises(InvalidInput):
        hash_media(jpeg(astronaut())[:3000], limits=MediaLimits())


def test_video_gets_the_vpdq_of_python_threatexchange(tmp_path: Path) -> None:
    needs_vpdq()
    from threatexchange.extensions.vpdq.vpdq import VPDQSignal

    clip = make_clip(tmp_path, "a", SCENES_A[:3])
    small = reencode(clip, tmp_path / "small.mkv")
    signals = {s.type: s for s in hash_media(clip.read_bytes(), limits=MediaLimits())}
    assert set(signals) == {"md5", "sha256", "video_md5", "vpdq"}
    vpdq = signals["vpdq"]
    assert vpdq.value == VPDQSignal.hash_from_file(clip) == validate_signal("vpdq", vpdq.value)
    assert len(json.loads(vpdq.value)) == 6 and vpdq.quality == 100 and vpdq.indexable
    other = next(s for s in hash_media(small.read_bytes(), limits=MediaLimits()) if s.type == "vpdq")
    assert VPDQSignal.compare_hash(other.value, vpdq.value).match, "a re-encoded Matroska copy still matches"


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_video_is_refused_not_crashed(tmp_path: Path, damage: str) -> None:
    needs_vpdq()
    if damage == "garbage":
        blob = b"\x00\x00\x00\x18ftypisom" + bytes(range(200))
    else:
        blob = make_clip(tmp_path, "a", SCENES_A[:2]).read_bytes()
        blob = blob[: len(blob) // 3]
    with pytest.raises(InvalidInput, match="the MP4 video is truncated or corrupt"):
        hash_media(blob, limits=MediaLimits())


def test_a_video_too_slow_to_hash_is_refused(tmp_path: Path) -> None:
    needs_vpdq()
    blob = make_clip(tmp_path, "a", SCENES_A[:2]).read_bytes()
    with pytest.raises(PayloadTooLarge, match=r"takes more than 0\.01 s to hash"):
        hash_media(blob, limits=MediaLimits(video_seconds=0.01))
    with pytest.raises(InvalidInput):  # the decoder is held to its address space
        hash_media(blob, limits=MediaLimits(video_memory=64 * 1024 * 1024))
