"""Organisations' Ed25519 signing keys, and signed JSON documents anyone can verify offline.

TCO Art. 3(5) wants orders sent so that the sender is authenticated; Annex I section E and Annex II/III carry a
signature. Each organisation gets one Ed25519 key pair, made on first use. The private half is stored encrypted
with the instance's key-encryption secret, ``settings.preservation_key`` (the one that protects preserved content,
TCO Art. 6), under its own derivation label; the public half is published (``GET
/v1/organisations/{id}/signing-key``) and embedded in every document it signs.

A document is signed over its canonical JSON: the document without its ``signature`` member, keys sorted, no
whitespace, UTF-8 (``canonical``). ``verify_document`` needs nothing from the instance, so a provider checks an
order (and an authority checks the feedback) with the public key it pinned, or the one the document carries.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import new_id
from accord.errors import Conflict, InvalidInput, NotFound
from accord.identity.models import Organisation, SigningKey
from accord.settings import Settings

ALGORITHM: Final = "Ed25519"
CANONICALISATION: Final = "the document without 'signature', JSON with sorted keys, no whitespace, UTF-8"


def _fernet(settings: Settings) -> Fernet:
    key = hashlib.sha256(b"accord-signing-keys:" + settings.preservation_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: every member but ``signature``, keys sorted, compact, UTF-8."""
    body = {key: value for key, value in document.items() if key != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fingerprint(public_key: str) -> str:
    """A short form of a public key to compare by eye or over the phone: SHA-256, first 16 hex digits."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def _create(session: Session, clock: Clock, settings: Settings, org: Organisation) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = SigningKey(id=new_id("skey"), org_id=org.id, algorithm=ALGORITHM,
                     public_key=base64.b64encode(public).decode(),
                     private_key_encrypted=_fernet(settings).encrypt(raw).decode(), created_at=clock.now())
    session.add(key)
    session.flush()
    record(session, clock, Actor.system(), Event.IDENTITY_SIGNING_KEY_CREATE, subject=key.id, org_id=org.id,
           payload={"org_id": org.id, "algorithm": ALGORITHM, "fingerprint": fingerprint(key.public_key)})
    return key


def _active(session: Session, org_id: str) -> SigningKey | None:
    return session.scalar(select(SigningKey).where(SigningKey.org_id == org_id, SigningKey.retired_at.is_(None)))


def signing_key(session: Session, clock: Clock, settings: Settings, org_id: str) -> SigningKey:
    """The organisation's active key, made on first use (two requests racing for it both get the one that won)."""
    found = _active(session, org_id)
    if found is not None:
        return found
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"no organisation {org_id!r}")
    try:
        with session.begin_nested():
            return _create(session, clock, settings, org)
    except IntegrityError:
        winner = _active(session, org_id)
        assert winner is not None  # the other transaction committed it
        return winner


def rotate(session: Session, clock: Clock, settings: Settings, actor: Actor,
           org_ids: list[str] | None = None) -> list[SigningKey]:
    """Give each organisation (every one that has a key, or those named) a new active key. The old key is
    retired, not deleted: documents it signed keep verifying, against the key they carry or the organisation's
    published keys (``keys_of``). Returns the new keys."""
    if org_ids is None:
        org_ids = sorted(set(session.scalars(select(SigningKey.org_id).where(SigningKey.retired_at.is_(None)))))
    made = []
    for org_id in org_ids:
        org = session.get(Organisation, org_id)
        if org is None:
            raise NotFound(f"no organisation {org_id!r}")
        old = _active(session, org_id)
        if old is not None:
            old.retired_at = clock.now()
            session.flush()  # the old key leaves the one-active-key index before the new one enters it
        new = _create(session, clock, settings, org)
        record(session, clock, actor, Event.IDENTITY_SIGNING_KEY_ROTATE, subject=new.id, org_id=org_id,
               payload={"org_id": org_id, "retired_key_id": old.id if old else None,
                        "retired_fingerprint": fingerprint(old.public_key) if old else None,
                        "fingerprint": fingerprint(new.public_key)})
        made.append(new)
    return made


