"""Signing the exchange feed with Ed25519.

Each instance has one feed key, derived from ``settings.secret_key`` (SHA-256 of a fixed label and the secret
as the Ed25519 seed), so there is no extra secret to manage and rotating the secret rotates the key. The feed
answer carries the public key (hex) in its body and the signature of the exact body bytes in the
``Accord-Signature: ed25519=<base64>`` header. A puller pins the public key on its first pull (or is given it
with ``--public-key``) and refuses any page whose signature does not verify against the pinned key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from accord.errors import InvalidInput
from accord.settings import Settings

HEADER = "Accord-Signature"
_LABEL = b"accord exchange feed key v1\x00"


def feed_key(settings: Settings) -> Ed25519PrivateKey:
    """This instance's feed signing key."""
    seed = hashlib.sha256(_LABEL + settings.secret_key.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_hex(settings: Settings) -> str:
    """The public half of the feed key, as 64 hex digits."""
    return feed_key(settings).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sign(settings: Settings, body: bytes) -> str:
    """The ``Accord-Signature`` header value for ``body``."""
    return "ed25519=" + base64.b64encode(feed_key(settings).sign(body)).decode()


def verify(public_hex: str, body: bytes, header: str) -> None:
    """Refuse a feed page whose signature does not verify against ``public_hex``."""
    scheme, _, encoded = header.partition("=")
    if scheme != "ed25519" or not encoded:
        raise InvalidInput("the feed page is not signed with ed25519", field="signature")
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        key.verify(base64.b64decode(encoded), body)
    except (ValueError, InvalidSignature):
        raise InvalidInput("the feed page's signature does not verify against the pinned key",
                           field="signature") from None
