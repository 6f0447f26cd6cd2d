"""Complaints against decisions (TCO Art. 10, DSA Art. 20).

The uploader contests a restriction; the notifier contests a ``no_action`` (or a mere restriction). The
provider answers within two weeks: it keeps its decision (``upheld``, reasons mandatory) or reverses it, which
reinstates the content from the preservation store, tells the issuer of the notices behind the decision, and is
counted in the reports. Only a human reviewer decides (TCO Art. 10(1) needs a review, DSA Art. 20(6) human
staff). The complainant receives a link to follow the complaint and, once decided, the reasoned decision
(``rights.delivery``).

A removal that executed a removal order is not the provider's to review: the uploader contests the order before
the courts of the issuing Member State (TCO Art. 9(2)), so such a complaint is refused with the order's redress
(``ContestBeforeCourts``). Removals under the provider's own terms and Art. 5 specific measures stay open to
complaint (Art. 10(1)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.db import get_owned, new_id
from accord.errors import Conflict, ContestBeforeCourts, DomainError, InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Member
from accord.jobs import webhooks
from accord.rights import delivery, reinstatement, user_notices
from accord.rights.decisions import (
    RESTRICTING_ACTIONS,
    Decision,
    find_decision,
    notice_issuers,
    orders_executed,
)
from accord.rights.models import Complaint
from accord.settings import Settings

ANSWER_WITHIN: Final = timedelta(days=14)  # TCO Art. 10(2): "within two weeks"
FILE_WITHIN: Final = timedelta(days=183)  # DSA Art. 20(1): at least six months after the decision
REVIEWER_ROLES: Final = ("admin", "reviewer")
NOTIFIER_CONTESTS: Final = ("no_action", "restrict")  # DSA Art. 20(1)(a): whether or not to act, or how little


@dataclass(frozen=True)
class Complainant:
    """Who complains: the uploader (through the provider or the notice's link) or a notifier organisation."""

    by: str
    org_id: str | None = None
    contact: str | None = None
    notice_id: str | None = None  # a public notifier's report, proven by the status link they hold


@dataclass(frozen=True)
class Filed:
    """A complaint just filed, with the token of the link that follows it (shown once, never stored)."""

    complaint: Complaint
    status_token: str


def file_complaint(
    session: Session, clock: Clock, actor: Actor, *, provider_id: str, decision_id: str,
    complainant: Complainant, statement: str,
) -> Complaint:
    """Open a complaint against a decision; it must be answered within two weeks."""
    decision = find_decision(session, decision_id, provider_id=provider_id)
    _check_standing(session, decision, complainant)
    now = clock.now()
    if now - decision.at > FILE_WITHIN:
        raise Conflict("complaints are accepted for six months after the decision", field="decision_id")
    if not statement.strip():
        raise InvalidInput("say why the decision is wrong", field="statement")
    complaint = Complaint(
        id=new_id("cmp"), provider_id=provider_id, decision_id=decision_id, by=complainant.by,
        filed_by_org_id=complainant.org_id, statement=statement.strip(), contact=complainant.contact,
        state="pending", filed_at=now, deadline_at=now + ANSWER_WITHIN,
    )
    session.add(complaint)
    session.flush()
    record(session, clock, actor, Event.RIGHTS_COMPLAINT_FILE, subject=complaint.id, org_id=provider_id,
           payload={"decision_id": decision_id, "provider_id": provider_id, "by": complainant.by,
                    "filed_by_org_id": complainant.org_id, "deadline_at": complaint.deadline_at.isoformat()})
    return complaint


def _check_standing(session: Session, decision: Decision, complainant: Complainant) -> None:
    if complainant.by == "uploader":
        _check_uploader(session, decision)
        return
    if complainant.by != "notifier":
        raise InvalidInput("a complaint is by the uploader or the notifier", field="by")
    if decision.action not in NOTIFIER_CONTESTS:
        raise Conflict("a notifier contests only a decision to take no action or only to restrict",
                       field="decision_id")
    linked = complainant.notice_id is not None and complainant.notice_id in decision.notice_ids
    if not linked and complainant.org_id not in notice_issuers(session, decision.notice_ids):
        raise NotFound(f"no decision {decision.id!r}")


def _check_uploader(session: Session, decision: Decision) -> None:
    if decision.action not in RESTRICTING_ACTIONS:
        raise Conflict("nothing was restricted, so the uploader has nothing to contest", field="decision_id")
    orders = orders_executed(session, decision)
    if orders:
        raise ContestBeforeCourts(
            "this removal executed a removal order; it is contested before the courts of the issuing Member State"
            f" (TCO Art. 9), not by a complaint to the provider: {'; '.join(o.sentence() for o in orders)}",
            field="decision_id", contest_under="TCO Art. 9", redress=[o.as_dict() for o in orders])


def standing_refusal(session: Session, decision: Decision, complainant: Complainant) -> DomainError | None:
    """Why ``complainant`` may not complain about ``decision`` (None: they may), for pages that offer the form."""
    try:
        _check_standing(session, decision, complainant)
    except DomainError as exc:
        return exc
    return None


def decide_complaint(
    session: Session, clock: Clock, settings: Settings, actor: Actor, *, provider_id: str, complaint_id: str,
    outcome: str, reasons: str, reviewer_id: str | None,
) -> Complaint:
    """A human reviewer keeps (``upheld``) or reverses the decision, always with reasons."""
    complaint = get_complaint(session, provider_id=provider_id, complaint_id=complaint_id)
    if complaint.state != "pending":
        raise Conflict("this complaint was decided already", field="complaint_id")
    if outcome not in ("upheld", "reversed"):
        raise InvalidInput("the outcome is 'upheld' or 'reversed'", field="outcome")
    if not reasons.strip():
        raise InvalidInput("a complaint's outcome needs its reasons (TCO Art. 10(2))", field="reasons")
    _check_reviewer(session, provider_id, reviewer_id)
    now = clock.now()
    complaint.state, complaint.outcome, complaint.reasons = "decided", outcome, reasons.strip()
    complaint.reviewer_id, complaint.decided_at = reviewer_id, now
    session.flush()
    _record_decision(session, clock, actor, complaint)
    if outcome == "reversed":
        _reverse(session, clock, settings, actor, complaint)
    delivery.inform_complainant(session, clock, settings, actor, complaint)
    return complaint


def _check_reviewer(session: Session, provider_id: str, reviewer_id: str | None) -> None:
    member = session.get(Member, reviewer_id) if reviewer_id else None
    if member is None or member.org_id != provider_id or not member.active or member.role not in REVIEWER_ROLES:
        raise PermissionDenied("a complaint is decided by a human reviewer of the provider", field="reviewer_id")


def _record_decision(session: Session, clock: Clock, actor: Actor, complaint: Complaint) -> None:
    assert complaint.decided_at is not None  # set by the caller
    seconds = int((as_utc(complaint.decided_at) - as_utc(complaint.filed_at)).total_seconds())
    record(session, clock, actor, Event.RIGHTS_COMPLAINT_DECIDE, subject=complaint.id, org_id=complaint.provider_id,
           payload={"decision_id": complaint.decision_id, "provider_id": complaint.provider_id,
                    "outcome": complaint.outcome, "seconds_to_decide": seconds, "by": complaint.by,
                    "breach": is_overdue(complaint, as_utc(complaint.decided_at))})


def _reverse(session: Session, clock: Clock, settings: Settings, actor: Actor, complaint: Complaint) -> None:
    """Reinstate the content (uploader) and tell the issuers of the notices behind the decision."""
    decision = find_decision(session, complaint.decision_id)
    if complaint.by == "uploader":
        reinstatement.reinstate(session, clock, settings, actor, provider_id=complaint.provider_id,
                                decision_id=complaint.decision_id, reason="complaint")
    data = {"complaint_id": complaint.id, "decision_id": complaint.decision_id,
            "provider_id": complaint.provider_id, "reasons": complaint.reasons}
    for issuer in sorted(notice_issuers(session, decision.notice_ids)):
        webhooks.emit(session, clock, org_id=issuer, event="complaint.reversed", data=data)


def is_overdue(complaint: Complaint, now: datetime) -> bool:
    """Past the two weeks without an answer (or answered after them)."""
    answered = as_utc(complaint.decided_at) if complaint.decided_at else now
    return answered > as_utc(complaint.deadline_at)


def get_complaint(session: Session, *, provider_id: str, complaint_id: str) -> Complaint:
    """The provider's complaint; another organisation's is ``NotFound``."""
    return get_owned(session, Complaint, complaint_id, provider_id, what="complaint", by="provider_id")


def queue(session: Session, *, provider_id: str, state: str | None = "pending") -> list[Complaint]:
    """The provider's complaints, the nearest deadline first."""
    query = select(Complaint).where(Complaint.provider_id == provider_id)
    if state:
        query = query.where(Complaint.state == state)
    return list(session.scalars(query.order_by(Complaint.deadline_at, Complaint.id)))


def filed_by(session: Session, *, org_id: str) -> list[Complaint]:
    """Complaints a notifier organisation filed, newest first."""
    query = select(Complaint).where(Complaint.filed_by_org_id == org_id)
    return list(session.scalars(query.order_by(Complaint.filed_at.desc())))


def visible_to(session: Session, *, org_id: str, state: str | None = None) -> list[Complaint]:
    """A provider sees its queue; a notifier organisation sees the complaints it filed."""
    own = queue(session, provider_id=org_id, state=state)
    filed = [c for c in filed_by(session, org_id=org_id) if state is None or c.state == state]
    return own or filed


def get_visible(session: Session, *, org_id: str, complaint_id: str) -> Complaint:
    """One complaint, for its provider or the notifier that filed it; ``NotFound`` for anyone else."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None or org_id not in (complaint.provider_id, complaint.filed_by_org_id):
        raise NotFound(f"no complaint {complaint_id!r}")
    return complaint


def file_as(
    session: Session, clock: Clock, settings: Settings, actor: Actor, *, org_id: str, decision_id: str, by: str,
    statement: str, contact: str | None,
) -> Filed:
    """File through the API: a provider on its uploader's behalf, or a notifier organisation for itself."""
    if by == "uploader":
        complaint = file_complaint(session, clock, actor, provider_id=org_id, decision_id=decision_id,
                                   complainant=Complainant("uploader", contact=contact), statement=statement)
    else:
        provider_id = find_decision(session, decision_id).provider_id
        complaint = file_complaint(session, clock, actor, provider_id=provider_id, decision_id=decision_id,
                                   complainant=Complainant("notifier", org_id=org_id, contact=contact),
                                   statement=statement)
    return Filed(complaint, delivery.acknowledge_complaint(session, clock, settings, complaint))


PUBLIC = Actor("public:notice-link", None)


def file_from_notice(session: Session, clock: Clock, settings: Settings, *, token: str, statement: str,
                     contact: str | None) -> Filed:
    """The uploader contests through the link in their user notice; the token opens only that notice."""
    notice = user_notices.by_token(session, token)
    complaint = file_complaint(session, clock, PUBLIC, provider_id=notice.provider_id,
                               decision_id=notice.decision_id,
                               complainant=Complainant("uploader", contact=contact or notice.uploader_contact),
                               statement=statement)
    return Filed(complaint, delivery.acknowledge_complaint(session, clock, settings, complaint))


def file_from_report(session: Session, clock: Clock, settings: Settings, *, token: str, statement: str,
                     contact: str | None) -> Filed:
    """A public notifier contests the decision on their report through its status link (DSA Art. 20(1))."""
    link = delivery.link_by_token(session, token)
    if link is None or link.about != "notice" or link.decision_id is None:
        raise NotFound("this link is not valid")
    complainant = Complainant("notifier", contact=contact or link.contact, notice_id=link.subject_id)
    complaint = file_complaint(session, clock, PUBLIC, provider_id=link.provider_id, decision_id=link.decision_id,
                               complainant=complainant, statement=statement)
    return Filed(complaint, delivery.acknowledge_complaint(session, clock, settings, complaint))
