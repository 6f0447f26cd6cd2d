"""User notices: telling the uploader what was removed and how to contest it (TCO Art. 11, DSA Art. 17).

A removal order may carry a non-disclosure decision (TCO Art. 11(3)): the notice is then held and released by
a periodic duty when the period ends, at most six weeks plus six more after issue. The notice's link carries a
token that opens one public page (the notice and its complaint form, also at ``/status/<token>``); only the
token's SHA-256 is stored, and the link reaches the uploader through the provider (webhook ``user_notice.send``)
and, when the uploader's contact is an e-mail address, by e-mail (``rights.delivery``).

An issuer that extends the non-disclosure period (Art. 11(3)) extends it for notices already held too
(``follow_nondisclosure``), and a held notice is never released while an order behind its decision is still
under non-disclosure.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.db import get_owned, new_id
from accord.errors import InvalidInput, NotFound
from accord.jobs import webhooks
from accord.notices.service import nondisclosure_until_for_case
from accord.rights import delivery
from accord.rights.decisions import find_decision
from accord.rights.models import UserNotice
from accord.settings import Settings

MAX_NONDISCLOSURE: Final = timedelta(weeks=12)  # six weeks, renewable once for six more (TCO Art. 11(3))
NOTICE_PATH: Final = "/ui/rights/n/"
_ACTIONS: Final = {"remove": "removed", "disable": "disabled access to", "restrict": "restricted"}


@dataclass(frozen=True)
class IssuedNotice:
    """The notice, and the token of its link when it was sent at once (``None`` while held)."""

    notice: UserNotice
    token: str | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_user_notice(
    session: Session, clock: Clock, actor: Actor, *, provider_id: str, decision_id: str, uploader_contact: str,
    facts: Mapping[str, Any], nondisclosure_until: datetime | None, settings: Settings | None = None,
) -> IssuedNotice:
    """Tell the uploader about a decision, or hold the notice while a non-disclosure period runs.

    ``facts``: ``what`` was removed, ``why``, the ``ground`` relied on, whether ``automated`` means were used,
    and optionally ``action`` (remove, disable, restrict), ``order_reference`` and ``order_redress`` (how the
    order is contested, TCO Art. 9). With ``settings``, the notice is also e-mailed when the contact is an
    address.
    """
    now = clock.now()
    until = _check_nondisclosure(now, nondisclosure_until)
    if not uploader_contact.strip():
        raise InvalidInput("the uploader's contact is needed to inform them", field="uploader_contact")
    notice = UserNotice(
        id=new_id("unt"), provider_id=provider_id, decision_id=decision_id, uploader_contact=uploader_contact,
        facts=dict(facts), text=compose_text(facts), state="held", nondisclosure_until=until, created_at=now,
    )
    session.add(notice)
    session.flush()
    if until is not None:
        _audit(session, clock, actor, Event.RIGHTS_USER_NOTICE_HOLD, notice)
        return IssuedNotice(notice, None)
    return IssuedNotice(notice, send(session, clock, actor, notice, settings))


def _check_nondisclosure(now: datetime, until: datetime | None) -> datetime | None:
    if until is None or as_utc(until) <= now:
        return None
    if as_utc(until) - now > MAX_NONDISCLOSURE:
        raise InvalidInput("non-disclosure lasts at most six weeks plus six (TCO Art. 11(3))",
                           field="nondisclosure_until")
    return as_utc(until)


def compose_text(facts: Mapping[str, Any]) -> str:
    """The notice in plain words: what, why, on which ground, automated or not, how to contest."""
    for key in ("what", "why", "ground"):
        if not str(facts.get(key) or "").strip():
            raise InvalidInput(f"the notice must say {key}", field=f"facts.{key}")
    verb = _ACTIONS.get(str(facts.get("action") or "remove"), "removed")
    automated = "Automated means were used" if facts.get("automated") else "No automated means were used"
    order = f" It acted on removal order {facts['order_reference']}." if facts.get("order_reference") else ""
    return (
        f"We {verb} {facts['what']}.{order}\n"
        f"Why: {facts['why']}\n"
        f"Ground: {facts['ground']}\n"
        f"{automated} in this decision.\n"
        f"{_how_to_contest(facts)}"
    )


def _how_to_contest(facts: Mapping[str, Any]) -> str:
    """A removal executing an order is contested before the issuing state's courts (TCO Art. 9); any other
    removal through a complaint to the provider (Art. 10, DSA Art. 20) first."""
    if facts.get("order_redress"):
        return (f"How to contest: {facts['order_redress']}. On request we give you the reasons for the removal"
                " and a copy of the removal order (TCO Art. 11(2)).")
    return ("How to contest: follow the link in this notice to file a complaint; we answer within two weeks, with"
            " reasons if we keep our decision (TCO Art. 10). You may also challenge the decision or a removal order"
            " before the courts of the Member State concerned (TCO Art. 9) or an out-of-court body (DSA Art. 21).")


def send(session: Session, clock: Clock, actor: Actor, notice: UserNotice, settings: Settings | None = None) -> str:
    """Release the notice: mint its link token, hand it to the provider for delivery (and e-mail it to an
    address when ``settings`` are given), record the fact."""
    token = secrets.token_urlsafe(24)
    notice.token_hash = token_hash(token)
    notice.state, notice.sent_at = "sent", clock.now()
    session.flush()
    webhooks.emit(session, clock, org_id=notice.provider_id, event="user_notice.send", data={
        "user_notice_id": notice.id, "decision_id": notice.decision_id, "contact": notice.uploader_contact,
        "text": notice.text, "complaint_path": NOTICE_PATH + token, "status_path": delivery.STATUS_PATH + token,
    })
    mailed = settings is not None and delivery.mail_user_notice(session, clock, settings, notice, token)
    _audit(session, clock, actor, Event.RIGHTS_USER_NOTICE_SEND, notice, mailed=mailed)
    return token


def release_due(session: Session, clock: Clock, actor: Actor, settings: Settings | None = None) -> int:
    """Send every held notice whose non-disclosure period has ended; one whose order's period was extended meanwhile
    is held on until the new end."""
    query = select(UserNotice).where(UserNotice.state == "held", UserNotice.nondisclosure_until <= clock.now())
    sent = 0
    for notice in list(session.scalars(query.order_by(UserNotice.nondisclosure_until))):
        later = _order_nondisclosure(session, notice)
        if later is not None and later > clock.now():
            _hold_until(session, clock, actor, notice, later)
            continue
        send(session, clock, actor, notice, settings)
        sent += 1
    return sent


def follow_nondisclosure(session: Session, clock: Clock, actor: Actor, *, provider_id: str, case_id: str,
                         until: datetime) -> int:
    """TCO Art. 11(3): an extension of an order's non-disclosure reaches the notices already held for its case."""
    held = session.scalars(select(UserNotice).where(UserNotice.provider_id == provider_id,
                                                    UserNotice.state == "held").order_by(UserNotice.id))
    moved = 0
    for notice in list(held):
        current = as_utc(notice.nondisclosure_until) if notice.nondisclosure_until else None
        if _case_of(session, notice) == case_id and (current is None or current < as_utc(until)):
            _hold_until(session, clock, actor, notice, as_utc(until))
            moved += 1
    return moved


