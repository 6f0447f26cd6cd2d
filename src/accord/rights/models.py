"""Complaints, user notices and preserved items.

Decisions are referenced by id only: their facts are read from the ``cases:decision:create`` audit event, so
this package does not depend on the review console's tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

COMPLAINT_STATES = ("pending", "decided")
COMPLAINT_OUTCOMES = ("upheld", "reversed")
COMPLAINANTS = ("uploader", "notifier")
USER_NOTICE_STATES = ("held", "sent")
STATUS_ABOUT = ("complaint", "notice")


class Complaint(Base):
    """A contest of one decision by the uploader, or by the notifier after ``no_action``."""

    __tablename__ = "rights_complaints"
    __table_args__ = (Index("ix_rights_complaints_provider_state", "provider_id", "state"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    decision_id: Mapped[str] = mapped_column(String(40), index=True)
    by: Mapped[str] = mapped_column(String(12))
    filed_by_org_id: Mapped[str | None] = mapped_column(String(40))  # the notifier's organisation, if any
    statement: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(320))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    outcome: Mapped[str | None] = mapped_column(String(12))
    reasons: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[str | None] = mapped_column(String(40))
    filed_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class UserNotice(Base):
    """What the uploader is told (TCO Art. 11, DSA Art. 17); held while a non-disclosure period runs."""

    __tablename__ = "rights_user_notices"
    __table_args__ = (Index("ix_rights_user_notices_state_release", "state", "nondisclosure_until"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    decision_id: Mapped[str] = mapped_column(String(40), index=True)
    uploader_contact: Mapped[str] = mapped_column(String(320))
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12))
    nondisclosure_until: Mapped[datetime | None]
    # SHA-256 of the token in the notice's link; the token itself is never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class StatusLink(Base):
    """A capability link to a status page: a complainant's complaint, or a public notifier's notice and the
    decision on it (DSA Art. 16(5), 20(5)). Each message sent carries its own link; only the SHA-256 of the
    token is kept, so the database never holds a working link."""

    __tablename__ = "rights_status_links"
    __table_args__ = (Index("ix_rights_status_links_about_subject", "about", "subject_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    about: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[str] = mapped_column(String(40))  # the complaint or the notice
    decision_id: Mapped[str | None] = mapped_column(String(40))
    contact: Mapped[str | None] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class PreservationKey(Base):
    """A key that encrypts preserved items (TCO Art. 6), itself encrypted with the instance's
    ``preservation_key`` secret. The newest unretired one encrypts; retired ones still decrypt what they
    encrypted. Instance-wide: it protects every provider's items alike. Items of no key (``key_id`` NULL) were
    encrypted before the first rotation, with the key derived from the secret itself."""

    __tablename__ = "rights_preservation_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class PreservedItem(Base):
    """Removed content and its data, encrypted, kept six months or while a legal hold runs (TCO Art. 6)."""

    __tablename__ = "rights_preserved_items"
    __table_args__ = (Index("ix_rights_preserved_items_purge", "purged_at", "retain_until"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    decision_id: Mapped[str] = mapped_column(String(40), index=True)
    content_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    metadata_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_id: Mapped[str | None] = mapped_column(ForeignKey("rights_preservation_keys.id"), index=True)
    size: Mapped[int]
    stored_at: Mapped[datetime]
    retain_until: Mapped[datetime]
    hold_until: Mapped[datetime | None]
    hold_reason: Mapped[str | None] = mapped_column(Text)
    reinstated_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]


class OrderReview(Base):
    """An administrative or judicial review of a removal order (TCO Art. 9), brought by the provider or the
    content provider before the issuing Member State's courts, and its outcome."""

    __tablename__ = "order_reviews"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    issuer_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    brought_by: Mapped[str] = mapped_column(String(20))  # provider | content_provider
    body: Mapped[str] = mapped_column(String(300))
    case_reference: Mapped[str] = mapped_column(String(200), default="")
    filed_on: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(12))  # pending | confirmed | annulled | amended
    outcome_reasons: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    recorded_by_org_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
