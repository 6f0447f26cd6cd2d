"""The one-hour clock of removal orders (TCO Art. 3(3)): escalations at 15, 30 and 45 minutes without an
outcome, and a breach once the hour has passed. Run by the worker as a periodic duty; idempotent, so two
workers or a late run never escalate twice nor breach twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import is_postgres
from accord.jobs.webhooks import emit
from accord.notices.models import Notice
from accord.notices.service import OPEN_STATUSES, drill_mark, mark_breach

ESCALATION_MINUTES = (15, 30, 45)


def _running(session: Session, clock: Clock) -> list[Notice]:
    """Open orders whose window began at least 15 minutes ago (nothing is due before that)."""
    started_before = clock.now() - timedelta(minutes=ESCALATION_MINUTES[0])
    query = select(Notice).where(Notice.binding.is_(True), Notice.status.in_(OPEN_STATUSES),
                                 Notice.window_started_at <= started_before).order_by(Notice.deadline_at)
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _escalate(session: Session, clock: Clock, notice: Notice) -> int:
    assert notice.window_started_at is not None  # a running order has a window
    elapsed = clock.now() - notice.window_started_at
    due = [m for m in ESCALATION_MINUTES if elapsed >= timedelta(minutes=m) and m not in notice.escalated]
    for minutes in due:
        record(session, clock, Actor.system(), Event.NOTICES_NOTICE_ESCALATE, subject=notice.id,
               org_id=notice.provider_id,
               payload={"minutes": minutes, "provider_id": notice.provider_id, **drill_mark(notice)})
        emit(session, clock, org_id=notice.provider_id, event="notice.escalation",
             data={"notice_id": notice.id, "minutes": minutes, "reference": notice.reference,
                   "deadline_at": notice.deadline_at.isoformat() if notice.deadline_at else None,
                   **drill_mark(notice)})
    if due:
        notice.escalated = sorted({*notice.escalated, *due})
    return len(due)


def check_deadlines(session: Session, clock: Clock) -> int:
    """Escalate and breach what is due now; returns how many escalations and breaches were recorded."""
    handled = 0
    for notice in _running(session, clock):
        handled += _escalate(session, clock, notice)
        if notice.deadline_at is not None and clock.now() > notice.deadline_at and notice.breached_at is None:
            mark_breach(session, clock, notice)
            handled += 1
    session.flush()
    return handled
