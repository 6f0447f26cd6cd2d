"""Request and response shapes of the batch form of ``POST /v1/match`` (the single form's are in ``banks``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from accord.web.schemas.banks import MatchesOut, SignalIn
from accord.web.schemas.common import In, Out

MAX_BATCH_ITEMS = 1000
"""Items per batch request: each item is one piece of content, looked up and answered on its own."""


class MatchItemIn(In):
    signals: list[SignalIn] = Field(min_length=1, max_length=100,
                                    description="The signals of one piece of content (one signal: a per-signal answer)")


class MatchBatchIn(In):
    items: list[MatchItemIn] = Field(min_length=1, max_length=MAX_BATCH_ITEMS,
                                     description=f"Up to {MAX_BATCH_ITEMS} pieces of content, answered in order")
    banks: list[str] = Field(default_factory=list, description="Only these banks (names or ids), for every item")


class MatchBatchOut(Out):
    results: list[MatchesOut] = Field(description="One answer per item, in the order of `items`; a provider's "
                                                   "hit opens or joins a case per item")


class MatchingStatusOut(Out):
    """What the caller's lookups search: nothing about banks it cannot see."""

    banks: int = Field(description="Banks the caller may use")
    entries: int = Field(description="Their active entries, over the signal types this process indexes")
    indexes: dict[str, int] = Field(description="Active entries per signal type")


class LookupCountOut(Out):
    """Lookups one key of one organisation made that searched the bank, and how many matched it."""

    org_id: str
    key: str = Field(description="The key's reference (`key:<prefix>`), or the member's for the UI")
    lookups: int
    hits: int


class BankLookupsOut(Out):
    """For a bank's owner: who looked up against the bank since ``since`` (written every
    `ACCORD_LOOKUP_AUDIT_FLUSH_SECONDS` by each matcher process)."""

    bank: str
    since: datetime
    lookups: list[LookupCountOut]
