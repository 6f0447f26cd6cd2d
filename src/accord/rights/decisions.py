"""The facts of a decision, read from its ``cases:decision:create`` audit event.

Decisions live in the review console's tables; rights and transparency read only the audit event, whose payload
is a contract (``docs/events.md``), so they never depend on those tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import as_utc
from accord.errors import NotFound

DECISION_TAG = "cases:decision:create"
NOTICE_RECEIVE_TAG = "notices:notice:receive"
RESTRICTING_ACTIONS = frozenset({"remove", "disable", "restrict"})


@dataclass(frozen=True)
class Decision:
    """One decision as the audit trail tells it."""

    id: str
    at: datetime
    payload: dict[str, Any]

    @property
    def provider_id(self) -> str:
        return str(self.payload.get("provider_id") or "")

    @property
    def action(self) -> str:
        return str(self.payload.get("action") or "")

    @property
    def notice_ids(self) -> list[str]:
        return [str(n) for n in self.payload.get("notice_ids") or []]

    @property
    def automated(self) -> bool:
        """Whether the decision itself was taken by automated means (DSA Art. 17(3)(c))."""
        value = self.payload.get("automated_decision")
        return value not in (None, False, "not_automated", "")


def find_decision(session: Session, decision_id: str, *, provider_id: str | None = None) -> Decision:
    """The decision ``decision_id``; another provider's decision is ``NotFound``."""
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.tag == DECISION_TAG, AuditEvent.subject == decision_id)
        .order_by(AuditEvent.seq.desc()).limit(1)
    )
    if event is None:
        raise NotFound(f"no decision {decision_id!r}")
    decision = Decision(decision_id, as_utc(event.at), dict(event.payload))
    if provider_id is not None and decision.provider_id != provider_id:
        raise NotFound(f"no decision {decision_id!r}")
    return decision


def notice_issuers(session: Session, notice_ids: Iterable[str]) -> set[str]:
    """The organisations that sent the given notices (from their ``notices:notice:receive`` events)."""
    ids = list(notice_ids)
    if not ids:
        return set()
    rows = session.scalars(
        select(AuditEvent.payload).where(AuditEvent.tag == NOTICE_RECEIVE_TAG, AuditEvent.subject.in_(ids))
    )
    return {str(payload["issuer_id"]) for payload in rows if payload.get("issuer_id")}
