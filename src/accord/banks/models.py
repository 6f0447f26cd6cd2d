"""Hash banks: named sets of signal entries owned by an organisation, shared by choice.

An entry is one signal (type and normalised value, plus the extra PDQ hashes that make it robust to edits) with
the labels reviewers need: GIFCT behaviour labels, incident tags, the terrorist entity and the list it comes
from. ``bank_changes`` is the append-only log matchers follow to update their indexes incrementally.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class BehaviourLabel(StrEnum):
    """GIFCT's behaviour-based taxonomy for hashed terrorist and violent extremist content."""

    IMMINENT_CREDIBLE_THREAT = "imminent_credible_threat"
    GRAPHIC_VIOLENCE_AGAINST_DEFENCELESS_PEOPLE = "graphic_violence_against_defenceless_people"
    GLORIFICATION_OF_TERRORIST_ACTS = "glorification_of_terrorist_acts"
    RADICALISATION_RECRUITMENT_INSTRUCTION = "radicalisation_recruitment_instruction"


class ListSource(StrEnum):
    """Where the designation of the terrorist entity comes from."""

    UN = "un"
    EU = "eu"
    NATIONAL = "national"


class BankKind(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    """An allow-list: a match here suppresses every match of the same content (e.g. exempt news footage)."""


class Visibility(StrEnum):
    PRIVATE = "private"
    SHARED = "shared"
    """Shared with the organisations named in ``shared_with``."""
    ALL = "all"


class EntryState(StrEnum):
    ACTIVE = "active"
    QUARANTINED = "quarantined"
    """Arrived from outside the owner (a contribution, an exchange) and waits for the owner's confirmation."""
    DISABLED = "disabled"
    REJECTED = "rejected"


class Bank(Base):
    __tablename__ = "banks"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12), default=BankKind.POSITIVE)
    visibility: Mapped[str] = mapped_column(String(12), default=Visibility.PRIVATE)
    shared_with: Mapped[list[Any]] = mapped_column(default=list)
    # Whether organisations that can see the bank may add entries (always quarantined until confirmed).
    accepts_contributions: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether entries imported from an exchange wait in quarantine (flood protection).
    quarantine_imports: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class BankEntry(Base):
    __tablename__ = "bank_entries"
    __table_args__ = (
        # The fingerprint (SHA-256 of type and value) keeps the unique index small for long text signals. The
        # index also serves every lookup by bank (its first column): no separate index on bank_id or on the
        # fingerprint, which a bulk import would maintain for each row (migration 0027).
        UniqueConstraint("bank_id", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"))
    added_by_org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    signal_type: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    variants: Mapped[list[Any]] = mapped_column(default=list)  # extra PDQ hashes of centred crops
    labels: Mapped[list[Any]] = mapped_column(default=list)
    incident_tags: Mapped[list[Any]] = mapped_column(default=list)
    entity: Mapped[str | None] = mapped_column(String(200))
    list_source: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    state: Mapped[str] = mapped_column(String(12), default=EntryState.ACTIVE, index=True)
    origin: Mapped[str | None] = mapped_column(String(400), index=True)  # "<feed or exchange>#<remote id>"
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BankChange(Base):
    """One change to an entry, in commit order: what matchers replay past their high-water mark."""

    __tablename__ = "bank_changes"

    seq: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(_BIGINT, index=True)
    bank_id: Mapped[str] = mapped_column(String(40), index=True)
    signal_type: Mapped[str] = mapped_column(String(20))
    op: Mapped[str] = mapped_column(String(12))  # add, update, disable, enable, quarantine, remove
    at: Mapped[datetime]


class EntryVote(Base):
    """Another organisation agreeing or disagreeing with an entry's labels; the owner sees every vote."""

    __tablename__ = "entry_votes"
    __table_args__ = (UniqueConstraint("entry_id", "org_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entries.id"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    agree: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class MatchRecord(Base):
    """A provider's upload found near a bank entry (the fact behind ``matching:match:found``)."""

    __tablename__ = "matches"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entries.id"), index=True)
    signal_type: Mapped[str] = mapped_column(String(20))
    distance: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20), default="review")  # review, or the policy's automatic action
    created_at: Mapped[datetime] = mapped_column(index=True)
    # Why the match must be looked at again ("flood": its entry was quarantined for matching too much), or None.
    rereview: Mapped[str | None] = mapped_column(String(20))
    passages: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))
    """text_containment: the upload's passages found in the banked document ({before, match, after}) and the
    share of the banked document found, for the review console (the banked text itself is never stored)."""


class ExchangeSubscription(Base):
    """A feed of another Accord instance that a local bank follows, with the cursor reached."""

    __tablename__ = "exchange_subscriptions"
    __table_args__ = (UniqueConstraint("bank_id", "url"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    public_key: Mapped[str] = mapped_column(String(64))  # pinned on first pull (hex Ed25519)
    cursor: Mapped[int] = mapped_column(_BIGINT, default=0)
    last_pulled_at: Mapped[datetime | None]
