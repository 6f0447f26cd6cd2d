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
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import Clock, as_utc
from accord.db import is_postgres, new_id
from accord.errors import InvalidInput

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


def _check_tag(tag: str) -> None:
    parts = tag.split(":")
    if len(parts) != 3 or not all(parts):
        raise InvalidInput(f"audit tag {tag!r} is not shaped source:subject:action", field="tag")


def _last_hash(session: Session) -> str:
    row = session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).scalar()
    return row or GENESIS


def record(
    session: Session,
    clock: Clock,
    actor: Actor,
    tag: str,
    *,
    subject: str | None = None,
    payload: Mapping[str, Any] | None = None,
    org_id: str | None = None,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction."""
    _check_tag(tag)
    if is_postgres(session):
        session.execute(select(_advisory_lock()))
    event = AuditEvent(
        id=new_id("evt"),
        at=clock.now(),
        actor=actor.ref,
        org_id=org_id if org_id is not None else actor.org_id,
        tag=tag,
        subject=subject,
        payload=json.loads(json.dumps(dict(payload or {}), default=str)),
        prev_hash=_last_hash(session),
        hash="",
    )
    event.hash = compute_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


def _advisory_lock() -> Any:
    from sqlalchemy import func

    return func.pg_advisory_xact_lock(_LOCK_KEY)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: str
    reason: str


def _iter_events(session: Session) -> Iterator[AuditEvent]:
    yield from session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000))


def verify(session: Session) -> tuple[int, ChainBreak | None]:
    """Walk the chain; return how many events are intact and the first edited, inserted or deleted one."""
    prev_hash, before = GENESIS, None
    count = 0
    for event in _iter_events(session):
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
