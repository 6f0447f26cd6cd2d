"""Preservation: encrypted, six months, legal holds, purpose-bound and logged access, daily purge."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.jobs import service as jobs
from accord.jobs.registry import DUTIES, JobContext, load_all
from accord.jobs.worker import Worker
from accord.rights import jobs as rights_jobs
from accord.rights import preservation
from accord.rights.models import PreservedItem
from accord.settings import Settings
from tests.unit.rights.conftest import World

ACTOR = Actor("test:rights", None)
CONTENT = b"terrorist propaganda video bytes"


def _store(session: Session, clock: FrozenClock, settings: Settings, world: World) -> PreservedItem:
    return preservation.preserve(session, clock, settings, ACTOR, provider_id=world.provider.id, decision_id="dec_1",
                                 content=CONTENT, metadata={"url": "https://v.example/1", "uploader": "u1"})


def _tags(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.tag).where(AuditEvent.tag.startswith("rights:"))
                                .order_by(AuditEvent.seq)))


def test_content_is_stored_encrypted_and_read_back_for_a_purpose(
    session: Session, clock: FrozenClock, settings: Settings, world: World
) -> None:
    item = _store(session, clock, settings, world)
    assert item.content_encrypted is not None
    assert CONTENT not in item.content_encrypted
    assert b"uploader" not in (item.metadata_encrypted or b"")
    read = preservation.access(session, clock, settings, ACTOR, provider_id=world.provider.id, item_id=item.id,
                               purpose="complaint")
    assert read.content == CONTENT
    assert read.metadata["url"] == "https://v.example/1"
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.tag == "rights:preservation:access")))
    assert [e.payload["purpose"] for e in events] == ["complaint"]


def test_another_key_cannot_decrypt(session: Session, clock: FrozenClock, settings: Settings, world: World) -> None:
    item = _store(session, clock, settings, world)
    other = settings.model_copy(update={"preservation_key": "another key entirely"})
    with pytest.raises(InvalidToken):
        preservation.access(session, clock, other, ACTOR, provider_id=world.provider.id, item_id=item.id,
                            purpose="review")


@pytest.mark.parametrize("purpose", [None, "", "curiosity"])
def test_access_without_a_purpose_is_refused(session: Session, clock: FrozenClock, settings: Settings,
                                             world: World, purpose: str | None) -> None:
    item = _store(session, clock, settings, world)
    with pytest.raises(PermissionDenied):
        preservation.access(session, clock, settings, ACTOR, provider_id=world.provider.id, item_id=item.id,
                            purpose=purpose)
    assert "rights:preservation:access" not in _tags(session)


def test_another_organisation_cannot_see_the_item(session: Session, clock: FrozenClock, settings: Settings,
                                                  world: World) -> None:
    item = _store(session, clock, settings, world)
    with pytest.raises(NotFound):
        preservation.access(session, clock, settings, ACTOR, provider_id=world.other.id, item_id=item.id,
                            purpose="review")
    assert preservation.list_items(session, provider_id=world.other.id) == []


def test_items_are_purged_at_six_months_by_the_daily_duty(
    session: Session, clock: FrozenClock, settings: Settings, world: World
) -> None:
    clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    item = _store(session, clock, settings, world)
    assert item.retain_until == datetime(2026, 9, 2, 10, 0, tzinfo=UTC)
    duty = DUTIES["rights.purge_preservation"][1]
    assert duty is rights_jobs.purge_preservation
    context = JobContext(session, clock, settings, "test")
    clock.set(datetime(2026, 9, 2, 9, 59, tzinfo=UTC))
    assert duty(context) == 0
    clock.set(datetime(2026, 9, 2, 10, 0, tzinfo=UTC))
    assert duty(context) == 1
    assert item.content_encrypted is None and item.metadata_encrypted is None and item.purged_at == clock.now()
    assert _tags(session) == ["rights:preservation:store", "rights:preservation:purge"]
    with pytest.raises(Conflict):
        preservation.access(session, clock, settings, ACTOR, provider_id=world.provider.id, item_id=item.id,
                            purpose="review")


def test_a_legal_hold_extends_retention(session: Session, clock: FrozenClock, settings: Settings,
                                        world: World) -> None:
    item = _store(session, clock, settings, world)
    until = datetime(2027, 3, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        preservation.extend_hold(session, clock, ACTOR, provider_id=world.provider.id, item_id=item.id,
                                 until=until, requested_by=" ")
    preservation.extend_hold(session, clock, ACTOR, provider_id=world.provider.id, item_id=item.id, until=until,
                             requested_by="Tribunal judiciaire de Paris")
    clock.set(datetime(2026, 12, 1, tzinfo=UTC))  # past six months, inside the hold
    assert preservation.purge_expired(session, clock, ACTOR) == 0
    clock.set(until)
    assert preservation.purge_expired(session, clock, ACTOR) == 1
    assert "rights:preservation:hold" in _tags(session)


def test_months_are_calendar_months() -> None:
    assert preservation.add_months(datetime(2026, 8, 31, tzinfo=UTC), 6) == datetime(2027, 2, 28, tzinfo=UTC)
    assert preservation.add_months(datetime(2026, 12, 15, tzinfo=UTC), 6) == datetime(2027, 6, 15, tzinfo=UTC)


def _read(session: Session, clock: FrozenClock, settings: Settings, world: World, item: PreservedItem) -> bytes:
    return preservation.access(session, clock, settings, ACTOR, provider_id=world.provider.id, item_id=item.id,
                               purpose="review").content


def test_after_a_rotation_old_items_still_decrypt_and_new_ones_use_the_new_key(
    session: Session, clock: FrozenClock, settings: Settings, world: World
) -> None:
    legacy = _store(session, clock, settings, world)  # before any rotation: the key derived from the secret
    first = preservation.rotate_key(session, clock, settings, ACTOR)
    middle = _store(session, clock, settings, world)
    clock.advance(days=1)
    second = preservation.rotate_key(session, clock, settings, ACTOR)
    newest = _store(session, clock, settings, world)
    assert (legacy.key_id, middle.key_id, newest.key_id) == (None, first.id, second.id)
    assert first.retired_at == clock.now() and second.retired_at is None
    assert all(_read(session, clock, settings, world, item) == CONTENT for item in (legacy, middle, newest))
    rotations = list(session.scalars(select(AuditEvent).where(AuditEvent.tag == "rights:preservation_key:rotate")
                                     .order_by(AuditEvent.seq)))
    assert [(e.subject, e.payload["retired_key_id"]) for e in rotations] == [(first.id, None), (second.id, first.id)]
    # The key is itself encrypted under the instance secret: another secret opens none of the new items.
    other = settings.model_copy(update={"preservation_key": "another key entirely"})
    with pytest.raises(Conflict, match="PRESERVATION_KEY"):
        _read(session, clock, other, world, newest)


def test_reencryption_moves_every_item_to_the_new_key_in_batches(
    session: Session, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, world: World
) -> None:
    items = [_store(session, clock, settings, world) for _ in range(3)]
    old_ciphertexts = [item.content_encrypted for item in items]
    key = preservation.rotate_key(session, clock, settings, ACTOR)
    jobs.enqueue(session, clock, "rights.reencrypt_preserved", {"key_id": key.id, "batch": 2})
    session.commit()
    load_all()
    assert Worker(factory, clock, settings).drain() == 3  # two batches, and one that finds nothing left
    session.expire_all()
    for item, before in zip(items, old_ciphertexts, strict=True):
        assert item.key_id == key.id and item.content_encrypted != before
        assert _read(session, clock, settings, world, item) == CONTENT
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.tag == "rights:preservation:reencrypt")
                                  .order_by(AuditEvent.seq)))
    assert [(e.payload["items"], e.payload["remaining"]) for e in events] == [(2, 1), (1, 0)]
    assert preservation.reencrypt(session, clock, settings, ACTOR) == 0
