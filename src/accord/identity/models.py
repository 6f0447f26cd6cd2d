"""Who acts: organisations, their members and their API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accord.db import Base

ORG_KINDS = ("authority", "provider", "trusted_flagger", "civil_society", "coordinator", "overseer",
             "network_operator")
ROLES = ("admin", "reviewer", "submitter", "analyst", "auditor")


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str | None] = mapped_column(String(2))
    # TCO Art. 15: a contact point for orders, with the languages it accepts.
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_languages: Mapped[list[Any]] = mapped_column(default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]

    members: Mapped[list[Member]] = relationship(back_populates="organisation")


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(back_populates="members")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class SigningKey(Base):
    """An organisation's Ed25519 key: authorities sign Annex I orders, providers Annex II/III feedback, so that
    the other party can verify a document without trusting the instance that carried it."""

    __tablename__ = "signing_keys"
    # One active key per organisation; rotated keys stay (retired) so that what they signed still verifies.
    __table_args__ = (Index("uq_signing_keys_active", "org_id", unique=True,
                            sqlite_where=text("retired_at IS NULL"), postgresql_where=text("retired_at IS NULL")),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(20))
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, base64
    private_key_encrypted: Mapped[str] = mapped_column(Text)  # Fernet, key derived from preservation_key
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
