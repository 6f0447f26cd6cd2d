"""Recording and verifying the audit chain.

Each event's hash is SHA-256 over its canonical JSON (id, time, actor, organisation, tag, subject, payload)
and the previous event's hash, so editing, inserting or deleting a row breaks the chain at that row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, inspect, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event, as_event, check
from accord.audit.models import AuditEvent
from accord.clock import Clock, as_utc
from accord.db import AFTER_ROLLBACK, BEFORE_COMMIT, is_postgres, new_id

GENESIS = "0" * 64
_LOCK_KEY = 0x41CC0D  # PostgreSQL advisory lock that serialises appends to the chain


@dataclass(frozen=True)
class Actor:
    """Who did something: a member, an API key, the system, or the public."""

    ref: str
    org_id: str | None

    @classmethod
    def system(cls) -> Actor:
        return cls("system", None)


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "id": event.id,
        "at": as_utc(event.at).isoformat(),
        "actor": event.actor,
        "org_id": event.org_id,
        "tag": event.tag,
        "subject": event.subject,
        "payload": event.payload,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(event)).hexdigest()


PENDING = "accord.audit.pending"


def record(
    session: Session,
    clock: Clock,
    actor: Actor,
    tag: Event,
    *,
    subject: str | None = None,
    payload: Mapping[str, Any] | None = None,
    org_id: str | None = None,
) -> AuditEvent:
    """Add one event in the caller's transaction; it joins the chain when the transaction commits.

    ``tag`` is a catalogued ``Event`` (``accord.audit.catalogue``); with payload checking on, the payload's keys
    must be those of the event's ``TypedDict``.

    Chaining at commit (``seal_pending``) keeps the chain's lock for the commit alone rather than the whole
    request, so concurrent requests are not serialised behind each other.
    """
    event_tag = as_event(tag)
    check(event_tag, payload or {})
    event = AuditEvent(
        id=new_id("evt"),
        at=clock.now(),
        actor=actor.ref,
        org_id=org_id if org_id is not None else actor.org_id,
        tag=event_tag.value,
        subject=subject,
        payload=json.loads(json.dumps(dict(payload or {}), default=str)),
        chain_seq=None,
        prev_hash="",
        hash="",
    )
    session.add(event)  # flushed with the transaction's other rows, normally by the commit that seals it
    session.info.setdefault(PENDING, []).append(event)
    return event


def seal_pending(session: Session) -> int:
    """Give this transaction's events their place in the chain; called just before commit.

    The transaction's other rows are flushed first, so the chain's lock covers only reading the chain's head,
    writing the events and the commit. Events still unflushed (the usual case) are written already chained by
    one executemany; an event that a query in the transaction flushed early gets its place by an UPDATE.
    Events dropped with a rolled-back savepoint are neither pending nor persistent and are skipped.
    """
    pending = [e for e in session.info.pop(PENDING, []) if _alive(e)]
    if not pending:
        return 0
    fresh = [e for e in pending if inspect(e).pending]
    for event in fresh:
        session.expunge(event)
    session.flush()
    if is_postgres(session):
        session.execute(_LOCK)
    last = session.execute(_HEAD).first()
    position, prev = (int(last[0] or 0), str(last[1])) if last else (0, GENESIS)
    for event in pending:
        position += 1
        event.chain_seq, event.prev_hash = position, prev
        event.hash = prev = compute_hash(prev, event)
    if fresh:
        session.execute(_INSERT, [_row(e) for e in fresh])
    session.flush()
    return len(pending)


# Built once (every write of every request seals): the lock, the chain's head, the INSERT. The INSERT is an
# executemany (pipelined by psycopg) without RETURNING: a multi-row INSERT..RETURNING is one long statement that
# psycopg re-parses on every call, which cost more than the rest of sealing. So a fresh event's ``seq`` (the
# database's own order) is not read back; ``id`` names an event, ``chain_seq`` places it.
_LOCK = select(func.pg_advisory_xact_lock(_LOCK_KEY))
_HEAD = (select(AuditEvent.chain_seq, AuditEvent.hash).where(AuditEvent.chain_seq.is_not(None))
         .order_by(AuditEvent.chain_seq.desc()).limit(1))
_TABLE = cast(Table, AuditEvent.__table__)
_INSERT = insert(_TABLE)
_COLUMNS = ("id", "at", "actor", "org_id", "tag", "subject", "payload", "chain_seq", "prev_hash", "hash")


def _row(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in _COLUMNS}


def _alive(event: AuditEvent) -> bool:
    state = inspect(event)
    return bool(state.pending or state.persistent)


def forget_pending(session: Session) -> None:
    session.info.pop(PENDING, None)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: str
    reason: str


def _iter_events(session: Session) -> Iterator[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.chain_seq.is_(None), AuditEvent.chain_seq, AuditEvent.seq)
    yield from session.scalars(query.execution_options(yield_per=1000))


def verify(session: Session) -> tuple[int, ChainBreak | None]:
    """Walk the chain; return how many events are intact and the first edited, inserted or deleted one."""
    prev_hash, before = GENESIS, None
    count = 0
    for event in _iter_events(session):
        if event.chain_seq is None:
            return count, ChainBreak(event.seq, event.id, "this event was inserted outside the chain")
        if compute_hash(event.prev_hash, event) != event.hash:
            return count, ChainBreak(event.seq, event.id, "this event was edited")
        if event.prev_hash != prev_hash:
            return count, _link_break(event, before)
        prev_hash, before = event.hash, event
        count += 1
    return count, None


def _link_break(event: AuditEvent, before: AuditEvent | None) -> ChainBreak:
    """A broken link: either ``before`` was slipped in, or something between the two was deleted."""
    if before is not None and event.prev_hash == before.prev_hash:
        return ChainBreak(before.seq, before.id, "this event was inserted into the chain")
    return ChainBreak(event.seq, event.id, "an event just before this one was deleted")


def list_events(
    session: Session,
    *,
    org_id: str,
    tag_prefix: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    before_seq: int | None = None,
) -> list[AuditEvent]:
    """An organisation's own events, newest first, paged by ``before_seq``."""
    query = select(AuditEvent).where(AuditEvent.org_id == org_id)
    if tag_prefix:
        query = query.where(AuditEvent.tag.startswith(tag_prefix))
    if since:
        query = query.where(AuditEvent.at >= since)
    if before_seq:
        query = query.where(AuditEvent.seq < before_seq)
    return list(session.scalars(query.order_by(AuditEvent.seq.desc()).limit(limit)))


# A unit of work seals its pending events as it commits and forgets them as it rolls back (``accord.db``).
if seal_pending not in BEFORE_COMMIT:
    BEFORE_COMMIT.append(seal_pending)
if forget_pending not in AFTER_ROLLBACK:
    AFTER_ROLLBACK.append(forget_pending)
