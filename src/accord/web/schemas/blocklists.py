"""Request and response models for administrative blocking lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from accord.web.schemas.common import In, Out


class BlocklistIn(In):
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["dns_block", "search_delisting"]
    legal_basis: str = Field(min_length=1, description="e.g. Décret 2015-253; LCEN art. 6-1")
    action: Literal["nxdomain", "stop_page"] = "nxdomain"
    stop_host: str | None = Field(None, description="stop_page: the host that serves the stop page")
    review_required: bool = Field(False, description="every entry waits for the overseer's review")
    overseer_id: str | None = Field(None, description="default: the only overseer of the authority's country")
    default_expiry_days: int | None = Field(None, ge=1)
    max_expiry_days: int | None = Field(None, ge=1)
    reexamine_days: int | None = Field(None, ge=1)


class BlocklistOut(Out):
    id: str
    authority_id: str
    overseer_id: str | None
    name: str
    kind: str
    legal_basis: str
    action: str
    stop_host: str | None
    review_required: bool
    default_expiry_days: int
    max_expiry_days: int
    reexamine_days: int
    serial: int
    created_at: datetime
    changed_at: datetime


class EntryIn(In):
    type: Literal["domain", "url", "ip"]
    value: str = Field(min_length=1, max_length=2048)
    subdomains: bool = False
    reason: str = Field(min_length=1)
    expires_at: datetime | None = None
    starts_at: datetime | None = None
    ip_reason: str | None = Field(None, description="ip: why this address hosts no other site")
    evidence: list[str] = Field(default_factory=list, description="removal orders not executed, other proof")


class EntryOut(Out):
    id: str
    blocklist_id: str
    type: str
    value: str
    subdomains: bool
    reason: str
    ip_reason: str | None
    evidence: list[Any]
    state: str
    created_at: datetime
    starts_at: datetime
    expires_at: datetime
    reviewed_at: datetime | None
    ended_at: datetime | None
    next_reexamination_at: datetime
    exchange: list[Any]


class NoteIn(In):
    note: str = ""


class ObjectionIn(In):
    text: str = Field(min_length=1)


class AnswerIn(In):
    decision: Literal["maintain", "delist"]
    text: str = Field(min_length=1)


class SubscriptionIn(In):
    operator_id: str


class SubscriptionOut(Out):
    id: str
    blocklist_id: str
    operator_id: str
    feed_token: str = Field(description="shown once; the capability URLs below carry it")
    feed_url: str = Field(description="RPZ zone over HTTP, for resolvers that cannot send headers")
    feed_urls: dict[str, str]


class AppliedIn(In):
    serial: int = Field(ge=1)


class ComplianceOut(Out):
    operator_id: str
    operator_name: str
    applied_serial: int
    applied_at: datetime | None
    current_serial: int
    status: str = Field(description="current | pending (within the clock) | late")
    behind: int
    due_at: datetime | None


class AppealOut(Out):
    id: str
    blocklist_id: str
    entry_id: str
    statement: str
    contact: str
    filed_at: datetime
    due_at: datetime
    outcome: str | None
    reasons: str | None
    answered_at: datetime | None


class AppealIn(In):
    value: str = Field(min_length=1, description="the domain, URL or address contested")
    statement: str = Field(min_length=1)
    contact: str = Field(min_length=3, max_length=320)


class AppealAnswerIn(In):
    outcome: Literal["maintained", "delisted"]
    reasons: str = Field(min_length=1)


class FiguresOut(Out):
    blocklist_id: str
    name: str
    kind: str
    serial: int
    entries_added: int
    active: int
    proposed: int
    suspended: int
    expired: int
    delisted: int
    appeals: int
    appeals_open: int
    appeals_delisted: int
    appeals_maintained: int
    operators: int
    operators_current: int
    operators_late: int
