"""European Production and Preservation Orders (Regulation (EU) 2023/1543), the issuing authorities' public keys
and the sealed packages a provider produces: the instance holds only ciphertext (``docs/evidence.md``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base


class EvidenceKey(Base):
    """An authority's X25519 public key: produced data is sealed for it, and only its holder can open it."""

    __tablename__ = "evidence_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the 32-byte Curve25519 public key
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class EvidenceOrder(Base):
    """An EPOC (production, Art. 10: 10 days, 8 hours in an emergency) or an EPOC-PR (preservation, Art. 11: 60
    days, +30 on request), with the Art. 8 notification of the enforcing authority and the provider's answer."""

    __tablename__ = "evidence_orders"
    __table_args__ = (Index("ix_evidence_orders_status_deadline", "status", "deadline_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # production | preservation
    issuer_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    enforcing_authority_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[str] = mapped_column(String(200), default="")
    issuing_state: Mapped[str | None] = mapped_column(String(2))
    enforcing_state: Mapped[str | None] = mapped_column(String(2))
    data_categories: Mapped[list[Any]] = mapped_column(default=list)
    targets: Mapped[list[Any]] = mapped_column(default=list)
    issuer_type: Mapped[str] = mapped_column(String(20))
    validated_by: Mapped[str | None] = mapped_column(String(20))
    validation: Mapped[dict[str, Any]] = mapped_column(default=dict)  # Art. 4(5): ex-post validation
    emergency: Mapped[bool] = mapped_column(default=False)
    emergency_reason: Mapped[str] = mapped_column(Text, default="")
    offences: Mapped[list[Any]] = mapped_column(default=list)
    max_sentence_years: Mapped[int | None]
    listed_offence: Mapped[str | None] = mapped_column(String(40))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    resides_in_issuing_state: Mapped[bool] = mapped_column(default=False)
    notification: Mapped[dict[str, Any]] = mapped_column(default=dict)  # Art. 8 and the enforcing state's answer
    status: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[datetime]
    window_started_at: Mapped[datetime]
    deadline_at: Mapped[datetime | None]
    escalated: Mapped[list[Any]] = mapped_column(default=list)  # percentages of the window already escalated
    breached_at: Mapped[datetime | None]
    breach_seconds: Mapped[int | None]
    answer: Mapped[dict[str, Any]] = mapped_column(default=dict)
    answered_at: Mapped[datetime | None]
    history: Mapped[list[Any]] = mapped_column(default=list)  # every answer, clarification, extension, decision
    preserve_until: Mapped[datetime | None]
    extensions: Mapped[int] = mapped_column(default=0)
    review: Mapped[dict[str, Any]] = mapped_column(default=dict)  # Art. 17 review on a third-country conflict
    created_at: Mapped[datetime]


class EvidencePackage(Base):
    """Data a provider produced (or disclosed of its own motion), sealed for the authority's key: ciphertext only,
    its SHA-256, a manifest signed by the provider's organisation key, the downloads, and a purge time."""

    __tablename__ = "evidence_packages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("evidence_orders.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("evidence_keys.id"))
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # None once purged
    sha256: Mapped[str] = mapped_column(String(64))  # of the sealed bytes
    size: Mapped[int]
    manifest: Mapped[dict[str, Any]] = mapped_column(default=dict)  # signed by the provider
    voluntary: Mapped[dict[str, Any]] = mapped_column(default=dict)  # a voluntary emergency disclosure's facts
    downloads: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    purge_at: Mapped[datetime]
    purged_at: Mapped[datetime | None]
