"""Blocking lists, their entries, the serials that number every change, operators' subscriptions and appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

LIST_KINDS = ("dns_block", "search_delisting")
ACTIONS = ("nxdomain", "stop_page")
ENTRY_TYPES = ("domain", "url", "ip")
ENTRY_STATES = ("proposed", "active", "suspended", "expired", "delisted")
APPEAL_OUTCOMES = ("maintained", "delisted")


class Blocklist(Base):
    """An authority's list (e.g. France's Décret 2015-253 list) with the safeguards it runs under."""

    __tablename__ = "blocklists"
    __table_args__ = (UniqueConstraint("authority_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    overseer_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    legal_basis: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(12))
    stop_host: Mapped[str | None] = mapped_column(String(253))
    review_required: Mapped[bool] = mapped_column(default=False)
    default_expiry_days: Mapped[int]
    max_expiry_days: Mapped[int]
    reexamine_days: Mapped[int]
    serial: Mapped[int] = mapped_column(default=1)  # the RPZ SOA serial: one more at every change of the export
    created_at: Mapped[datetime]
    changed_at: Mapped[datetime]


class BlocklistSerial(Base):
    """When each serial was published: an operator is late once a serial it has not applied is older than the
    list's clock (24 hours for blocking, 48 for delisting)."""

    __tablename__ = "blocklist_serials"
    __table_args__ = (UniqueConstraint("blocklist_id", "serial"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    blocklist_id: Mapped[str] = mapped_column(ForeignKey("blocklists.id"))
    serial: Mapped[int]
    published_at: Mapped[datetime]
    change: Mapped[str] = mapped_column(String(200))


class BlocklistEntry(Base):
    """A domain (with or without subdomains), a URL (delisting) or an IP address, with its reason, evidence,
    expiry and the exchange between authority and overseer."""

    __tablename__ = "blocklist_entries"
    __table_args__ = (Index("ix_blocklist_entries_list_state", "blocklist_id", "state"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    blocklist_id: Mapped[str] = mapped_column(ForeignKey("blocklists.id"))
    type: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(2048))
    subdomains: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text)
    ip_reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(default=list)  # removal order ids or URLs not executed
    state: Mapped[str] = mapped_column(String(12))
    suspended_from: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime]
    starts_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    next_reexamination_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    exchange: Mapped[list[Any]] = mapped_column(default=list)  # {at, by, kind, text}: review, objection, answer


class BlocklistSubscription(Base):
    """A network operator that applies the list; its feed token (a capability URL) is stored hashed."""

    __tablename__ = "blocklist_subscriptions"
    __table_args__ = (UniqueConstraint("blocklist_id", "operator_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    blocklist_id: Mapped[str] = mapped_column(ForeignKey("blocklists.id"))
    operator_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    applied_serial: Mapped[int] = mapped_column(default=0)
    applied_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime | None]


class BlocklistAppeal(Base):
    """A site owner contests an entry through the public form; the authority answers with reasons."""

    __tablename__ = "blocklist_appeals"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    blocklist_id: Mapped[str] = mapped_column(ForeignKey("blocklists.id"), index=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("blocklist_entries.id"))
    statement: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(320))
    filed_at: Mapped[datetime]
    due_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(12))
    reasons: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
