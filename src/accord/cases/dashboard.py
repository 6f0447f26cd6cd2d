"""The supervisor's dashboard: what waits, what is at risk, how fast and by whom cases are decided."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.cases import config, queues
from accord.cases.models import Case, Decision
from accord.clock import Clock


def dashboard(session: Session, clock: Clock, provider_id: str) -> dict[str, Any]:
    """Pending per queue, the oldest waiting case, removal orders at risk, decision times and counts."""
    queues.triage_pending(session, clock, provider_id)
    now = clock.now()
    oldest = session.scalar(select(Case).where(Case.provider_id == provider_id, Case.state == "open")
                            .order_by(Case.created_at).limit(1))
    return {
        "now": now,
        "pending": _pending(session, clock, provider_id),
        "oldest_waiting": None if oldest is None else {
            "case_id": oldest.id, "since": oldest.created_at,
            "seconds": int((now - oldest.created_at).total_seconds())},
        "removal_orders_at_risk": _at_risk(session, clock, provider_id),
        "median_seconds_to_decision": _median_seconds(session, provider_id),
        "decisions_per_reviewer": _per_reviewer(session, provider_id),
        "automated": _automated_split(session, provider_id),
    }


def _pending(session: Session, clock: Clock, provider_id: str) -> list[dict[str, Any]]:
    counts = {queue_id: n for queue_id, n in session.execute(select(Case.queue_id, func.count(Case.id)).where(
        Case.provider_id == provider_id, Case.state == "open").group_by(Case.queue_id))}
    return [{"queue_id": q.id, "name": q.name, "kind": q.kind, "pending": counts.get(q.id, 0)}
            for q in queues.list_queues(session, clock, provider_id)]


def _at_risk(session: Session, clock: Clock, provider_id: str) -> list[dict[str, Any]]:
    """Open cases with a binding deadline inside the risk window, or already past it (a breach)."""
    minutes = config.review_settings(session, provider_id)["breach_risk_minutes"]
    now = clock.now()
    query = select(Case).where(Case.provider_id == provider_id, Case.state == "open",
                               Case.deadline_at.is_not(None), Case.deadline_at <= now + timedelta(minutes=minutes))
    out = []
    for case in session.scalars(query.order_by(Case.deadline_at)):
        assert case.deadline_at is not None  # filtered above
        left = int((case.deadline_at - now).total_seconds())
        out.append({"case_id": case.id, "deadline_at": case.deadline_at, "seconds_left": left,
                    "breach": left < 0, "claimed_by": case.claimed_by})
    return out


def _median_seconds(session: Session, provider_id: str) -> float | None:
    rows = session.execute(select(Case.created_at, Case.decided_at).where(
        Case.provider_id == provider_id, Case.decided_at.is_not(None)))
    durations = [(decided - created).total_seconds() for created, decided in rows if decided is not None]
    return statistics.median(durations) if durations else None


def _per_reviewer(session: Session, provider_id: str) -> list[dict[str, Any]]:
    rows = session.execute(select(Decision.reviewer, func.count(Decision.id)).where(
        Decision.provider_id == provider_id).group_by(Decision.reviewer).order_by(Decision.reviewer))
    return [{"reviewer": reviewer, "decisions": n} for reviewer, n in rows]


def _automated_split(session: Session, provider_id: str) -> dict[str, int]:
    rows = {flag: n for flag, n in session.execute(select(Decision.automated_decision, func.count(Decision.id))
                                                   .where(Decision.provider_id == provider_id)
                                                   .group_by(Decision.automated_decision))}
    return {"automated": rows.get(True, 0), "manual": rows.get(False, 0)}
