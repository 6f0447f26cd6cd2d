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

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.clock import as_utc
from accord.errors import NotFound
from accord.identity.models import Organisation
from accord.notices.models import Notice

DECISION_TAG = Event.CASES_DECISION_CREATE
NOTICE_RECEIVE_TAG = Event.NOTICES_NOTICE_RECEIVE
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


@dataclass(frozen=True)
class OrderRedress:
    """How a removal order is contested (TCO Art. 9, Annex I section G): where and by when."""

    reference: str
    member_state: str | None
    issuer: str | None
    body: str
    deadline_days: int | None
    national_law: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"order_reference": self.reference, "member_state": self.member_state, "issuer": self.issuer,
                "body": self.body, "deadline_days": self.deadline_days, "national_law": self.national_law}

    def sentence(self) -> str:
        days = f" within {self.deadline_days} days" if self.deadline_days else ""
        where = f" of {self.member_state}" if self.member_state else " of the issuing Member State"
        return (f"removal order {self.reference} is contested before the courts{where} (TCO Art. 9): "
                f"{self.body}{days}")


def orders_executed(session: Session, decision: Decision) -> list[OrderRedress]:
    """The removal orders a removal or disabling executed, with their redress; none for any other decision."""
    return orders_answered(session, decision.action, decision.notice_ids)


def orders_answered(session: Session, action: str, notice_ids: list[str]) -> list[OrderRedress]:
    """``orders_executed`` for a decision being taken (its action and the notices it answers)."""
    if action not in ("remove", "disable") or not notice_ids:
        return []
    query = select(Notice, Organisation.name).outerjoin(Organisation, Organisation.id == Notice.issuer_id).where(
        Notice.id.in_(notice_ids), Notice.kind == "removal_order").order_by(Notice.id)
    return [_redress(notice, issuer) for notice, issuer in session.execute(query)]


def _redress(notice: Notice, issuer: str | None) -> OrderRedress:
    redress = dict(notice.details.get("redress") or {})
    days = redress.get("deadline_days")
    return OrderRedress(reference=str(notice.reference or notice.id), member_state=notice.member_state,
                        issuer=issuer, body=str(redress.get("body") or "the competent court"),
                        deadline_days=int(days) if days else None, national_law=redress.get("national_law"))
