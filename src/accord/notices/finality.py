"""When a removal order becomes final (TCO Art. 3(9)).

An order is final when the period to appeal it ends with no appeal lodged, or when an appeal confirms it. The
period is the order's own redress deadline (Annex I section G, ``redress.deadline_days`` from receipt), or
``ACCORD_REDRESS_DEFAULT_DAYS`` when the order states none. An order whose appeal is pending is not final; an
annulled order, or one the host Member State found to infringe (Art. 4), never becomes final.

When an order becomes final, the issuing authority informs the authority of the Member State where the provider
is established (Art. 3(9), second subparagraph): Accord records ``notices:order:final`` and sends webhook
``notice.final`` to the issuer and to that authority. Final orders are what an exposure decision counts
(Art. 5(4)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.jobs.webhooks import emit
from accord.notices.models import Notice
from accord.settings import Settings

BASES = ("redress_period_expired", "confirmed_on_appeal")


@dataclass(frozen=True)
class Finality:
    """What a reader needs: when the order became final, or when it will if nobody appeals."""

    final_at: datetime | None
    redress_deadline: datetime | None
    appeal_pending: bool
    state: str  # final | appeal_pending | appealable | void | not_an_order


def redress_deadline(notice: Notice, settings: Settings) -> datetime | None:
    """Receipt plus the order's redress period (the configured default when the order gives none)."""
    if notice.kind != "removal_order" or notice.received_at is None:
        return None
    days = (notice.details.get("redress") or {}).get("deadline_days")
    if not isinstance(days, int) or days <= 0:
        days = settings.redress_default_days
    return as_utc(notice.received_at) + timedelta(days=days)


def finality(notice: Notice, settings: Settings, *, appeal_pending: bool) -> Finality:
    """The order's finality as of its stored facts (``final_at`` is set by ``finalise``)."""
    deadline = redress_deadline(notice, settings)
    if deadline is None:
        return Finality(None, None, False, "not_an_order")
    if notice.final_at is not None:
        return Finality(as_utc(notice.final_at), deadline, False, "final")
    if notice.status == "voided":
        return Finality(None, deadline, appeal_pending, "void")
    return Finality(None, deadline, appeal_pending, "appeal_pending" if appeal_pending else "appealable")


def finalise(session: Session, clock: Clock, notice: Notice, *, at: datetime, basis: str) -> None:
    """Record that the order became final at ``at`` and tell the issuer and the host Member State's authority."""
    if notice.final_at is not None:
        return
    notice.final_at = at
    authority = notice.host_authority_id or notice.issuer_id
    record(session, clock, Actor.system(), Event.NOTICES_ORDER_FINAL, subject=notice.id, org_id=notice.provider_id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id, "host_authority_id": authority,
                    "final_at": at.isoformat(), "basis": basis})
    data = {"notice_id": notice.id, "reference": notice.reference, "provider_id": notice.provider_id,
            "final_at": at.isoformat(), "basis": basis}
    for org_id in dict.fromkeys(o for o in (notice.issuer_id, authority) if o):
        emit(session, clock, org_id=org_id, event="notice.final", data=data)


def finalise_due(session: Session, clock: Clock, settings: Settings, *, pending_appeals: set[str]) -> int:
    """Every order whose redress period has run out without an appeal becomes final; returns how many."""
    now = clock.now()
    query = select(Notice).where(Notice.kind == "removal_order", Notice.final_at.is_(None),
                                 Notice.received_at.is_not(None), Notice.status != "voided")
    done = 0
    for notice in session.scalars(query):
        deadline = redress_deadline(notice, settings)
        if deadline is not None and deadline <= now and notice.id not in pending_appeals:
            finalise(session, clock, notice, at=deadline, basis="redress_period_expired")
            done += 1
    session.flush()
    return done
