"""Outcomes reach people: the complainant, the public notifier and the uploader are told, by e-mail and on a
status page reached by a capability link.

- A complainant receives the reasoned decision on their complaint and the further redress open to them
  (TCO Art. 10(2), DSA Art. 20(5)); on filing they receive the link that follows the complaint.
- A member of the public who reported content (DSA Art. 16) receives the decision on their notice, whether
  automated means were used, and the redress open to them (Art. 16(5)-(6)), including a complaint (Art. 20
  covers notifiers).
- The uploader's user notice (TCO Art. 11, DSA Art. 17) goes by e-mail when its contact is an address.

Every message carries its own link (``/status/<token>``): a fresh unguessable token whose SHA-256 alone is
stored (``StatusLink``). E-mail is queued in the caller's transaction and sent by a worker (``accord.mail``).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord import mail
from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import new_id
from accord.notices.models import Notice
from accord.rights.decisions import Decision, find_decision
from accord.rights.models import Complaint, StatusLink, UserNotice
from accord.settings import Settings

STATUS_PATH: Final = "/status/"
COMPLAIN_WITHIN: Final = "six months"
OUT_OF_COURT: Final = ("refer the dispute to a certified out-of-court dispute settlement body (DSA Art. 21); the"
                       " provider pays its fees if it loses")
COURTS: Final = "bring the matter before the competent courts under national law"
_ACTIONS: Final = {"remove": "removed the content", "disable": "disabled access to the content",
                   "restrict": "restricted the content", "no_action": "took no action on the content"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def status_url(settings: Settings, token: str) -> str:
    return settings.public_base_url.rstrip("/") + STATUS_PATH + token


def mint(session: Session, clock: Clock, *, provider_id: str, about: str, subject_id: str,
         decision_id: str | None, contact: str | None) -> str:
    """A new capability link to the status of ``subject_id``; returns the token (never stored)."""
    token = secrets.token_urlsafe(24)
    session.add(StatusLink(id=new_id("stl"), provider_id=provider_id, about=about, subject_id=subject_id,
                           decision_id=decision_id, contact=contact, token_hash=token_hash(token),
                           created_at=clock.now()))
    session.flush()
    return token


def link_by_token(session: Session, token: str) -> StatusLink | None:
    return session.scalar(select(StatusLink).where(StatusLink.token_hash == token_hash(token)))


def action_phrase(action: str) -> str:
    return _ACTIONS.get(action, action.replace("_", " "))


def decision_reasons(decision: Decision) -> str:
    payload = decision.payload
    explanation = payload.get("ground_explanation") or payload.get("facts") or ""
    ground = payload.get("ground_ref") or ""
    return f"{ground}: {explanation}".strip(": ") or "no reasons were recorded"


def automated_sentence(decision: Decision) -> str:
    return ("Automated means were used in taking this decision." if decision.automated
            else "This decision was taken by a person, without automated decision-making.")


# ---- the complainant -----------------------------------------------------------------------------------------


def acknowledge_complaint(session: Session, clock: Clock, settings: Settings, complaint: Complaint) -> str:
    """The complainant's link (and, to an address, a receipt saying when the answer is due); returns the token."""
    token = mint(session, clock, provider_id=complaint.provider_id, about="complaint", subject_id=complaint.id,
                 decision_id=complaint.decision_id, contact=complaint.contact)
    body = (f"We received your complaint about decision {complaint.decision_id}.\n"
            f"We answer by {complaint.deadline_at:%d %B %Y}, with reasons (TCO Art. 10(2), DSA Art. 20).\n\n"
            f"Follow your complaint here: {status_url(settings, token)}\n")
    mail.queue(session, clock, settings, mail.Mail(str(complaint.contact or ""), "Your complaint was received",
                                                   body), org_id=complaint.provider_id)
    return token


def inform_complainant(session: Session, clock: Clock, settings: Settings, actor: Actor,
                       complaint: Complaint) -> bool:
    """TCO Art. 10(2), DSA Art. 20(5): the reasoned decision on the complaint and the further redress, e-mailed
    with a fresh link when the contact is an address (the link given on filing shows it in any case)."""
    mailed = mail.enabled(settings) and mail.is_address(complaint.contact)
    if mailed:
        token = mint(session, clock, provider_id=complaint.provider_id, about="complaint",
                     subject_id=complaint.id, decision_id=complaint.decision_id, contact=complaint.contact)
        mail.queue(session, clock, settings, mail.Mail(
            str(complaint.contact), "The decision on your complaint",
            complaint_decision_text(complaint) + f"\nThe decision and its reasons: {status_url(settings, token)}\n"),
            org_id=complaint.provider_id)
    record(session, clock, actor, Event.RIGHTS_COMPLAINANT_INFORM, subject=complaint.id, org_id=complaint.provider_id,
           payload={"decision_id": complaint.decision_id, "provider_id": complaint.provider_id,
                    "outcome": complaint.outcome, "by": complaint.by, "mailed": mailed})
    return mailed