def keys_of(session: Session, org_id: str) -> list[SigningKey]:
    """Every key the organisation has signed with, the active one first, then retired ones, newest first."""
    keys = session.scalars(select(SigningKey).where(SigningKey.org_id == org_id)).all()
    return sorted(keys, key=lambda key: (key.retired_at is not None, -(key.retired_at or key.created_at).timestamp()))


def verify_for(session: Session, document: Mapping[str, Any], org_id: str) -> Verified:
    """Check a document signed by ``org_id`` with any key it has had, the active one or a retired one; a
    document signed with any other key is refused."""
    verified = verify_document(document)
    if verified.public_key not in {key.public_key for key in keys_of(session, org_id)}:
        raise InvalidInput("the document is not signed with a key of this organisation", field="signature")
    return verified


def _private(settings: Settings, key: SigningKey) -> Ed25519PrivateKey:
    try:
        raw = _fernet(settings).decrypt(key.private_key_encrypted.encode())
    except InvalidToken:
        raise Conflict("the organisation's signing key cannot be decrypted: ACCORD_PRESERVATION_KEY is not the one "
                       "it was stored with", field="signing_key") from None
    return Ed25519PrivateKey.from_private_bytes(raw)


def sign_document(session: Session, clock: Clock, settings: Settings, org_id: str, role: str,
                  document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with a ``signature`` member by ``org_id``'s key over its canonical form."""
    key = signing_key(session, clock, settings, org_id)
    org = session.get(Organisation, org_id)
    signed = {k: v for k, v in document.items() if k != "signature"}
    value = _private(settings, key).sign(canonical(signed))
    signed["signature"] = {
        "algorithm": ALGORITHM, "key_id": key.id, "public_key": key.public_key,
        "fingerprint": fingerprint(key.public_key), "canonicalisation": CANONICALISATION,
        "signer": {"organisation_id": org_id, "name": org.name if org else None, "role": role},
        "value": base64.b64encode(value).decode(),
    }
    return signed


@dataclass(frozen=True)
class Verified:
    """A document whose signature holds: who signed it, and with which key."""

    signer: dict[str, Any]
    public_key: str
    fingerprint: str


def _decode(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise InvalidInput(f"the signature's {field} is missing", field=f"signature.{field}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"the signature's {field} is not base64", field=f"signature.{field}") from None


def verify_document(document: Mapping[str, Any], pinned_key: str | None = None) -> Verified:
    """Check a signed document offline; refuse one that is unsigned, tampered with, or signed by another key
    than ``pinned_key`` (base64) when one is given."""
    signature = document.get("signature")
    if not isinstance(signature, dict):
        raise InvalidInput("the document is not signed", field="signature")
    if signature.get("algorithm") != ALGORITHM:
        raise InvalidInput(f"the signature is not {ALGORITHM}", field="signature.algorithm")
    public = _decode(signature.get("public_key"), "public_key")
    if pinned_key is not None and _decode(pinned_key, "public_key") != public:
        raise InvalidInput("the document is signed with another key than the one expected", field="signature")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(_decode(signature.get("value"), "value"),
                                                          canonical(document))
    except (ValueError, InvalidSignature):
        raise InvalidInput("the signature does not match the document: it was altered after signing",
                           field="signature") from None
    key = str(signature["public_key"])
    signer = signature.get("signer")
    return Verified(signer=dict(signer) if isinstance(signer, dict) else {}, public_key=key,
                    fingerprint=fingerprint(key))


def public_key_of(session: Session, clock: Clock, settings: Settings, org_id: str) -> dict[str, Any]:
    """What a counterpart pins: the organisation, algorithm, key id, public key and fingerprint."""
    key = signing_key(session, clock, settings, org_id)
    return {"organisation_id": org_id, "algorithm": key.algorithm, "key_id": key.id, "public_key": key.public_key,
            "fingerprint": fingerprint(key.public_key), "created_at": key.created_at}
