"""Exposure to terrorist content (TCO Art. 5(4)-(7)).

The competent authority of the Member State where a provider is established may decide, on objective factors
such as the provider having received two or more final removal orders in the previous 12 months, that the
provider is exposed (Art. 5(4)). The provider then reports the specific measures it took and intends to take
within three months of the decision and yearly after that (Art. 5(5)); when the measures fall short the authority
requires the necessary measures by a further decision (Art. 5(6)). The provider may at any time ask for a review;
the authority decides within three months (Art. 5(7)), and a revocation ends the reporting duty.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.authorities.models import ExposureDecision
from accord.clock import Clock, as_utc
from accord.db import new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.jobs.webhooks import emit
from accord.notices.models import Notice

FINAL_ORDERS_WINDOW: Final = timedelta(days=365)
FINAL_ORDERS_THRESHOLD: Final = 2
FIRST_REPORT_MONTHS: Final = 3
REVIEW_MONTHS: Final = 3
REVIEW_OUTCOMES: Final = ("maintained", "amended", "revoked")


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later, or the month's last day when it has fewer (31 May + 3 months: 31 August;
    30 November + 3 months: 28 or 29 February)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReportDue:
    next_due: datetime | None  # None once the decision is revoked
    overdue: bool


def final_orders(session: Session, clock: Clock, provider_id: str) -> list[str]:
    """The provider's removal orders that became final in the 12 months before now."""
    since = clock.now() - FINAL_ORDERS_WINDOW
    return list(session.scalars(select(Notice.id).where(
        Notice.provider_id == provider_id, Notice.kind == "removal_order", Notice.drill.is_(False),
        Notice.final_at.is_not(None),
        Notice.final_at >= since).order_by(Notice.final_at)))


def host_provider(session: Session, principal: Principal, provider_id: str) -> Organisation:
    """The provider, when the acting authority is the one of the Member State where it is established."""
    principal.require_kind("authority")
    provider = session.get(Organisation, provider_id)
    authority = session.get(Organisation, principal.org_id)
    if provider is None or provider.kind != "provider":
        raise NotFound(f"no provider {provider_id!r}")
    if authority is None or not provider.country or authority.country != provider.country:
        raise PermissionDenied("only the authority of the Member State where the provider is established has "
                               "jurisdiction (TCO Art. 16(1): Art. 5 exposure, Art. 18 penalties)")
    return provider


def decide_exposure(session: Session, clock: Clock, principal: Principal, *, provider_id: str, reasons: str,
                    other_factors: str = "") -> ExposureDecision:
    """Art. 5(4): find the provider exposed, on its final orders of the last 12 months or other objective factors."""
    provider = host_provider(session, principal, provider_id)
    finals = final_orders(session, clock, provider.id)
    if len(finals) < FINAL_ORDERS_THRESHOLD and not other_factors.strip():
        raise Conflict(f"the provider has {len(finals)} final removal order(s) in the last 12 months; an exposure "
                       "decision needs two or more, or other objective factors stated", field="provider_id")
    if not reasons.strip():
        raise InvalidInput("an exposure decision states its reasons", field="reasons")
    text = reasons.strip() + (f"\nOther objective factors: {other_factors.strip()}" if other_factors.strip() else "")
    decision = ExposureDecision(id=new_id("exp"), authority_id=principal.org_id, provider_id=provider.id,
                                final_order_ids=finals, reasons=text, decided_at=clock.now(), state="active",
                                reports=[], requirements=[], review={})
    session.add(decision)
    _audit(session, clock, principal, Event.AUTHORITIES_EXPOSURE_DECIDE, decision, final_orders=len(finals))
    _tell(session, clock, decision, "exposure.decided")
    return decision


def report_due(decision: ExposureDecision, now: datetime) -> ReportDue:
    """Three months after the decision, then yearly: each report meets the next due date."""
    if decision.state != "active":
        return ReportDue(None, False)
    due = add_months(as_utc(decision.decided_at), FIRST_REPORT_MONTHS + 12 * len(decision.reports))
    return ReportDue(due, now > due)


def submit_report(session: Session, clock: Clock, principal: Principal, decision_id: str, *,
                  measures: str) -> ExposureDecision:
    """Art. 5(5): the provider reports the specific measures it took and intends to take."""
    decision = _for_provider(session, principal, decision_id)
    if decision.state != "active":
        raise Conflict("the exposure decision was revoked; no report is due", field="state")
    if not measures.strip():
        raise InvalidInput("describe the specific measures taken and intended", field="measures")
    due = report_due(decision, clock.now())
    decision.reports = [*decision.reports, {"at": clock.now().isoformat(), "measures": measures.strip(),
                                            "due": due.next_due.isoformat() if due.next_due else None,
                                            "late": due.overdue}]
    _audit(session, clock, principal, Event.AUTHORITIES_EXPOSURE_REPORT, decision, late=due.overdue)
    _tell(session, clock, decision, "exposure.reported")
    return decision