def complaint_decision_text(complaint: Complaint) -> str:
    if complaint.outcome != "reversed":
        verdict = "We keep our decision."
    elif complaint.by == "uploader":
        verdict = "We reversed our decision: the content is reinstated."
    else:
        verdict = "We reversed our decision: we act on the content you reported."
    return (f"{verdict}\nReasons: {complaint.reasons}\n"
            f"If you disagree, you may {OUT_OF_COURT}, or {COURTS}.\n")


# ---- the public notifier -------------------------------------------------------------------------------------


def public_reports(session: Session, notice_ids: list[str]) -> list[Notice]:
    """The DSA Art. 16 reports among ``notice_ids`` sent by members of the public (no organisation)."""
    if not notice_ids:
        return []
    query = select(Notice).where(Notice.id.in_(notice_ids), Notice.kind == "user_report",
                                 Notice.issuer_id.is_(None)).order_by(Notice.id)
    return list(session.scalars(query))


def inform_notifiers(session: Session, clock: Clock, settings: Settings, actor: Actor, *, decision_id: str) -> int:
    """DSA Art. 16(5)-(6): each public notifier behind the decision learns it, with its reasons, whether it was
    automated, and the redress open to them. Idempotent: a notifier is told of one decision once."""
    decision = find_decision(session, decision_id)
    told = 0
    for notice in public_reports(session, decision.notice_ids):
        if _already_told(session, notice.id, decision_id):
            continue
        _inform_notifier(session, clock, settings, actor, decision, notice)
        told += 1
    return told


def _already_told(session: Session, notice_id: str, decision_id: str) -> bool:
    query = select(StatusLink.id).where(StatusLink.about == "notice", StatusLink.subject_id == notice_id,
                                        StatusLink.decision_id == decision_id).limit(1)
    return session.scalar(query) is not None


def _inform_notifier(session: Session, clock: Clock, settings: Settings, actor: Actor, decision: Decision,
                     notice: Notice) -> None:
    contact = str(notice.details.get("notifier_email") or "")
    token = mint(session, clock, provider_id=notice.provider_id, about="notice", subject_id=notice.id,
                 decision_id=decision.id, contact=contact or None)
    queued = mail.queue(session, clock, settings, mail.Mail(
        contact, "The decision on your report",
        notifier_text(notice, decision) + f"\nThe decision, its reasons and how to contest it: "
        f"{status_url(settings, token)}\n"), org_id=notice.provider_id)
    record(session, clock, actor, Event.RIGHTS_NOTIFIER_INFORM, subject=notice.id, org_id=notice.provider_id,
           payload={"decision_id": decision.id, "provider_id": notice.provider_id, "action": decision.action,
                    "automated": decision.automated, "mailed": queued is not None})


def notifier_text(notice: Notice, decision: Decision) -> str:
    urls = ", ".join(notice.urls)
    return (f"You reported {urls} on {notice.created_at:%d %B %Y}.\n"
            f"Decision: we {action_phrase(decision.action)}.\n"
            f"Reasons: {decision_reasons(decision)}\n"
            f"{automated_sentence(decision)}\n"
            f"Redress: {'; '.join(notifier_redress(decision))}.\n")


def notifier_redress(decision: Decision) -> list[str]:
    """What a notifier may do about the decision on their report (DSA Art. 16(5), 20, 21)."""
    options = [OUT_OF_COURT, COURTS]
    if decision.action in ("no_action", "restrict"):
        options.insert(0, f"complain to us, free of charge, within {COMPLAIN_WITHIN} of this decision, through the "
                          "link below (DSA Art. 20)")
    return options


# ---- the uploader --------------------------------------------------------------------------------------------


def mail_user_notice(session: Session, clock: Clock, settings: Settings, notice: UserNotice, token: str) -> bool:
    """E-mail the uploader's notice (TCO Art. 11, DSA Art. 17) with its link, when the contact is an address."""
    body = f"{notice.text}\n\nThis notice, and the form to contest the decision: {status_url(settings, token)}\n"
    queued = mail.queue(session, clock, settings, mail.Mail(notice.uploader_contact, "About your content", body),
                        org_id=notice.provider_id)
    return queued is not None
