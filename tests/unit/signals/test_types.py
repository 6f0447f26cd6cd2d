"""Signal types: python-threatexchange's contract, and the door that refuses bad hashes with a reason."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
from PIL import Image
from threatexchange.signal_type.signal_base import SimpleSignalType

from accord.errors import InvalidInput
from accord.signals import SIGNAL_TYPES, get_signal_type, validate_signal
from accord.signals.types import FileMD5Signal, FileSHA256Signal

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


@pytest.mark.parametrize("name", sorted(SIGNAL_TYPES))
def test_each_type_keeps_python_threatexchange_contract(name: str) -> None:
    signal_type = get_signal_type(name)
    tx = signal_type.tx_type
    assert tx.get_content_types()
    assert tx.get_index_cls() is not None
    for example in tx.get_examples()[:5]:
        normalised = signal_type.validate(example)
        assert signal_type.validate(normalised) == normalised  # idempotent
        if signal_type.exact and name != "text" and issubclass(tx, SimpleSignalType):
            assert tx.compare_hash(example.strip().lower(), normalised).match


def test_registry_names() -> None:
    assert {"pdq", "md5", "sha256", "video_md5", "url", "text"} <= set(SIGNAL_TYPES)
    assert FileMD5Signal.get_name() == "md5"
    assert FileSHA256Signal.get_name() == "sha256"


def test_file_hashers_agree_with_hashlib() -> None:
    assert FileMD5Signal.hash_from_bytes(b"x") == hashlib.md5(b"x").hexdigest()
    assert FileSHA256Signal.hash_from_bytes(b"x") == hashlib.sha256(b"x").hexdigest()


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("pdq", f"  {PDQ.upper()} ", PDQ),
        ("md5", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
        ("url", "HTTPS://Example.ORG:443/a?utm_source=x&b=2&a=1#top", "https://example.org/a?a=1&b=2"),
        ("text", "  Join   the CAUSE! ", "jointhecause"),  # python-threatexchange drops spaces and punctuation
    ],
)
def test_values_are_normalised(type_name: str, value: str, expected: str) -> None:
    assert validate_signal(type_name, value) == expected


@pytest.mark.parametrize(
    ("type_name", "value", "reason"),
    [
        ("pdq", "f8f8", "64 hex digits, not 4"),
        ("pdq", PDQ + "00", "64 hex digits, not 66"),
        ("pdq", "g" * 64, "only hexadecimal"),
        ("pdq", "0" * 64, "all-zero"),
        ("pdq", "f" * 64, "all-ones"),
        ("md5", "0" * 32, "all-zero"),
        ("md5", "0" * 64, "32 hex digits"),
        ("sha256", "a" * 32, "64 hex digits"),
        ("video_md5", "x" * 32, "only hexadecimal"),
        ("url", "ftp://example.org/x", "only http and https"),
        ("url", "https://", "no host"),
        ("url", "http://example.org:99999/", "malformed"),
        ("text", " \t ", "empty"),
        ("text", "a" * 10_001, "at most"),
        ("tmk", "x", "unknown signal type"),
    ],
)
def test_bad_values_are_refused_with_a_reason(type_name: str, value: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        validate_signal(type_name, value)


def test_vpdq_hash_of_a_real_clip_enters_through_the_door(tmp_path: Path) -> None:
    """vPDQ (the ``video`` extra) hashes a clip with python-threatexchange and ffmpeg; Accord's door accepts
    the hash, and a clip matches itself but not another clip. Skipped where vpdq is not installed."""
    pytest.importorskip("vpdq", reason="vpdq is not installed (pip install -e '.[video]'; see docs/signals.md)")
    from skimage import data  # a dev dependency

    def clip(name: str, pixels: object) -> Path:
        base = Image.fromarray(pixels).convert("RGB").resize((160, 120))  # type: ignore[arg-type]
        frames = [base.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if i % 10 >= 5 else base for i in range(20)]
        path = tmp_path / name
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)  # 2 s at 10 fps
        return path

    vpdq = get_signal_type("vpdq")
    first = vpdq.tx_type.hash_from_file(clip("a.gif", data.astronaut()))  # type: ignore[attr-defined]
    other = vpdq.tx_type.hash_from_file(clip("b.gif", data.coffee()))  # type: ignore[attr-defined]
    assert validate_signal("vpdq", first) == first
    assert vpdq.tx_type.compare_hash(validate_signal("vpdq", f"  {first} "), first).match  # type: ignore[attr-defined]
    assert not vpdq.tx_type.compare_hash(first, other).match  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput, match="invalid vpdq signal"):
        validate_signal("vpdq", "0,abc")


def test_vpdq_is_absent_without_the_extra() -> None:
    if importlib.util.find_spec("vpdq") is not None:
        pytest.skip("vpdq is installed; the test above covers it")
    assert "vpdq" not in SIGNAL_TYPES
    with pytest.raises(InvalidInput, match="unknown signal type 'vpdq'"):
        validate_signal("vpdq", "0,abc")
