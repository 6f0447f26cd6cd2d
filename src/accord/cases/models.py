"""The case: notices, matches and reports about the same content, joined for one review.

This module holds the case core that intake (notices, matches) relies on; the review console adds queues,
claims and decisions beside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

CASE_STATES = ("open", "decided", "closed")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_provider_content", "provider_id", "content_key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The normalised URL (or "hash:<type>:<value>") that deconfliction joins on.
    content_key: Mapped[str] = mapped_column(String(2100))
    urls: Mapped[list[Any]] = mapped_column(default=list)
    signals: Mapped[list[Any]] = mapped_column(default=list)
    title: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    # The earliest binding deadline among its items (a removal order's hour), if any.
    deadline_at: Mapped[datetime | None]
    sources: Mapped[list[Any]] = mapped_column(default=list)  # e.g. ["removal_order", "hash_match"]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
