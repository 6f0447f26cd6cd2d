"""Preservation: encrypted, six months, legal holds, purpose-bound and logged access, daily purge."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.jobs.registry import DUTIES, JobContext
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
