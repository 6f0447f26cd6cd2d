"""Administrative or judicial review proceedings against removal orders (TCO Art. 9), counted by Art. 7(3)(e)
and Art. 8(1)(d); an annulled order obliges reinstatement (Art. 7(3)(f))."""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import new_id
from accord.errors import InvalidInput
from accord.rights import reinstatement
from accord.settings import Settings

OUTCOMES: Final = ("pending", "order_upheld", "order_annulled")


def record_review(
    session: Session, clock: Clock, settings: Settings, actor: Actor, *, provider_id: str, issuer_id: str,
    order_id: str, decision_id: str | None, body: str, outcome: str,
) -> str:
    """Record a review proceeding (brought by the provider) and its outcome; an annulment reinstates."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f"the outcome is one of {', '.join(OUTCOMES)}", field="outcome")
    if not body.strip():
        raise InvalidInput("name the court or body reviewing the order", field="body")
    review_id = new_id("rvw")
    record(session, clock, actor, "rights:review:record", subject=review_id, org_id=provider_id,
           payload={"provider_id": provider_id, "issuer_id": issuer_id, "order_id": order_id,
                    "decision_id": decision_id, "body": body.strip(), "outcome": outcome})
    if outcome == "order_annulled" and decision_id:
        reinstatement.reinstate(session, clock, settings, actor, provider_id=provider_id,
                                decision_id=decision_id, reason="review")
    return review_id
