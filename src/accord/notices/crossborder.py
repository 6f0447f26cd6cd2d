"""Cross-border removal orders (TCO Art. 4).

The copy goes to the authority of the Member State where the provider is established, at the same time as the
order (Art. 4(1)). That authority may scrutinise the order on its own initiative within 72 hours of the copy
(Art. 4(3)). The provider may ask for scrutiny within 48 hours of receiving the order, and the content provider
within 48 hours of receiving the information of Art. 11(2) (the user notice telling it the reasons and how to
contest); the authority then decides within 72 hours of the request (Art. 4(4)). A finding of infringement ends
the order's legal effect (Art. 4(6)) and the provider must reinstate at once (Art. 4(7)): that consequence is
``rights.orders.decide_scrutiny``; this module keeps the windows and the finding.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.errors import Conflict, InvalidInput, PermissionDenied
from accord.identity.service import Principal
from accord.jobs.webhooks import emit
from accord.notices.models import Notice
from accord.notices.service import get_notice

REQUESTERS: Final = ("provider", "content_provider")
REQUEST_WINDOW: Final = timedelta(hours=48)
DECISION_WINDOW: Final = timedelta(hours=72)


def check_scrutinisable(notice: Notice) -> Notice:
    """A dispatched cross-border order, not yet void nor decided on."""
    if not notice.cross_border or not notice.scrutiny:
        raise Conflict("only a dispatched cross-border removal order can be scrutinised", field="action")
    if notice.status == "voided":
        raise Conflict("the order is void already", field="status")
    if "decided_at" in notice.scrutiny:
        raise Conflict("the host Member State's authority has decided on this order already", field="action")
    return notice


def request_scrutiny(session: Session, clock: Clock, principal: Principal, notice_id: str, *, by: str,
                     reason: str) -> Notice:
    """The provider asks the host authority to scrutinise, within 48 hours of receiving the order (Art. 4(4)).

    The content provider asks through its own notice page (``rights.orders.request_scrutiny_as_content_provider``),
    on its own 48 hours from the Art. 11(2) information."""
    notice = check_scrutinisable(get_notice(session, principal, notice_id))
    if principal.org_id != notice.provider_id:
        raise PermissionDenied("only the provider asks for scrutiny here; the content provider uses its notice page")
    if by != "provider":
        raise InvalidInput("the provider asks for itself (by=provider); the content provider files on its own "
                           "notice page, within 48 hours of receiving the Art. 11(2) information", field="by")
    if clock.now() > datetime.fromisoformat(notice.scrutiny["request_until"]):
        raise Conflict("the 48-hour window to ask for scrutiny (from receipt of the order) has closed",
                       field="action")
    return file_request(session, clock, principal.actor, notice, by="provider", reason=reason)


def file_request(session: Session, clock: Clock, actor: Actor, notice: Notice, *, by: str, reason: str) -> Notice:
    """Record a request whose window the caller has checked; the authority has 72 hours from now."""
    if by not in REQUESTERS:
        raise InvalidInput(f"by is one of {', '.join(REQUESTERS)}", field="by")
    if not reason.strip():
        raise InvalidInput("a request for scrutiny gives its reasons (Art. 4(4): a reasoned request)", field="reason")
    now = clock.now()
    request = {"by": by, "at": now.isoformat(), "reason": reason.strip(),
               "decide_until": (now + DECISION_WINDOW).isoformat()}
    requests = [*notice.scrutiny.get("requests", []), request]
    notice.scrutiny = {**notice.scrutiny, "requested_at": requests[0]["at"], "requested_by": requests[0]["by"],
                       "reason": requests[0]["reason"], "requests": requests,
                       "decide_until": max(r["decide_until"] for r in requests)}
    record(session, clock, actor, Event.NOTICES_SCRUTINY_REQUEST, subject=notice.id, org_id=notice.provider_id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id, "by": by,
                    "decide_until": request["decide_until"]})
    if notice.host_authority_id:
        emit(session, clock, org_id=notice.host_authority_id, event="notice.scrutiny_requested",
             data={"notice_id": notice.id, "by": by, "decide_until": request["decide_until"]})
    return notice


def decision_deadline(notice: Notice) -> datetime:
    """72 hours from the copy (own initiative) or from the latest request, whichever is later."""
    until = datetime.fromisoformat(notice.scrutiny["host_until"])
    if "decide_until" in notice.scrutiny:
        until = max(until, datetime.fromisoformat(notice.scrutiny["decide_until"]))
    return until


def decide_scrutiny(session: Session, clock: Clock, principal: Principal, notice_id: str, *, infringement: bool,
                    reasons: str) -> Notice:
    """The host authority's reasoned finding; an infringement ends the order's legal effect (Art. 4(6)).

    Reinstatement follows from ``rights.orders.decide_scrutiny``, which every door should call instead."""
    notice = check_scrutinisable(get_notice(session, principal, notice_id))
    if principal.org_id != notice.host_authority_id:
        raise PermissionDenied("only the host Member State's authority decides on scrutiny")
    now = clock.now()
    if now > decision_deadline(notice):
        raise Conflict("the 72-hour scrutiny window has closed", field="action")
    if not reasons.strip():
        raise InvalidInput("a scrutiny decision needs its reasons", field="reasons")
    reinstate = infringement and notice.outcome in ("removed", "disabled")
    notice.scrutiny = {**notice.scrutiny, "decided_at": now.isoformat(), "infringement": infringement,
                       "decision_reasons": reasons.strip(), "reinstate_required": reinstate}
    if infringement:
        notice.status = "voided"
    record(session, clock, principal.actor, Event.NOTICES_SCRUTINY_DECIDE, subject=notice.id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id,
                    "infringement": infringement, "reinstate_required": reinstate})
    data = {"notice_id": notice.id, "infringement": infringement, "reinstate_required": reinstate}
    emit(session, clock, org_id=notice.provider_id, event="notice.scrutiny_decided", data=data)
    if notice.issuer_id:
        emit(session, clock, org_id=notice.issuer_id, event="notice.scrutiny_decided", data=data)
    return notice
