"""Exposure decisions (TCO Art. 5(4)-(7)) and penalties (TCO Art. 18) recorded by competent authorities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

EXPOSURE_STATES = ("active", "revoked")


class ExposureDecision(Base):
    """The host authority finds a provider exposed to terrorist content (Art. 5(4)); the provider then reports
    its specific measures within three months and yearly (Art. 5(5)); the authority may require more (Art. 5(6));
    the provider may ask for a review, decided within three months (Art. 5(7))."""

    __tablename__ = "exposure_decisions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    final_order_ids: Mapped[list[Any]] = mapped_column(default=list)  # the final orders of the 12 months before
    reasons: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(12), default="active")
    reports: Mapped[list[Any]] = mapped_column(default=list)  # {at, measures} per Art. 5(5) report
    requirements: Mapped[list[Any]] = mapped_column(default=list)  # {at, text} per Art. 5(6) decision
    review: Mapped[dict[str, Any]] = mapped_column(default=dict)  # Art. 5(7) request and its decision


class Penalty(Base):
    """A penalty an authority imposed on a provider (Art. 18), counted in its Art. 8(1) report."""

    __tablename__ = "penalties"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    ground: Mapped[str] = mapped_column(String(200))  # the infringed provision, e.g. "Art. 3(3)"
    description: Mapped[str] = mapped_column(Text, default="")
    imposed_on: Mapped[datetime]
    created_at: Mapped[datetime]
