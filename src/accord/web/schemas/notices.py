"""Notices on the wire. ``NoticeIn`` lists every field of every kind; the service checks which ones the kind
takes (a field of another kind is refused by name), so that validation lives in one place for the API, the
batch import and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from accord.web.schemas.common import In, Out


class RedressIn(In):
    body: str = Field(description="The court or body that hears a challenge (Annex I section G)")
    deadline_days: int = Field(description="Days within which a challenge must be brought")
    national_law: str | None = None


class NoticeIn(In):
    kind: str = Field(description="removal_order | referral | trusted_flag | user_report | alert")
    provider_id: str | None = Field(None, description="The hosting provider the notice is addressed to")
    urls: list[str] | None = Field(None, description="The exact URL(s) of the content")
    reference: str | None = Field(None, description="The issuer's own reference number")
    identifying_info: str | None = Field(None, description="Further identifying information (Annex I B)")
    content_hashes: list[str] | None = Field(None, description="type:hex, e.g. sha256:...; joins one case")
    reasons: str | None = Field(None, description="Statement of reasons / why the content is illegal")
    tco_types: list[str] | None = Field(None, description="TCO Art. 2(7) types")
    legal_basis: str | None = None
    redress: dict[str, Any] | None = Field(None, description="{body, deadline_days}; removal orders")
    emergency: bool | None = Field(None, description="TCO Art. 3(2): a first order without the 12 h notice")
    emergency_reason: str | None = None
    cross_border: bool | None = Field(None, description="Default: the provider is established elsewhere")
    host_authority_id: str | None = Field(None, description="Authority of the host Member State (TCO Art. 4)")
    copy_to_europol: bool | None = Field(
        None, description="removal_order: send Europol a read-only copy at dispatch (TCO Art. 14(4)); recorded as "
                          "details.europol_copy")
    nondisclosure_days: int | None = Field(None, description="TCO Art. 11(3): up to 42 days")
    issued_at: str | None = Field(None, description="Annex I A: time of issue, ISO 8601 with a time zone")
    legal_representative: dict[str, Any] | None = Field(
        None, description="Annex I A: the addressee's legal representative {name, member_state, address}")
    establishment_member_state: str | None = Field(
        None, description="Annex I A: Member State of main establishment or of the legal representative")
    authority_type: str | None = Field(None, description="Annex I E: judicial | law_enforcement | other")
    file_number: str | None = Field(None, description="Annex I E: the issuing authority's file number")
    signatory: dict[str, Any] | None = Field(
        None, description="Annex I E: the representative certifying the order {name, post}")
    follow_up_contact: dict[str, Any] | None = Field(
        None, description="Annex I F: contact for follow-up {email, name, phone}")
    language: str | None = Field(None, description="removal_order: its language, ISO 639-1 (TCO Art. 15(2))")
    operational_hold: str | None = Field(None, description="Authorities: hold with this reason (Art. 14(1))")
    clause: str | None = Field(None, description="The provider's terms clause (referrals)")
    notifier_name: str | None = None
    notifier_email: str | None = None
    good_faith: bool | None = Field(None, description="DSA Art. 16(2)(d) statement")
    verification_label: str | None = Field(None, description="Alerts: verified | designated_entity | ...")


class NoticeOut(Out):
    id: str
    kind: str
    status: str
    issuer_id: str | None
    issuer_kind: str
    provider_id: str
    reference: str
    urls: list[str]
    tco_types: list[str]
    member_state: str | None
    binding: bool
    emergency: bool
    cross_border: bool
    host_authority_id: str | None
    case_id: str | None
    created_at: datetime
    received_at: datetime | None
    deadline_at: datetime | None
    acknowledged_at: datetime | None
    outcome: str | None
    outcome_at: datetime | None
    outcome_detail: dict[str, Any]
    breach_seconds: int | None
    breached: bool
    escalated: list[int]
    nondisclosure_until: datetime | None
    scrutiny: dict[str, Any]
    final_at: datetime | None = Field(None, description="removal orders: when the order became final (TCO Art. 3(9))")
    liveness: list[dict[str, Any]]
    details: dict[str, Any]
    answers: list[dict[str, Any]]
    hold_reason: str | None = Field(None, description="Shown to authorities only")
    acknowledgement: str | None = Field(None, description="User reports: the receipt (DSA Art. 16(4))")


class OutcomeIn(In):
    outcome: str = Field(description="removed | disabled | no_action | cannot_comply; a removal order is removed, "
                         "disabled in all Member States, or cannot_comply (TCO Art. 3(3), Annex III)")
    countries: list[str] = Field(default_factory=list, description="disabled: ISO 3166-1 alpha-2 (an order: all "
                                 "Member States, the default)")
    reasons: str = Field("", description="the facts relied on; no_action: why")
    ground: str | None = Field(None, description="cannot_comply: the Annex III ground; otherwise the clause or law "
                               "relied on (default: the one the notice cites)")
    explanation: str = Field("", description="cannot_comply: the explanation")
    automated: bool = False
    uploader: str | None = Field(None, max_length=200, description="who posted the content, to be told (TCO Art. "
                                 "11, DSA Art. 17)")


class ClarificationIn(In):
    text: str = Field(max_length=20_000)


class HoldIn(In):
    active: bool = True
    reason: str = Field("", max_length=2000)


class NondisclosureIn(In):
    extend_days: int = Field(description="Once, up to 42 days (TCO Art. 11(3))")


class ScrutinyIn(In):
    action: str = Field(description="request (the provider, within 48 h) | decide (host authority, 72 h)")
    by: str = Field("provider", description="request: provider (the content provider asks on its notice page)")
    reason: str = ""
    infringement: bool | None = None
    reasons: str = ""


class ThreatIn(In):
    details: str = Field(max_length=20_000)
    member_state: str | None = None


class ContactOut(Out):
    org_id: str
    name: str
    country: str | None = Field(None, description="EU: a Union body (Europol)")
    email: str | None
    phone: str | None


class ThreatOut(Out):
    notice_id: str
    member_state: str | None = Field(description="The state concerned, or where the provider is established")
    identified: bool = Field(description="False: the state concerned was unknown, so Europol was told too")
    europol: bool
    contacts: list[ContactOut]
    at: str


class InformationNoticeIn(In):
    provider_id: str
    text: str = Field(max_length=20_000)


class InformationNoticeOut(Out):
    id: str
    authority_id: str
    provider_id: str
    text: str
    sent_at: datetime


class BatchIn(In):
    notices: list[dict[str, Any]]


class BatchLineOut(Out):
    line: int
    accepted: bool
    notice_id: str | None
    status: str | None
    field: str | None
    error: str | None


class BatchOut(Out):
    accepted: int
    refused: int
    atomic: bool
    kept: bool
    lines: list[BatchLineOut]


class ProviderOutcomeOut(Out):
    provider_id: str
    provider_name: str
    sent: int
    answered: int
    removed: int
    removal_rate: float | None
    median_seconds_to_ack: float | None
    median_seconds_to_act: float | None
    breaches: int
    offline: int = Field(0, description="Notices whose every URL answered 404/410 at a re-check")
    median_seconds_to_offline: float | None = Field(None, description="From receipt to the re-check that found "
                                                    "the content offline")


class LivenessOut(Out):
    url: str
    status: int | None
    online: bool | None
    sha256: str | None = None
    error: str | None
    checked_at: str
