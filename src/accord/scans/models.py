"""A retroactive scan: what it reads, how far it got, and what it found, per bank and per label."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base


class ScanStatus:
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class Scan(Base):
    """One scan of an organisation's content. Items are read in a fixed order and cut into batches of
    ``batch_size``; batches ``[0, cursor)`` are done, and ``done_batches`` lists those done beyond the cursor
    (results come back in any order), so ``--resume`` redoes only what was not committed."""

    __tablename__ = "scans"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(120))
    sources: Mapped[list[Any]] = mapped_column(default=list)
    banks: Mapped[list[Any]] = mapped_column(default=list)  # bank names or ids; empty: every bank it may use
    shadow: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default=ScanStatus.RUNNING)
    batch_size: Mapped[int] = mapped_column(default=200)
    items_total: Mapped[int | None]
    items_done: Mapped[int] = mapped_column(default=0)
    items_matched: Mapped[int] = mapped_column(default=0)
    items_suppressed: Mapped[int] = mapped_column(default=0)  # matched only through an allow-list
    items_failed: Mapped[int] = mapped_column(default=0)
    cases: Mapped[int] = mapped_column(default=0)  # items whose match opened or joined a case
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"banks": {name: items}, "labels": {...}}
    errors: Mapped[list[Any]] = mapped_column(default=list)  # the first few unreadable items and why
    cursor: Mapped[int] = mapped_column(default=0)
    done_batches: Mapped[list[Any]] = mapped_column(default=list)
    engine: Mapped[str] = mapped_column(String(200), default="")  # "in process", "LocalCluster", "tcp://..."
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
