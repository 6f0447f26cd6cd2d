"""Cross-border removal orders (TCO Art. 4).

The copy goes to the authority of the Member State where the provider is established, at the same time as the
order. That authority may scrutinise the order within 72 hours of the copy; the provider (or, through it, the
uploader) may ask for scrutiny within 48 hours of receipt, and the authority then decides within 72 hours of
the request. A finding of infringement voids the order, and removed content must be reinstated at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accord.audit.service import record
from accord.clock import Clock
from accord.errors import Conflict, InvalidInput, PermissionDenied
from accord.identity.service import Principal
from accord.jobs.webhooks import emit
from accord.notices.models import Notice
from accord.notices.service import get_notice

REQUESTERS = ("provider", "uploader")


def _cross_border(session: Session, principal: Principal, notice_id: str) -> Notice:
    notice = get_notice(session, principal, notice_id)
    if not notice.cross_border or not notice.scrutiny:
        raise Conflict("only a dispatched cross-border removal order can be scrutinised", field="action")
    if notice.status == "voided":
        raise Conflict("the order is void already", field="status")
    return notice


def request_scrutiny(session: Session, clock: Clock, principal: Principal, notice_id: str, *, by: str,
                     reason: str) -> Notice:
    """The provider, for itself or the uploader, asks the host authority to scrutinise (48 h window)."""
    notice = _cross_border(session, principal, notice_id)
    if principal.org_id != notice.provider_id:
        raise PermissionDenied("only the provider (for itself or the uploader) asks for scrutiny")
    if by not in REQUESTERS:
        raise InvalidInput(f"by is one of {', '.join(REQUESTERS)}", field="by")
    now = clock.now()
    if now > datetime.fromisoformat(notice.scrutiny["request_until"]):
        raise Conflict("the 48-hour window to ask for scrutiny has closed", field="action")
    notice.scrutiny = {**notice.scrutiny, "requested_at": now.isoformat(), "requested_by": by,
                       "reason": reason.strip(), "decide_until": (now + timedelta(hours=72)).isoformat()}
    record(session, clock, principal.actor, "notices:scrutiny:request", subject=notice.id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id, "by": by})
    if notice.host_authority_id:
        emit(session, clock, org_id=notice.host_authority_id, event="notice.scrutiny_requested",
             data={"notice_id": notice.id, "by": by, "decide_until": notice.scrutiny["decide_until"]})
    return notice


def _decision_deadline(notice: Notice) -> datetime:
    until = datetime.fromisoformat(notice.scrutiny["host_until"])
    if "decide_until" in notice.scrutiny:
        until = max(until, datetime.fromisoformat(notice.scrutiny["decide_until"]))
    return until


def decide_scrutiny(session: Session, clock: Clock, principal: Principal, notice_id: str, *, infringement: bool,
                    reasons: str) -> Notice:
    """The host authority's finding; an infringement voids the order and requires reinstatement."""
    notice = _cross_border(session, principal, notice_id)
    if principal.org_id != notice.host_authority_id:
        raise PermissionDenied("only the host Member State's authority decides on scrutiny")
    now = clock.now()
    if now > _decision_deadline(notice):
        raise Conflict("the 72-hour scrutiny window has closed", field="action")
    if not reasons.strip():
        raise InvalidInput("a scrutiny decision needs its reasons", field="reasons")
    reinstate = infringement and notice.outcome in ("removed", "disabled")
    notice.scrutiny = {**notice.scrutiny, "decided_at": now.isoformat(), "infringement": infringement,
                       "decision_reasons": reasons.strip(), "reinstate_required": reinstate}
    if infringement:
        notice.status = "voided"
    record(session, clock, principal.actor, "notices:scrutiny:decide", subject=notice.id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id,
                    "infringement": infringement, "reinstate_required": reinstate})
    data = {"notice_id": notice.id, "infringement": infringement, "reinstate_required": reinstate}
    emit(session, clock, org_id=notice.provider_id, event="notice.scrutiny_decided", data=data)
    if notice.issuer_id:
        emit(session, clock, org_id=notice.issuer_id, event="notice.scrutiny_decided", data=data)
    return notice
