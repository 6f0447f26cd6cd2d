"""What the transparency package keeps beside the audit trail: each statement's submission to the DSA
Transparency Database (Art. 24(5)) and the out-of-court disputes of certified bodies (Art. 21)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

SUBMISSION_STATES = ("pending", "accepted", "rejected")
DISPUTE_OUTCOMES = ("upheld", "reversed", "settled", "withdrawn")


class Submission(Base):
    """One statement of reasons on its way to the Transparency Database.

    ``pending`` until the Database answers 201 (``accepted``, with its ``uuid``) or names the statement in a
    422 (``rejected``, with the Database's ``errors`` for it); a ``puid`` the Database already holds counts as
    accepted (``duplicate``). Transport failures leave it pending with ``next_attempt_at`` pushed back."""

    __tablename__ = "tdb_submissions"

    statement_id: Mapped[str] = mapped_column(ForeignKey("case_statements.id"), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    puid: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    tdb_uuid: Mapped[str | None] = mapped_column(String(64))
    duplicate: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Dispute(Base):
    """A dispute about one of the provider's decisions before a certified out-of-court body (DSA Art. 21)."""

    __tablename__ = "oot_disputes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("case_decisions.id"), index=True)
    body_name: Mapped[str] = mapped_column(String(300))
    certified_by: Mapped[str] = mapped_column(String(2))  # the Member State whose coordinator certified it
    reference: Mapped[str] = mapped_column(String(200), default="")
    filed_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(10))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
