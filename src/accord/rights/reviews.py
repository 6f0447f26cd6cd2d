"""Administrative or judicial review of removal orders (TCO Art. 9).

The provider and the content provider may challenge a removal order before the courts of the Member State whose
authority issued it (Art. 9(1)-(2)). The provider or the issuing authority records the proceeding against the
order and, later, its outcome: ``confirmed`` (the order stands and becomes final, Art. 3(9)), ``amended`` (the
order stands as amended and becomes final) or ``annulled`` (the order loses its legal effect and the content is
reinstated, ``rights.orders.reinstate_order``). A pending review keeps the order from becoming final when the
redress period ends. The provider's Art. 7(3)(e)-(f) and the authority's Art. 8(1) reports count these records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.db import new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.identity.service import Principal
from accord.notices import finality
from accord.notices.models import Notice
from accord.notices.service import get_notice
from accord.rights.models import OrderReview
from accord.rights.orders import reinstate_order
from accord.settings import Settings

OUTCOMES: Final = ("pending", "confirmed", "annulled", "amended")
BROUGHT_BY: Final = ("provider", "content_provider")


def _order(session: Session, principal: Principal, notice_id: str) -> Notice:
    notice = get_notice(session, principal, notice_id)
    if notice.kind != "removal_order" or notice.received_at is None:
        raise Conflict("only a dispatched removal order is reviewed under TCO Art. 9", field="notice_id")
    if principal.org_id not in (notice.provider_id, notice.issuer_id):
        raise PermissionDenied("the provider or the issuing authority records a review of the order")
    return notice


def record_review(
    session: Session, clock: Clock, settings: Settings, principal: Principal, notice_id: str, *, brought_by: str,
    body: str, filed_on: datetime, case_reference: str = "", outcome: str = "pending", reasons: str = "",
) -> OrderReview:
    """Record a review proceeding against the order (and its outcome, when already known)."""
    notice = _order(session, principal, notice_id)
    if brought_by not in BROUGHT_BY:
        raise InvalidInput(f"brought_by is one of {', '.join(BROUGHT_BY)}", field="brought_by")
    if not body.strip():
        raise InvalidInput("name the court or body reviewing the order", field="body")
    if as_utc(filed_on) > clock.now():
        raise InvalidInput("filed_on cannot be in the future", field="filed_on")
    review = OrderReview(
        id=new_id("rvw"), notice_id=notice.id, provider_id=notice.provider_id, issuer_id=notice.issuer_id,
        brought_by=brought_by, body=body.strip(), case_reference=case_reference.strip(), filed_on=as_utc(filed_on),
        outcome="pending", outcome_reasons="", recorded_by_org_id=principal.org_id, created_at=clock.now())
    session.add(review)
    record(session, clock, principal.actor, Event.RIGHTS_REVIEW_RECORD, subject=review.id, org_id=principal.org_id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id, "order_id": notice.id,
                    "brought_by": brought_by, "body": review.body, "outcome": "pending"})
    if outcome != "pending":
        _decide(session, clock, settings, principal.actor, notice, review, outcome=outcome, reasons=reasons)
    return review


def decide_review(session: Session, clock: Clock, settings: Settings, principal: Principal, notice_id: str,
                  review_id: str, *, outcome: str, reasons: str = "") -> OrderReview:
    """Record the court's outcome of a pending review."""
    notice = _order(session, principal, notice_id)
    review = session.get(OrderReview, review_id)
    if review is None or review.notice_id != notice.id:
        raise NotFound(f"no review {review_id!r} of this order")
    if review.outcome != "pending":
        raise Conflict(f"the review was decided already ({review.outcome})", field="outcome")
    _decide(session, clock, settings, principal.actor, notice, review, outcome=outcome, reasons=reasons)
    return review


def _decide(session: Session, clock: Clock, settings: Settings, actor: Actor, notice: Notice, review: OrderReview,
            *, outcome: str, reasons: str) -> None:
    if outcome not in OUTCOMES[1:]:
        raise InvalidInput(f"the outcome is one of {', '.join(OUTCOMES[1:])}", field="outcome")
    review.outcome, review.outcome_reasons, review.decided_at = outcome, reasons.strip(), clock.now()
    record(session, clock, actor, Event.RIGHTS_REVIEW_DECIDE, subject=review.id, org_id=actor.org_id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id, "order_id": notice.id,
                    "brought_by": review.brought_by, "outcome": outcome})
    if outcome == "annulled":
        _annul(session, clock, settings, actor, notice)
    elif not _appeal_pending(session, notice.id):
        finality.finalise(session, clock, notice, at=clock.now(), basis="confirmed_on_appeal")


def _annul(session: Session, clock: Clock, settings: Settings, actor: Actor, notice: Notice) -> None:
    notice.status, notice.final_at = "voided", None
    record(session, clock, actor, Event.NOTICES_ORDER_ANNUL, subject=notice.id, org_id=notice.provider_id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id})
    reinstate_order(session, clock, settings, actor, notice, reason="review")


def _appeal_pending(session: Session, notice_id: str) -> bool:
    return session.scalar(select(OrderReview.id).where(OrderReview.notice_id == notice_id,
                                                       OrderReview.outcome == "pending").limit(1)) is not None


def reviews_of(session: Session, principal: Principal, notice_id: str) -> list[OrderReview]:
    """The reviews of an order, oldest first; visible to whoever sees the order."""
    notice = get_notice(session, principal, notice_id)
    return list(session.scalars(select(OrderReview).where(OrderReview.notice_id == notice.id)
                                .order_by(OrderReview.created_at)))


def finality_of(session: Session, settings: Settings, principal: Principal, notice_id: str) -> finality.Finality:
    """When the order became (or will become) final, given its reviews."""
    notice = get_notice(session, principal, notice_id)
    return finality.finality(notice, settings, appeal_pending=_appeal_pending(session, notice.id))


def finalise_orders(session: Session, clock: Clock, settings: Settings) -> int:
    """The periodic duty: orders whose redress period ran out with no review pending become final."""
    pending = set(session.scalars(select(OrderReview.notice_id).where(OrderReview.outcome == "pending")))
    return finality.finalise_due(session, clock, settings, pending_appeals=pending)
