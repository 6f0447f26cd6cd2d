"""Out-of-court disputes (DSA Art. 21): a certified body's dispute about one of the provider's decisions.

The uploader or notifier may take a decision to a dispute settlement body certified by a Digital Services
Coordinator; the body's decision is not binding, but the provider reports the disputes, their outcomes and
how long they took (Art. 24(1)(a)). The provider records the dispute when the body seizes it and the outcome
when the body decides: ``upheld`` (the provider's decision stands), ``reversed`` (the body found for the
recipient), ``settled`` or ``withdrawn``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases.models import Decision
from accord.clock import Clock, as_utc
from accord.db import get_owned, new_id
from accord.errors import Conflict, InvalidInput
from accord.transparency.models import DISPUTE_OUTCOMES, Dispute

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def file_dispute(session: Session, clock: Clock, actor: Actor, *, provider_id: str, decision_id: str,
                 body_name: str, certified_by: str, reference: str = "",
                 filed_at: datetime | None = None) -> Dispute:
    """Record that a certified body was seized of a dispute about the provider's decision."""
    get_owned(session, Decision, decision_id, provider_id, what="decision", by="provider_id")
    if not body_name.strip():
        raise InvalidInput("name the certified dispute settlement body", field="body_name")
    country = certified_by.strip().upper()
    if not _COUNTRY.match(country):
        raise InvalidInput("certified_by is the ISO code of the certifying Member State", field="certified_by")
    filed = as_utc(filed_at) if filed_at is not None else clock.now()
    if filed > clock.now():
        raise InvalidInput("a dispute cannot be filed in the future", field="filed_at")
    dispute = Dispute(id=new_id("odr"), provider_id=provider_id, decision_id=decision_id,
                      body_name=body_name.strip(), certified_by=country, reference=reference.strip(),
                      filed_at=filed, outcome=None, outcome_note="", created_at=clock.now())
    session.add(dispute)
    session.flush()
    record(session, clock, actor, Event.TRANSPARENCY_DISPUTE_FILE, subject=dispute.id, org_id=provider_id,
           payload={"provider_id": provider_id, "decision_id": decision_id, "certified_by": country})
    return dispute


def decide_dispute(session: Session, clock: Clock, actor: Actor, *, provider_id: str, dispute_id: str,
                   outcome: str, note: str = "") -> Dispute:
    """Record the body's outcome and how many days the dispute took (Art. 21(4): 90 days, 180 if complex)."""
    dispute = get_dispute(session, provider_id, dispute_id)
    if outcome not in DISPUTE_OUTCOMES:
        raise InvalidInput(f"outcome is one of {', '.join(DISPUTE_OUTCOMES)}", field="outcome")
    if dispute.outcome is not None:
        raise Conflict(f"dispute {dispute_id} was decided already ({dispute.outcome})")
    dispute.outcome, dispute.outcome_note, dispute.decided_at = outcome, note.strip(), clock.now()
    days = (clock.now() - dispute.filed_at).total_seconds() / 86400
    record(session, clock, actor, Event.TRANSPARENCY_DISPUTE_DECIDE, subject=dispute.id, org_id=provider_id,
           payload={"provider_id": provider_id, "decision_id": dispute.decision_id, "outcome": outcome,
                    "days": round(days, 2)})
    return dispute


def get_dispute(session: Session, provider_id: str, dispute_id: str) -> Dispute:
    return get_owned(session, Dispute, dispute_id, provider_id, what="dispute", by="provider_id")


def list_disputes(session: Session, provider_id: str) -> list[Dispute]:
    return list(session.scalars(select(Dispute).where(Dispute.provider_id == provider_id)
                                .order_by(Dispute.filed_at.desc())))


def as_dict(dispute: Dispute) -> dict[str, Any]:
    return {"id": dispute.id, "decision_id": dispute.decision_id, "body_name": dispute.body_name,
            "certified_by": dispute.certified_by, "reference": dispute.reference, "filed_at": dispute.filed_at,
            "outcome": dispute.outcome, "outcome_note": dispute.outcome_note, "decided_at": dispute.decided_at}
