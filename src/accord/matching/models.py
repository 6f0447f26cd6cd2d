"""Lookup counts: what hosted matching did for each key, per bank and minute, for the bank owners' audit.

A matcher process counts lookups in memory and writes these rows in batches (``accord.matching.ledger``): a
miss writes nothing in its request. Rows with ``bank_id`` NULL are a key's own totals, which the daily quota
per key is counted from; the others say, for one bank, how many lookups a key of another organisation made that
searched it and how many matched it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.db import Base

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class LookupCount(Base):
    """Lookups by one key in one minute, against one bank (or in all, ``bank_id`` NULL), from one process."""

    __tablename__ = "lookup_counts"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    bank_id: Mapped[str | None] = mapped_column(ForeignKey("banks.id"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    key_ref: Mapped[str] = mapped_column(String(80), index=True)
    minute: Mapped[datetime] = mapped_column(index=True)
    lookups: Mapped[int] = mapped_column(Integer)
    hits: Mapped[int] = mapped_column(Integer)