def _hold_until(session: Session, clock: Clock, actor: Actor, notice: UserNotice, until: datetime) -> None:
    notice.nondisclosure_until = until
    session.flush()
    _audit(session, clock, actor, Event.RIGHTS_USER_NOTICE_HOLD, notice)


def _case_of(session: Session, notice: UserNotice) -> str | None:
    try:
        case_id = find_decision(session, notice.decision_id).payload.get("case_id")
    except NotFound:
        return None  # a notice issued through the API for a decision the audit trail does not know
    return str(case_id) if case_id else None


def _order_nondisclosure(session: Session, notice: UserNotice) -> datetime | None:
    case_id = _case_of(session, notice)
    until = nondisclosure_until_for_case(session, case_id) if case_id else None
    return as_utc(until) if until else None


def by_token(session: Session, token: str) -> UserNotice:
    """The sent notice a link token opens; any other token is ``NotFound``."""
    notice = session.scalar(select(UserNotice).where(UserNotice.token_hash == token_hash(token)))
    if notice is None or notice.state != "sent":
        raise NotFound("this link is not valid")
    return notice


def list_notices(session: Session, *, provider_id: str, state: str | None = None) -> list[UserNotice]:
    """The provider's user notices, newest first."""
    query = select(UserNotice).where(UserNotice.provider_id == provider_id)
    if state:
        query = query.where(UserNotice.state == state)
    return list(session.scalars(query.order_by(UserNotice.created_at.desc(), UserNotice.id)))


def get_notice(session: Session, *, provider_id: str, notice_id: str) -> UserNotice:
    return get_owned(session, UserNotice, notice_id, provider_id, what="user notice", by="provider_id")


def _audit(session: Session, clock: Clock, actor: Actor, event: Event, notice: UserNotice, *,
           mailed: bool = False) -> None:
    release = notice.nondisclosure_until.isoformat() if notice.nondisclosure_until else None
    payload: dict[str, Any] = {"decision_id": notice.decision_id, "provider_id": notice.provider_id,
                               "release_at": release}
    if event is Event.RIGHTS_USER_NOTICE_SEND:
        payload["mailed"] = mailed
    record(session, clock, actor, event, subject=notice.id, org_id=notice.provider_id,
           payload=payload)
