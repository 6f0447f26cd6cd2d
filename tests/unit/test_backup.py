"""The sealed stream of ``accord backup``: what it writes reads back, and any change to it is refused."""

from __future__ import annotations

import io
import os
import struct

import pytest

from accord import backup
from accord.errors import InvalidInput

SECRET = "s" * 40
HEADER = len(backup.MAGIC) + 1 + 16 + 4


def _seal(plain: bytes, secret: str = SECRET) -> bytes:
    out = io.BytesIO()
    writer = backup.SealedWriter(out, secret)
    for start in range(0, len(plain), 1000):
        writer.write(plain[start:start + 1000])
    writer.close()
    return out.getvalue()


def _open(sealed: bytes, secret: str = SECRET) -> bytes:
    return b"".join(backup.opened(io.BytesIO(sealed), secret))


def _chunks(sealed: bytes) -> tuple[bytes, list[bytes]]:
    header, rest, chunks = sealed[:HEADER], sealed[HEADER:], []
    while rest:
        size = struct.unpack(">I", rest[:4])[0]
        chunks.append(rest[:4 + size])
        rest = rest[4 + size:]
    return header, chunks


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "CHUNK", 256)


def test_what_is_sealed_opens_again(small_chunks: None) -> None:
    plain = os.urandom(3000)  # incompressible: about a dozen chunks
    sealed = _seal(plain)
    assert len(_chunks(sealed)[1]) > 5 and plain not in sealed
    assert _open(sealed) == plain
    assert _open(_seal(b"")) == b""


def test_a_changed_dropped_reordered_or_added_chunk_is_refused(small_chunks: None) -> None:
    header, chunks = _chunks(_seal(os.urandom(3000)))
    flipped = bytearray(chunks[2])
    flipped[10] ^= 1
    variants = {
        "changed": [*chunks[:2], bytes(flipped), *chunks[3:]],
        "dropped in the middle": [*chunks[:2], *chunks[3:]],
        "last dropped": chunks[:-1],
        "reordered": [chunks[1], chunks[0], *chunks[2:]],
        "appended": [*chunks, chunks[-1]],
    }
    for parts in variants.values():
        with pytest.raises(InvalidInput, match="damaged or altered"):
            _open(header + b"".join(parts))


def test_another_secret_or_a_changed_header_is_refused() -> None:
    sealed = _seal(b"rows")
    with pytest.raises(InvalidInput, match="another key"):
        _open(sealed, "t" * 40)
    salted = bytearray(sealed)
    salted[len(backup.MAGIC) + 3] ^= 1
    with pytest.raises(InvalidInput, match="damaged or altered"):
        _open(bytes(salted))
    with pytest.raises(InvalidInput, match="not an Accord backup"):
        _open(b"PK\x03\x04" + sealed)
    with pytest.raises(InvalidInput, match="at least 32"):
        _seal(b"rows", "short")
