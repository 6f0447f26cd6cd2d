from __future__ import annotations

from itertools import pairwise

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor, compute_hash, record, verify
from accord.clock import FrozenClock
from accord.errors import InvalidInput

ACTOR = Actor("test", "org_a")


def _chain(session: Session, clock: FrozenClock, n: int = 5) -> list[AuditEvent]:
    events = []
    for i in range(n):
        clock.advance(seconds=1)
        events.append(record(session, clock, ACTOR, "test:thing:happen", subject=f"s{i}", payload={"i": i}))
    session.commit()
    return events


def test_events_chain_to_each_other(session: Session, clock: FrozenClock) -> None:
    events = _chain(session, clock)
    assert events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    assert verify(session) == (5, None)


def test_an_event_rolled_back_never_joins_the_chain(session: Session, clock: FrozenClock) -> None:
    _chain(session, clock, 2)
    record(session, clock, ACTOR, "test:thing:abandon")
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


def test_tag_must_have_three_parts(session: Session, clock: FrozenClock) -> None:
    try:
        record(session, clock, ACTOR, "bad:tag")
    except InvalidInput as exc:
        assert exc.field == "tag"
    else:
        raise AssertionError("a two-part tag was accepted")


def test_edit_is_detected_at_the_edited_event(session: Session, clock: FrozenClock) -> None:
    events = _chain(session, clock)
    session.execute(update(AuditEvent).where(AuditEvent.id == events[2].id).values(payload={"i": 99}))
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
    event = record(session, clock, ACTOR, "test:thing:happen", payload={"when": clock.now()})
    session.commit()
    stored = session.scalar(select(AuditEvent).where(AuditEvent.id == event.id))
    assert stored is not None and stored.payload["when"].startswith("2026-03-02")
