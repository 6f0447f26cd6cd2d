"""Request and response shapes of banks, entries, hashing and matching."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from accord.web.schemas.common import In, Out


class BankIn(In):
    name: str = Field(max_length=120)
    kind: str = Field("positive", description="positive, or negative (an allow-list that suppresses matches)")
    visibility: str = Field("private", description="private, shared (with `shared_with`) or all")
    shared_with: list[str] = Field(default_factory=list, description="Organisation ids (visibility `shared`)")
    description: str = ""
    accepts_contributions: bool = Field(
        False, description="Organisations that can see the bank may add entries, quarantined until confirmed"
    )
    quarantine_imports: bool = Field(True, description="Entries pulled from exchanges wait in quarantine")


class BankOut(Out):
    id: str
    org_id: str
    name: str
    description: str
    kind: str
    visibility: str
    shared_with: list[str]
    accepts_contributions: bool
    quarantine_imports: bool
    created_at: datetime
    counts: dict[str, int] = Field(default_factory=dict, description="Entries per state, and `matches`")


class SignalIn(In):
    type: str = Field(description="pdq, md5, sha256, video_md5, url, text (vpdq where installed)")
    value: str = Field(max_length=20_000)


class EntriesIn(In):
    signals: list[SignalIn] = Field(min_length=1, max_length=1000)
    labels: list[str] = Field(default_factory=list, description="GIFCT behaviour labels")
    incident_tags: list[str] = Field(default_factory=list)
    entity: str | None = Field(None, max_length=200, description="The terrorist entity")
    list_source: str | None = Field(None, description="un, eu or national: the list designating the entity")
    note: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


class EntryDetailsIn(In):
    labels: list[str] = Field(default_factory=list)
    incident_tags: list[str] = Field(default_factory=list)
    entity: str | None = Field(None, max_length=200)
    list_source: str | None = None
    note: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


class VoteOut(Out):
    id: str
    entry_id: int
    org_id: str
    agree: bool
    comment: str
    created_at: datetime


class EntryOut(Out):
    id: int
    bank_id: str
    added_by_org_id: str
    signal_type: str
    value: str
    variants: list[str]
    labels: list[str]
    incident_tags: list[str]
    entity: str | None
    list_source: str | None
    note: str
    metadata: dict[str, Any] = Field(validation_alias="metadata_")
    state: str
    origin: str | None
    created_at: datetime
    updated_at: datetime
    votes: list[VoteOut] = Field(default_factory=list)


class EntriesOut(Out):
    entries: list[EntryOut]


class ImportOut(Out):
    """A bulk import's outcome (a `text/csv` body)."""

    import_id: str = Field(description="Names the import's `banks:import:chunk` audit events.")
    added: int
    duplicates: int = Field(description="Rows whose hash the bank held already (nothing stored twice).")
    lines: int = Field(description="The last line read.")
    chunks: int


class StateChangeIn(In):
    reason: str = ""


class VoteIn(In):
    agree: bool
    comment: str = ""


class ComputedSignalOut(Out):
    type: str
    value: str
    quality: int | None = None
    indexable: bool


class HashesOut(Out):
    signals: list[ComputedSignalOut]


class PassageOut(Out):
    before: str = Field(description="Words of the upload just before the passage")
    match: str = Field(description="The upload's passage found in the banked document")
    after: str = Field(description="Words of the upload just after the passage")


class MatchOut(Out):
    bank: str
    bank_id: str
    entry_id: int
    signal_type: str
    distance: int
    value: str | None = Field(description="The banked hash that matched: only for the bank's owner and for keys "
                                          "that may read its entries (`banks:read`), never for a match-only key")
    query: str = Field(description="The looked-up signal that matched it")
    labels: list[str]
    incident_tags: list[str]
    entity: str | None
    list_source: str | None
    metadata: dict[str, Any]
    note: str | None = Field(None, description="Only for the bank's owner")
    query_match_percent: float | None = Field(
        None, description="vPDQ: share of the uploaded video's frames that matched the entry's; text_containment: "
                          "share of the upload's text that comes from the banked document (None otherwise)")
    compared_match_percent: float | None = Field(
        None, description="vPDQ: share of the entry's frames that matched the uploaded video's; text_containment: "
                          "share of the banked document found in the upload (None otherwise)")
    passages: list[PassageOut] = Field(
        default_factory=list, description="text_containment, for an uploaded document: its passages found in the "
                                          "banked document (normalised words), longest first, with context")


class MatchesOut(Out):
    matches: list[MatchOut]
    suppressed_by: list[MatchOut] = Field(
        default_factory=list, description="Negative-bank entries that suppressed every match of this content"
    )
    case_id: str | None = None
    action: str | None = Field(None, description="`review`, or the automatic action the provider's policy chose")


class MatchSignalsIn(In):
    signals: list[SignalIn] = Field(min_length=1, max_length=100)
    banks: list[str] = Field(default_factory=list, description="Only these banks (names or ids)")
