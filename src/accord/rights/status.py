"""The status page a capability link opens, without a login: what the person raised, the decision, its reasons,
the redress open to them, and whether they may complain here.

One token opens one page: a complaint (``StatusLink`` about a complaint), a public notifier's report (about a
notice, with the decision on it) or an uploader's user notice (the token of ``UserNotice``). Any other token is
``NotFound``, whatever the reason, so a guess learns nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.errors import Conflict, NotFound
from accord.notices.models import Notice
from accord.rights import complaints, delivery, user_notices
from accord.rights.complaints import Complainant, Filed
from accord.rights.decisions import Decision, find_decision, orders_executed
from accord.rights.models import Complaint, StatusLink, UserNotice
from accord.settings import Settings


@dataclass(frozen=True)
class StatusView:
    """Everything the page shows, also served as JSON."""

    about: str  # complaint, notice (a public report) or user_notice
    heading: str
    raised: dict[str, Any]
    decision: dict[str, Any] | None
    complaint: dict[str, Any] | None
    redress: list[str]
    may_complain: bool
    refusal: str | None = None
    complaints: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def view(session: Session, clock: Clock, token: str) -> StatusView:
    """The status a token opens; ``NotFound`` for any token that opens nothing."""
    link = delivery.link_by_token(session, token)
    if link is not None and link.about == "complaint":
        return _complaint_view(session, link)
    if link is not None and link.about == "notice":
        return _report_view(session, clock, link)
    return _user_notice_view(session, clock, user_notices.by_token(session, token))


def file(session: Session, clock: Clock, settings: Settings, *, token: str, statement: str,
         contact: str | None) -> Filed:
    """File a complaint from the page: a notifier about the decision on their report, an uploader about theirs."""
    link = delivery.link_by_token(session, token)
    if link is not None and link.about == "complaint":
        raise Conflict("this link follows a complaint already filed", field="token")
    if link is not None:
        return complaints.file_from_report(session, clock, settings, token=token, statement=statement,
                                           contact=contact)
    return complaints.file_from_notice(session, clock, settings, token=token, statement=statement, contact=contact)


def _decision(decision: Decision) -> dict[str, Any]:
    return {"id": decision.id, "at": decision.at.isoformat(), "action": decision.action,
            "in_words": f"The provider {delivery.action_phrase(decision.action)}.",
            "reasons": delivery.decision_reasons(decision), "automated": delivery.automated_sentence(decision)}


def _complaint(complaint: Complaint) -> dict[str, Any]:
    decided = complaint.decided_at.isoformat() if complaint.decided_at else None
    return {"id": complaint.id, "by": complaint.by, "statement": complaint.statement, "state": complaint.state,
            "filed_at": complaint.filed_at.isoformat(), "deadline_at": complaint.deadline_at.isoformat(),
            "outcome": complaint.outcome, "reasons": complaint.reasons, "decided_at": decided}


def _complaint_view(session: Session, link: StatusLink) -> StatusView:
    complaint = session.get(Complaint, link.subject_id)
    if complaint is None:
        raise NotFound("this link is not valid")
    decision = find_decision(session, complaint.decision_id)
    redress = ([delivery.OUT_OF_COURT, delivery.COURTS] if complaint.state == "decided" else
               [f"we answer by {complaint.deadline_at:%d %B %Y}, with reasons (TCO Art. 10(2), DSA Art. 20(5))",
                delivery.OUT_OF_COURT, delivery.COURTS])
    return StatusView("complaint", "Your complaint", {"statement": complaint.statement}, _decision(decision),
                      _complaint(complaint), redress, may_complain=False)


def _report_view(session: Session, clock: Clock, link: StatusLink) -> StatusView:
    notice = session.get(Notice, link.subject_id)
    if notice is None or link.decision_id is None:
        raise NotFound("this link is not valid")
    decision = find_decision(session, link.decision_id)
    refusal = _refusal(session, clock, decision, Complainant("notifier", notice_id=notice.id))
    raised = {"urls": list(notice.urls), "reasons": str(notice.details.get("reasons") or ""),
              "received_at": notice.created_at.isoformat()}
    return StatusView("notice", "Your report", raised, _decision(decision), None,
                      delivery.notifier_redress(decision), may_complain=refusal is None, refusal=refusal)


def _user_notice_view(session: Session, clock: Clock, notice: UserNotice) -> StatusView:
    try:
        decision: Decision | None = find_decision(session, notice.decision_id)
    except NotFound:
        decision = None  # a notice issued through the API for a decision the audit trail does not know
    refusal = _refusal(session, clock, decision, Complainant("uploader")) if decision else None
    orders = orders_executed(session, decision) if decision else []
    redress = ([o.sentence() for o in orders] if orders else
               ["complain to the provider, free of charge, through this page (TCO Art. 10, DSA Art. 20)",
                delivery.OUT_OF_COURT, delivery.COURTS])
    filed = session.scalars(select(Complaint).where(Complaint.decision_id == notice.decision_id,
                                                    Complaint.by == "uploader").order_by(Complaint.filed_at))
    return StatusView("user_notice", "About your content", {"text": notice.text},
                      _decision(decision) if decision else None, None, redress, may_complain=refusal is None,
                      refusal=refusal, complaints=[_complaint(c) for c in filed])


def _refusal(session: Session, clock: Clock, decision: Decision, complainant: Complainant) -> str | None:
    if clock.now() - decision.at > complaints.FILE_WITHIN:
        return "complaints are accepted for six months after the decision"
    error = complaints.standing_refusal(session, decision, complainant)
    return error.detail if error is not None else None
