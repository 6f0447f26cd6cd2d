"""Notices, the information notices that must precede an authority's first order, and operational holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

# held: kept back by an operational hold (never dispatched); received: dispatched, clock running;
# acknowledged: the provider confirmed receipt; paused: cannot_comply (TCO Art. 3(7)-(8)), clock stopped;
# answered: an outcome was recorded; voided: the host Member State found an infringement (TCO Art. 4).
NOTICE_STATUSES = ("held", "received", "acknowledged", "paused", "answered", "voided")


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_status_deadline", "status", "deadline_at"),
        Index("ix_notices_issuer_provider", "issuer_id", "provider_id"),
        Index("ix_notices_submitter_created", "submitter_address", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    issuer_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))  # None: a public report
    issuer_kind: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), index=True)
    binding: Mapped[bool] = mapped_column(default=False)  # a removal order: the one-hour clock applies
    urls: Mapped[list[Any]] = mapped_column(default=list)
    content_keys: Mapped[list[Any]] = mapped_column(default=list)  # normalised URLs and hash keys
    tco_types: Mapped[list[Any]] = mapped_column(default=list)
    member_state: Mapped[str | None] = mapped_column(String(2))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the kind's own fields (Annex I, Art. 16)
    emergency: Mapped[bool] = mapped_column(default=False)
    cross_border: Mapped[bool] = mapped_column(default=False)
    host_authority_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime | None]  # receipt by the provider; None while held
    window_started_at: Mapped[datetime | None]  # receipt, or the clarification that restarted the hour
    deadline_at: Mapped[datetime | None]
    escalated: Mapped[list[Any]] = mapped_column(default=list)  # minutes already escalated in this window
    acknowledged_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_at: Mapped[datetime | None]
    outcome_detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    answers: Mapped[list[Any]] = mapped_column(default=list)  # every outcome and clarification, in order
    breached_at: Mapped[datetime | None]
    breach_seconds: Mapped[int | None]
    hold_reason: Mapped[str | None] = mapped_column(Text)  # shown to authorities only
    nondisclosure_until: Mapped[datetime | None]  # TCO Art. 11(3): the uploader is not told before this
    nondisclosure_extended: Mapped[bool] = mapped_column(default=False)
    scrutiny: Mapped[dict[str, Any]] = mapped_column(default=dict)  # TCO Art. 4 windows and finding
    liveness: Mapped[list[Any]] = mapped_column(default=list)  # re-checks of the URLs
    submitter_address: Mapped[str | None] = mapped_column(String(64))  # user reports: rate limit per address
    # TCO Art. 3(9): the redress period ended without an appeal, or an appeal confirmed the order (migration 0014)
    final_at: Mapped[datetime | None]
    # A practice order (accord.readiness, migration 0024): it follows the real path but is never counted in
    # reports, statements of reasons, the Transparency Database, strikes or breaches.
    drill: Mapped[bool] = mapped_column(default=False, server_default=text("false"))


# TCO Art. 3(5): the receipt time is part of the written record, so the database writes it once. An UPDATE that
# changes a set ``received_at`` is refused on PostgreSQL and SQLite alike (NULL -> a time is the dispatch of a held
# notice). Migration 0019 installs the same triggers on migrated databases; this installs them with create_all.
RECEIPT_WRITE_ONCE = "notices.received_at is written once (TCO Art. 3(5))"
RECEIPT_DDL = {
    "sqlite": (
        "CREATE TRIGGER notices_received_at_write_once BEFORE UPDATE OF received_at ON notices FOR EACH ROW "
        "WHEN OLD.received_at IS NOT NULL AND NEW.received_at IS NOT OLD.received_at "
        f"BEGIN SELECT RAISE(ABORT, '{RECEIPT_WRITE_ONCE}'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION notices_received_at_write_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{RECEIPT_WRITE_ONCE}' USING ERRCODE = 'integrity_constraint_violation'; END $$",
        "CREATE TRIGGER notices_received_at_write_once BEFORE UPDATE OF received_at ON notices FOR EACH ROW "
        "WHEN (OLD.received_at IS NOT NULL AND NEW.received_at IS DISTINCT FROM OLD.received_at) "
        "EXECUTE FUNCTION notices_received_at_write_once()",
    ),
}
for _dialect, _statements in RECEIPT_DDL.items():
    for _statement in _statements:
        _ddl = DDL(_statement)  # type: ignore[no-untyped-call]  # SQLAlchemy types DDL's constructor loosely
        event.listen(Notice.__table__, "after_create", _ddl.execute_if(dialect=_dialect))


class InformationNotice(Base):
    """TCO Art. 3(2): before its first order to a provider an authority tells it about procedures, 12 h ahead."""

    __tablename__ = "information_notices"
    __table_args__ = (Index("ix_information_notices_pair", "authority_id", "provider_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime]


class OperationalHold(Base):
    """TCO Art. 14(1): an authority's interest in content that stops dispatch of notices about it."""

    __tablename__ = "notice_holds"
    __table_args__ = (Index("ix_notice_holds_key_active", "content_key", "lifted_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), index=True)
    content_key: Mapped[str] = mapped_column(String(2100))
    reason: Mapped[str] = mapped_column(Text)
    placed_at: Mapped[datetime]
    lifted_at: Mapped[datetime | None]


class ReinstatementInstruction(Base):
    """An order that lost its legal effect (TCO Art. 4(7) scrutiny finding, Art. 9 annulment): the provider must
    reinstate at once. The provider's inbox lists the open ones; the provider confirms when it has reinstated."""

    __tablename__ = "reinstatement_instructions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(12))  # scrutiny | review
    decision_id: Mapped[str | None] = mapped_column(String(40))  # the provider's decision that executed the order
    text: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]


class ActionDay(Base):
    """A Referral Action Day (EUR-04): one issuer's time-boxed campaign of many notices to many providers, with
    a deadline shared by all of them and a summary of what every provider did."""

    __tablename__ = "action_days"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)  # the issuer
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    deadline_at: Mapped[datetime]
    created_at: Mapped[datetime]


class ActionDayNotice(Base):
    """A notice sent as part of an action day (a notice belongs to at most one)."""

    __tablename__ = "action_day_notices"

    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    action_day_id: Mapped[str] = mapped_column(ForeignKey("action_days.id"), index=True)
