"""Organisations' Ed25519 keys: made once, private half encrypted at rest, public half published."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound
from accord.identity import signing
from accord.identity.models import SigningKey
from accord.settings import Settings
from tests.factories import make_org

ACTOR = Actor("cli:operator", None)


def test_a_key_is_made_once_and_audited(session: Session, clock: FrozenClock, settings: Settings) -> None:
    org = make_org(session, clock, "authority")
    first = signing.signing_key(session, clock, settings, org.id)
    assert signing.signing_key(session, clock, settings, org.id).id == first.id
    assert session.scalar(select(SigningKey.id).where(SigningKey.org_id == org.id)) == first.id
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.tag == "identity:signing_key:create"))
    assert event.subject == first.id and event.payload["fingerprint"] == signing.fingerprint(first.public_key)
    with pytest.raises(NotFound):
        signing.signing_key(session, clock, settings, "org_missing")


def test_the_private_key_is_encrypted_with_the_instance_secret(session: Session, clock: FrozenClock,
                                                                settings: Settings) -> None:
    org = make_org(session, clock, "provider")
    signed = signing.sign_document(session, clock, settings, org.id, "hosting_service_provider", {"a": 1})
    key = session.scalar(select(SigningKey).where(SigningKey.org_id == org.id))
    assert key is not None and len(base64.b64decode(key.public_key)) == 32
    assert key.private_key_encrypted.startswith("gAAAAA")  # a Fernet token, not the raw key
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
    public.verify(base64.b64decode(signed["signature"]["value"]), b'{"a":1}')
    other = settings.model_copy(update={"preservation_key": "another-secret-entirely"})
    with pytest.raises(Conflict, match="PRESERVATION_KEY"):
        signing.sign_document(session, clock, other, org.id, "hosting_service_provider", {"a": 1})


def test_canonical_form_ignores_order_and_the_signature() -> None:
    assert signing.canonical({"b": [1, "é"], "a": None, "signature": {"x": 1}}) == '{"a":null,"b":[1,"é"]}'.encode()


def test_verification_refuses_garbage(session: Session, clock: FrozenClock, settings: Settings) -> None:
    org = make_org(session, clock, "authority")
    doc = signing.sign_document(session, clock, settings, org.id, "issuing_authority", {"reference": "R-1"})
    assert signing.verify_document(doc).fingerprint == doc["signature"]["fingerprint"]
    for broken, reason in (({**doc["signature"], "algorithm": "RSA"}, "not Ed25519"),
                           ({**doc["signature"], "value": "%%%"}, "not base64"),
                           ({**doc["signature"], "public_key": base64.b64encode(b"short").decode()}, "altered")):
        with pytest.raises(InvalidInput, match=reason):
            signing.verify_document({**doc, "signature": broken})


def test_a_rotated_key_signs_anew_and_what_the_old_one_signed_still_verifies(
        session: Session, clock: FrozenClock, settings: Settings) -> None:
    org = make_org(session, clock, "authority")
    other = make_org(session, clock, "provider")
    before = signing.sign_document(session, clock, settings, org.id, "competent_authority", {"order": 1})
    old = signing.signing_key(session, clock, settings, org.id)
    clock.advance(days=1)
    [new] = signing.rotate(session, clock, settings, ACTOR, [org.id])
    assert new.id != old.id and old.retired_at == clock.now() and new.retired_at is None
    assert signing.signing_key(session, clock, settings, org.id).id == new.id
    after = signing.sign_document(session, clock, settings, org.id, "competent_authority", {"order": 2})
    assert after["signature"]["key_id"] == new.id and before["signature"]["key_id"] == old.id
    # The old document: offline, against the key it carries and the key pinned before the rotation, and against
    # every key the organisation has had.
    signing.verify_document(before, pinned_key=old.public_key)
    assert signing.verify_for(session, before, org.id).public_key == old.public_key
    assert signing.verify_for(session, after, org.id).public_key == new.public_key
    assert [key.id for key in signing.keys_of(session, org.id)] == [new.id, old.id]
    with pytest.raises(InvalidInput, match="another key"):
        signing.verify_document(after, pinned_key=old.public_key)
    with pytest.raises(InvalidInput, match="not signed with a key of this organisation"):
        signing.verify_for(session, before, other.id)
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.tag == "identity:signing_key:rotate"))
    assert event.actor == ACTOR.ref and event.subject == new.id
    assert event.payload["retired_key_id"] == old.id
    assert event.payload["fingerprint"] == signing.fingerprint(new.public_key)


def test_rotating_without_names_rotates_every_organisation_with_a_key(
        session: Session, clock: FrozenClock, settings: Settings) -> None:
    first, second, keyless = (make_org(session, clock, kind) for kind in ("authority", "provider", "provider"))
    olds = {org.id: signing.signing_key(session, clock, settings, org.id).id for org in (first, second)}
    made = signing.rotate(session, clock, settings, ACTOR)
    assert sorted(key.org_id for key in made) == sorted(olds)
    assert all(signing.signing_key(session, clock, settings, org_id).id not in olds.values() for org_id in olds)
    assert session.scalars(select(SigningKey).where(SigningKey.org_id == keyless.id)).all() == []
    with pytest.raises(NotFound):
        signing.rotate(session, clock, settings, ACTOR, ["org_missing"])
