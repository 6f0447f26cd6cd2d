"""The clocks of evidence orders, run by the worker: escalations and breaches of production time limits
(Art. 10: 10 days, 8 hours in an emergency), the end of preservation (Art. 11: 60 days, +30), the lapse of the
enforcing authority's 10 days (after which production proceeds, Art. 10(2)), overdue ex-post validations
(Art. 4(5): 96 hours) and the purge of sealed packages. Idempotent: a late or doubled run changes nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.db import is_postgres
from accord.evidence.models import EvidenceOrder, EvidencePackage
from accord.evidence.service import _facts, _iso, purge_package
from accord.jobs.webhooks import emit

# Escalate when this share of the window has passed without an answer (as removal orders do at 15/30/45 of 60
# minutes): for 10 days at 5, 8 and 9.5 days; for 8 hours at 4 h, 6 h 24 and 7 h 36.
ESCALATION_PERCENT = (50, 80, 95)


def _orders(session: Session, *conditions: object) -> list[EvidenceOrder]:
    query = select(EvidenceOrder).where(*conditions).order_by(EvidenceOrder.deadline_at)  # type: ignore[arg-type]
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _escalate(session: Session, clock: Clock, order: EvidenceOrder, now: datetime) -> int:
    assert order.deadline_at is not None
    start, end = as_utc(order.window_started_at), as_utc(order.deadline_at)
    share = (now - start) / (end - start) * 100
    due = [p for p in ESCALATION_PERCENT if share >= p and p not in order.escalated]
    for percent in due:
        record(session, clock, Actor.system(), Event.EVIDENCE_ORDER_ESCALATE, subject=order.id,
               org_id=order.provider_id,
               payload={**_facts(order), "percent": percent, "deadline_at": _iso(order.deadline_at)})
        emit(session, clock, org_id=order.provider_id, event="evidence.escalation",
             data={"order_id": order.id, "percent": percent, "emergency": order.emergency,
                   "deadline_at": _iso(order.deadline_at)})
    if due:
        order.escalated = sorted({*order.escalated, *due})
    return len(due)


def _breach(session: Session, clock: Clock, order: EvidenceOrder, now: datetime) -> int:
    assert order.deadline_at is not None
    if now <= as_utc(order.deadline_at) or order.breached_at is not None:
        return 0
    order.breached_at = now
    order.breach_seconds = int((now - as_utc(order.deadline_at)).total_seconds())
    record(session, clock, Actor.system(), Event.EVIDENCE_ORDER_BREACH, subject=order.id, org_id=order.provider_id,
           payload={**_facts(order), "seconds_late": order.breach_seconds})
    for org_id in (order.provider_id, order.issuer_id):
        emit(session, clock, org_id=org_id, event="evidence.breach",
             data={"order_id": order.id, "seconds_late": order.breach_seconds})
    return 1


def check_production(session: Session, clock: Clock) -> int:
    now, handled = clock.now(), 0
    for order in _orders(session, EvidenceOrder.kind == "production", EvidenceOrder.status == "received"):
        handled += _escalate(session, clock, order, now) + _breach(session, clock, order, now)
    return handled


def expire_preservation(session: Session, clock: Clock) -> int:
    """Art. 11(1): the obligation to preserve ceases after 60 days (90 if extended)."""
    now, handled = clock.now(), 0
    for order in _orders(session, EvidenceOrder.kind == "preservation",
                         EvidenceOrder.status.in_(("received", "preserved")), EvidenceOrder.preserve_until < now):
        order.status = "expired"
        order.history = [*order.history, {"what": "expired", "at": _iso(now)}]
        record(session, clock, Actor.system(), Event.EVIDENCE_ORDER_EXPIRE, subject=order.id, org_id=order.provider_id,
               payload={**_facts(order), "preserve_until": _iso(order.preserve_until), "extensions": order.extensions})
        emit(session, clock, org_id=order.provider_id, event="evidence.expired", data={"order_id": order.id})
        handled += 1
    return handled


def lapse_notifications(session: Session, clock: Clock) -> int:
    """Art. 10(2): the enforcing authority raised no ground within 10 days; the provider now transmits."""
    now, handled = clock.now(), 0
    for order in _orders(session, EvidenceOrder.kind == "production", EvidenceOrder.status == "received"):
        note = order.notification
        if not note.get("required") or note.get("answer") is not None or note.get("lapsed_at"):
            continue
        if now <= datetime.fromisoformat(note["answer_due_at"]):
            continue
        order.notification = {**note, "lapsed_at": _iso(now)}
        record(session, clock, Actor.system(), Event.EVIDENCE_NOTIFICATION_LAPSE, subject=order.id,
               org_id=order.issuer_id, payload=_facts(order))
        emit(session, clock, org_id=order.provider_id, event="evidence.may_produce", data={"order_id": order.id})
        handled += 1
    return handled


def overdue_validations(session: Session, clock: Clock) -> int:
    """Art. 4(5): an emergency order issued without validation and not validated within 96 hours."""
    now, handled = clock.now(), 0
    for order in _orders(session, EvidenceOrder.status.in_(("received", "produced", "preserved"))):
        check = order.validation
        if not check.get("required") or "granted" in check or check.get("overdue_at"):
            continue
        if now <= datetime.fromisoformat(check["due_at"]):
            continue
        order.validation = {**check, "overdue_at": _iso(now)}
        record(session, clock, Actor.system(), Event.EVIDENCE_ORDER_VALIDATION_OVERDUE, subject=order.id,
               org_id=order.issuer_id, payload=_facts(order))
        emit(session, clock, org_id=order.issuer_id, event="evidence.validation_overdue",
             data={"order_id": order.id})
        handled += 1
    return handled


def purge_packages(session: Session, clock: Clock) -> int:
    query = select(EvidencePackage).where(EvidencePackage.purged_at.is_(None),
                                          EvidencePackage.purge_at <= clock.now())
    return sum(purge_package(session, clock, p, reason="retention") for p in session.scalars(query))


def run_all(session: Session, clock: Clock) -> int:
    handled = (check_production(session, clock) + expire_preservation(session, clock)
               + lapse_notifications(session, clock) + overdue_validations(session, clock)
               + purge_packages(session, clock))
    session.flush()
    return handled
