from __future__ import annotations

from itertools import pairwise
from typing import cast

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event, unchecked
from accord.audit.models import AuditEvent
from accord.audit.service import Actor, compute_hash, record, verify
from accord.clock import FrozenClock
from accord.errors import InvalidInput

ACTOR = Actor("test", "org_a")


def _dead(attempts: int) -> dict[str, object]:
    return {"kind": "test", "attempts": attempts, "error": None}


def _chain(session: Session, clock: FrozenClock, n: int = 5) -> list[AuditEvent]:
    events = []
    for i in range(n):
        clock.advance(seconds=1)
        events.append(record(session, clock, ACTOR, Event.JOBS_JOB_DEAD_LETTER, subject=f"s{i}", payload=_dead(i)))
    session.commit()
    return events


def test_events_chain_to_each_other(session: Session, clock: FrozenClock) -> None:
    events = _chain(session, clock)
    assert events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    assert verify(session) == (5, None)


def test_an_event_rolled_back_never_joins_the_chain(session: Session, clock: FrozenClock) -> None:
    _chain(session, clock, 2)
    record(session, clock, ACTOR, Event.JOBS_JOB_RETRY)
    session.rollback()
    _chain(session, clock, 2)
    assert verify(session) == (4, None)


def test_unsealed_row_is_reported(session: Session, clock: FrozenClock) -> None:
    _chain(session, clock, 2)
    session.execute(text("INSERT INTO audit_events (id, at, actor, tag, payload, prev_hash, hash) "
                         "VALUES ('evt_raw', '2026-03-02 10:00:00', 'x', 'a:b:c', '{}', '', '')"))
    session.commit()
    _, broken = verify(session)
    assert broken is not None and broken.event_id == "evt_raw" and "outside the chain" in broken.reason


def test_a_tag_outside_the_catalogue_is_refused(session: Session, clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput) as caught:
        record(session, clock, ACTOR, cast(Event, "test:thing:happen"))
    assert caught.value.field == "tag"


def test_a_payload_unlike_its_catalogue_entry_is_refused(session: Session, clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput, match=r"missing \['error'\]") as caught:
        record(session, clock, ACTOR, Event.JOBS_JOB_DEAD_LETTER, payload={"kind": "x", "attempts": 1})
    assert caught.value.field == "payload"
    with pytest.raises(InvalidInput, match=r"not in the catalogue \['extra'\]"):
        record(session, clock, ACTOR, Event.JOBS_JOB_RETRY, payload={"extra": 1})


def test_unchecked_writes_a_partial_payload(session: Session, clock: FrozenClock) -> None:
    with unchecked():
        event = record(session, clock, ACTOR, Event.MATCHING_MATCH_FOUND, payload={"provider_id": "org_a"})
    assert event.tag == "matching:match:found" and event.payload == {"provider_id": "org_a"}


def test_edit_is_detected_at_the_edited_event(session: Session, clock: FrozenClock) -> None:
    events = _chain(session, clock)
    session.execute(update(AuditEvent).where(AuditEvent.id == events[2].id).values(payload=_dead(99)))
    session.commit()
    count, broken = verify(session)
    assert count == 2
    assert broken is not None and broken.event_id == events[2].id and "edited" in broken.reason


def test_delete_is_detected_at_the_following_event(session: Session, clock: FrozenClock) -> None:
    events = _chain(session, clock)
    session.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": events[1].id})
    session.commit()
    _, broken = verify(session)
    assert broken is not None and broken.event_id == events[2].id and "deleted" in broken.reason


def test_insert_is_detected_at_the_inserted_event(session: Session, clock: FrozenClock) -> None:
    events = _chain(session, clock)
    # Make room after event 1 and slip in a well-formed event that chains to it.
    after = events[1].chain_seq
    assert after is not None
    session.execute(update(AuditEvent).where(AuditEvent.chain_seq > after)
                    .values(chain_seq=AuditEvent.chain_seq + 100))
    forged = AuditEvent(chain_seq=after + 1, id="evt_forged", at=clock.now(), actor="intruder", org_id="org_a",
                        tag="test:thing:forge", subject=None, payload={}, prev_hash=events[1].hash, hash="")
    forged.hash = compute_hash(forged.prev_hash, forged)
    session.add(forged)
    session.commit()
    _, broken = verify(session)
    assert broken is not None and broken.event_id == "evt_forged" and "inserted" in broken.reason


def test_payload_round_trips_as_json(session: Session, clock: FrozenClock) -> None:
    event = record(session, clock, ACTOR, Event.IDENTITY_SESSION_START, payload={"expires_at": clock.now()})
    session.commit()
    stored = session.scalar(select(AuditEvent).where(AuditEvent.id == event.id))
    assert stored is not None and stored.payload["expires_at"].startswith("2026-03-02")
