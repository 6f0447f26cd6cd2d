"""User notices: telling the uploader what was removed and how to contest it (TCO Art. 11, DSA Art. 17).

A removal order may carry a non-disclosure decision (TCO Art. 11(3)): the notice is then held and released by
a periodic duty when the period ends, at most six weeks plus six more after issue. The notice's link carries a
token that opens one public page (the notice and its complaint form); only the token's SHA-256 is stored, and
the link reaches the uploader through the provider (webhook ``user_notice.send``).
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

from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.db import new_id
from accord.errors import InvalidInput, NotFound
from accord.jobs import webhooks
from accord.rights.models import UserNotice

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
    facts: Mapping[str, Any], nondisclosure_until: datetime | None,
) -> IssuedNotice:
    """Tell the uploader about a decision, or hold the notice while a non-disclosure period runs.

    ``facts``: ``what`` was removed, ``why``, the ``ground`` relied on, whether ``automated`` means were used,
    and optionally ``action`` (remove, disable, restrict) and ``order_reference``.
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
        _audit(session, clock, actor, "hold", notice)
        return IssuedNotice(notice, None)
    return IssuedNotice(notice, send(session, clock, actor, notice))


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
        "How to contest: follow the link in this notice to file a complaint; we answer within two weeks, with"
        " reasons if we keep our decision (TCO Art. 10). You may also challenge the decision or a removal order"
        " before the courts of the Member State concerned (TCO Art. 9) or an out-of-court body (DSA Art. 21)."
    )


def send(session: Session, clock: Clock, actor: Actor, notice: UserNotice) -> str:
    """Release the notice: mint its link token, hand it to the provider for delivery, record the fact."""
    token = secrets.token_urlsafe(24)
    notice.token_hash = token_hash(token)
    notice.state, notice.sent_at = "sent", clock.now()
    session.flush()
    webhooks.emit(session, clock, org_id=notice.provider_id, event="user_notice.send", data={
        "user_notice_id": notice.id, "decision_id": notice.decision_id, "contact": notice.uploader_contact,
        "text": notice.text, "complaint_path": NOTICE_PATH + token,
    })
    _audit(session, clock, actor, "send", notice)
    return token


def release_due(session: Session, clock: Clock, actor: Actor) -> int:
    """Send every held notice whose non-disclosure period has ended."""
    query = select(UserNotice).where(UserNotice.state == "held", UserNotice.nondisclosure_until <= clock.now())
    notices = list(session.scalars(query.order_by(UserNotice.nondisclosure_until)))
    for notice in notices:
        send(session, clock, actor, notice)
    return len(notices)


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
    notice = session.get(UserNotice, notice_id)
    if notice is None or notice.provider_id != provider_id:
        raise NotFound(f"no user notice {notice_id!r}")
    return notice


def _audit(session: Session, clock: Clock, actor: Actor, action: str, notice: UserNotice) -> None:
    release = notice.nondisclosure_until.isoformat() if notice.nondisclosure_until else None
    record(session, clock, actor, f"rights:user_notice:{action}", subject=notice.id, org_id=notice.provider_id,
           payload={"decision_id": notice.decision_id, "provider_id": notice.provider_id, "release_at": release})
