"""Sealing produced data for the issuing authority: NaCl sealed boxes (X25519 + XSalsa20-Poly1305, an anonymous
sender). The instance receives the plaintext in the provider's request, seals it at once for the authority's
registered public key and keeps only the ciphertext; only the holder of the private key can open it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from accord.errors import InvalidInput


@dataclass(frozen=True)
class Opened:
    filename: str
    media_type: str
    data: bytes


def decode_public_key(value: str) -> PublicKey:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("public_key must be base64", field="public_key") from None
    if len(raw) != 32:
        raise InvalidInput("public_key must be a 32-byte X25519 (Curve25519) key, base64", field="public_key")
    return PublicKey(raw)


def fingerprint(public_key: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()


def generate() -> tuple[str, str]:
    """A new key pair as (public, private), both base64: the authority keeps the private half, off the instance."""
    private = PrivateKey.generate()
    return (base64.b64encode(bytes(private.public_key)).decode(), base64.b64encode(bytes(private)).decode())


def seal(public_key: str, *, filename: str, media_type: str, data: bytes) -> bytes:
    """The envelope (file name, media type, data) sealed for ``public_key``."""
    envelope = json.dumps({"filename": filename, "media_type": media_type,
                           "data": base64.b64encode(data).decode()}).encode()
    return bytes(SealedBox(decode_public_key(public_key)).encrypt(envelope))


def open_sealed(private_key: str, sealed: bytes) -> Opened:
    """What the authority does with its private key (``accord evidence open``); never run by the instance."""
    try:
        box = SealedBox(PrivateKey(base64.b64decode(private_key.strip(), validate=True)))
        envelope: dict[str, Any] = json.loads(box.decrypt(sealed))
    except (CryptoError, binascii.Error, ValueError) as exc:
        raise InvalidInput(f"cannot open the package with this key: {exc}", field="private_key") from None
    return Opened(str(envelope["filename"]), str(envelope["media_type"]), base64.b64decode(envelope["data"]))