def require_measures(session: Session, clock: Clock, principal: Principal, decision_id: str, *,
                     text: str) -> ExposureDecision:
    """Art. 5(6): the measures reported fall short; the authority requires the necessary measures."""
    decision = _for_authority(session, principal, decision_id)
    if decision.state != "active":
        raise Conflict("the exposure decision was revoked", field="state")
    if not text.strip():
        raise InvalidInput("say what the provider must do and why", field="text")
    decision.requirements = [*decision.requirements, {"at": clock.now().isoformat(), "text": text.strip()}]
    _audit(session, clock, principal, Event.AUTHORITIES_EXPOSURE_REQUIRE, decision)
    _tell(session, clock, decision, "exposure.measures_required")
    return decision


def request_review(session: Session, clock: Clock, principal: Principal, decision_id: str, *,
                   reason: str) -> ExposureDecision:
    """Art. 5(7): the provider asks the authority to review, amend or revoke; decided within three months."""
    decision = _for_provider(session, principal, decision_id)
    if decision.review and "decided_at" not in decision.review:
        raise Conflict("a review request is pending already", field="review")
    if not reason.strip():
        raise InvalidInput("a review request gives its reasons", field="reason")
    now = clock.now()
    decision.review = {"requested_at": now.isoformat(), "reason": reason.strip(),
                       "decide_by": add_months(now, REVIEW_MONTHS).isoformat()}
    _audit(session, clock, principal, Event.AUTHORITIES_EXPOSURE_REVIEW_REQUEST, decision)
    _tell(session, clock, decision, "exposure.review_requested")
    return decision


def decide_review(session: Session, clock: Clock, principal: Principal, decision_id: str, *, outcome: str,
                  reasons: str) -> ExposureDecision:
    """Art. 5(7): the authority's reasoned decision on the request; ``revoked`` ends the reporting duty."""
    decision = _for_authority(session, principal, decision_id)
    if not decision.review or "decided_at" in decision.review:
        raise Conflict("no review request is pending", field="review")
    if outcome not in REVIEW_OUTCOMES:
        raise InvalidInput(f"outcome is one of {', '.join(REVIEW_OUTCOMES)}", field="outcome")
    if not reasons.strip():
        raise InvalidInput("a review decision states its reasons", field="reasons")
    now = clock.now()
    late = now > datetime.fromisoformat(decision.review["decide_by"])
    decision.review = {**decision.review, "decided_at": now.isoformat(), "outcome": outcome,
                       "reasons": reasons.strip(), "late": late}
    if outcome == "revoked":
        decision.state = "revoked"
    _audit(session, clock, principal, Event.AUTHORITIES_EXPOSURE_REVIEW_DECIDE, decision, outcome=outcome, late=late)
    _tell(session, clock, decision, "exposure.review_decided")
    return decision


def list_decisions(session: Session, principal: Principal) -> list[ExposureDecision]:
    """The decisions an authority took, or those about a provider; newest first."""
    column = ExposureDecision.authority_id if principal.org_kind == "authority" else ExposureDecision.provider_id
    return list(session.scalars(select(ExposureDecision).where(column == principal.org_id)
                                .order_by(ExposureDecision.decided_at.desc())))


def get_decision(session: Session, principal: Principal, decision_id: str) -> ExposureDecision:
    decision = session.get(ExposureDecision, decision_id)
    if decision is None or principal.org_id not in (decision.authority_id, decision.provider_id):
        raise NotFound(f"no exposure decision {decision_id!r}")
    return decision


def count_overdue(session: Session, clock: Clock, authority_id: str) -> int:
    """Active decisions of the authority whose report is overdue."""
    found = session.scalars(select(ExposureDecision).where(ExposureDecision.authority_id == authority_id,
                                                           ExposureDecision.state == "active"))
    return sum(1 for d in found if report_due(d, clock.now()).overdue)


def _for_provider(session: Session, principal: Principal, decision_id: str) -> ExposureDecision:
    decision = get_decision(session, principal, decision_id)
    if decision.provider_id != principal.org_id:
        raise PermissionDenied("only the provider found exposed does this")
    return decision


def _for_authority(session: Session, principal: Principal, decision_id: str) -> ExposureDecision:
    decision = get_decision(session, principal, decision_id)
    if decision.authority_id != principal.org_id:
        raise PermissionDenied("only the authority that took the exposure decision does this")
    return decision


def _audit(session: Session, clock: Clock, principal: Principal, event: Event, decision: ExposureDecision,
           **extra: Any) -> None:
    record(session, clock, principal.actor, event, subject=decision.id,
           payload={"authority_id": decision.authority_id, "provider_id": decision.provider_id, **extra})


def _tell(session: Session, clock: Clock, decision: ExposureDecision, event: str) -> None:
    data = {"exposure_decision_id": decision.id, "provider_id": decision.provider_id, "state": decision.state}
    for org_id in (decision.provider_id, decision.authority_id):
        emit(session, clock, org_id=org_id, event=event, data=data)
