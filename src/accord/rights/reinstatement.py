"""Reinstatement: putting restricted content back, restored from the preservation store.

A reversal after a complaint (TCO Art. 10), a scrutiny finding that an order infringes (TCO Art. 4(7)) or a
review (TCO Art. 7(3)(f)) obliges the provider to reinstate. The provider receives the restored content through
webhook ``content.reinstate`` (the content itself is fetched through the API, stating the purpose, so it
never sits unencrypted in the job queue) and the fact is recorded, because reports count it.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.errors import InvalidInput
from accord.jobs import webhooks
from accord.rights import preservation
from accord.settings import Settings

REASONS: Final = ("complaint", "scrutiny", "review")


def reinstate(
    session: Session, clock: Clock, settings: Settings, actor: Actor, *, provider_id: str, decision_id: str,
    reason: str,
) -> str | None:
    """Restore the decision's content from preservation and record the reinstatement; returns the item id."""
    if reason not in REASONS:
        raise InvalidInput(f"a reinstatement follows one of {', '.join(REASONS)}", field="reason")
    item = preservation.item_for_decision(session, provider_id=provider_id, decision_id=decision_id)
    data: dict[str, object] = {"decision_id": decision_id, "reason": reason, "preserved_item_id": None}
    if item is not None:
        restored = preservation.access(session, clock, settings, actor, provider_id=provider_id, item_id=item.id,
                                       purpose="reinstatement", note=f"reinstatement after {reason}")
        item.reinstated_at = clock.now()
        data.update(preserved_item_id=item.id, metadata=restored.metadata, size=len(restored.content))
    webhooks.emit(session, clock, org_id=provider_id, event="content.reinstate", data=data)
    record(session, clock, actor, Event.RIGHTS_CONTENT_REINSTATE, subject=decision_id, org_id=provider_id,
           payload={"provider_id": provider_id, "reason": reason, "preserved_item_id": data["preserved_item_id"]})
    return item.id if item is not None else None
