"""Notices on the wire. ``NoticeIn`` is one model per kind, told apart by ``kind``, so the OpenAPI document shows
what each kind requires and Pydantic refuses a missing or foreign field by name. The service
(``notices.kinds``) still checks every value, so the batch import, the CLI and the pages, which do not come
through these models, are held to the same rules."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, JsonValue, StrictInt, TypeAdapter, ValidationError

from accord.notices.kinds import KINDS
from accord.web.schemas.common import In, Out

TcoType = Literal["incitement", "solicitation_commit", "solicitation_group", "instruction", "threat"]
VerificationLabel = Literal["verified", "designated_entity", "crisis_material"]
AuthorityType = Literal["judicial", "law_enforcement", "other"]


class RedressIn(In):
    body: str = Field(description="The court or body that hears a challenge (Annex I section G)")
    deadline_days: StrictInt = Field(ge=1, le=3650, description="Days within which a challenge must be brought")
    national_law: JsonValue = Field(None, description="The national law that provides for the redress")


class LegalRepresentativeIn(In):
    name: str
    member_state: str | None = Field(None, description="ISO 3166-1 alpha-2")
    address: str | None = None


class SignatoryIn(In):
    name: str
    post: str | None = None


class FollowUpContactIn(In):
    email: str
    name: str | None = None
    phone: str | None = None


class _Notice(In):
    """What every kind carries. The service (``notices.kinds``) checks the values: lengths, URL forms, hashes."""

    provider_id: str = Field(description="The hosting provider the notice is addressed to")
    urls: list[str] = Field(description="The exact URL(s) of the content (1 to 100)")
    reasons: str = Field(description="Statement of reasons / why the content is illegal")
    reference: str | None = Field(None, description="The issuer's own reference number")
    identifying_info: str | None = Field(None, description="Further identifying information (Annex I B)")
    content_hashes: list[str] | None = Field(None, description="type:hex, e.g. sha256:...; joins one case")


class RemovalOrderIn(_Notice):
    """TCO Art. 3(4) and Annex I: authorities only; binding, answered within one hour."""

    kind: Literal["removal_order"]
    reference: str = Field(description="The issuer's own reference number")
    tco_types: list[TcoType] = Field(description="TCO Art. 2(7) types")
    legal_basis: str
    redress: RedressIn
    emergency: bool | None = Field(None, description="TCO Art. 3(2): a first order without the 12 h notice")
    emergency_reason: str | None = Field(None, description="Required with emergency")
    cross_border: bool | None = Field(None, description="Default: the provider is established elsewhere")
    host_authority_id: str | None = Field(None, description="Authority of the host Member State (TCO Art. 4)")
    copy_to_europol: bool | None = Field(
        None, description="Send Europol a read-only copy at dispatch (TCO Art. 14(4)); recorded as "
                          "details.europol_copy")
    nondisclosure_days: int | None = Field(None, description="TCO Art. 11(3): up to 42 days")
    issued_at: str | None = Field(None, description="Annex I A: time of issue, ISO 8601 with a time zone")
    operational_hold: str | None = Field(None, description="Hold with this reason (Art. 14(1))")
    language: str | None = Field(None, description="Its language, ISO 639-1 (TCO Art. 15(2))")
    legal_representative: LegalRepresentativeIn | None = Field(
        None, description="Annex I A: the addressee's legal representative")
    establishment_member_state: str | None = Field(
        None, description="Annex I A: Member State of main establishment or of the legal representative")
    authority_type: AuthorityType | None = Field(None, description="Annex I E")
    file_number: str | None = Field(None, description="Annex I E: the issuing authority's file number")
    signatory: SignatoryIn | None = Field(None, description="Annex I E: the representative certifying the order")
    follow_up_contact: FollowUpContactIn | None = Field(None, description="Annex I F: contact for follow-up")


class ReferralIn(_Notice):
    """Voluntary, assessed against the provider's terms (TCO recital 40): authorities and coordinators."""

    kind: Literal["referral"]
    clause: str = Field(description="The provider's terms clause")
    tco_types: list[TcoType] | None = Field(None, description="TCO Art. 2(7) types")
    operational_hold: str | None = Field(None, description="Authorities: hold with this reason (Art. 14(1))")


class TrustedFlagIn(_Notice):
    """DSA Art. 22: a trusted flagger's notice, decided with priority."""

    kind: Literal["trusted_flag"]
    tco_types: list[TcoType] | None = Field(None, description="TCO Art. 2(7) types")
    clause: str | None = Field(None, description="The provider's terms clause")
    legal_basis: str | None = None


class UserReportIn(_Notice):
    """DSA Art. 16(2): anyone, without a key; acknowledged on receipt."""

    kind: Literal["user_report"]
    notifier_name: str
    notifier_email: str
    good_faith: bool = Field(description="DSA Art. 16(2)(d): the good-faith statement; must be true")


class AlertIn(_Notice):
    """A coordinator's alert (as Tech Against Terrorism's TCAP), with a verification label."""

    kind: Literal["alert"]
    verification_label: VerificationLabel
    tco_types: list[TcoType] | None = Field(None, description="TCO Art. 2(7) types")
    clause: str | None = Field(None, description="The provider's terms clause")


NoticeIn = Annotated[RemovalOrderIn | ReferralIn | TrustedFlagIn | UserReportIn | AlertIn,
                     Field(discriminator="kind")]
"""A notice of one of the five kinds, told apart by ``kind``; each kind's model lists what it takes."""
NOTICE_IN: TypeAdapter[RemovalOrderIn | ReferralIn | TrustedFlagIn | UserReportIn | AlertIn] = TypeAdapter(NoticeIn)
_TAG_ERRORS = ("union_tag_invalid", "union_tag_not_found")


def parse_notice(raw: bytes) -> dict[str, Any]:
    """The notice in ``raw`` as the service takes it (absent and null fields left out), or ``ValidationError``.

    A null counts as absent, as it always has: a field another kind takes may be sent as null."""
    try:
        return NOTICE_IN.validate_json(raw).model_dump(exclude_none=True)
    except ValidationError:
        data = _json_or_none(raw)
        if not isinstance(data, dict):
            raise
    stripped = {key: value for key, value in data.items() if value is not None}
    return NOTICE_IN.validate_python(stripped).model_dump(exclude_none=True)


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def notice_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors located as the body has them: without the kind's tag, and a bad kind at ``kind``."""
    return [{**error, "loc": _located(error)} for error in exc.errors(include_url=False)]


def _located(error: Any) -> tuple[str | int, ...]:
    if error["type"] in _TAG_ERRORS:
        return ("kind",)
    loc = tuple(error["loc"])
    return loc[1:] if loc and loc[0] in KINDS else loc


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
    drill: bool = Field(False, description="A practice order (accord.readiness): act on it as on a real one; it "
                                           "is never counted in reports, statements of reasons, strikes or breaches")
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
    """Read line by line: each line is checked on its own and a bad one is refused in the report."""

    notices: list[dict[str, Any]]


def openapi_components() -> dict[str, Any]:
    """The schemas of the bodies that ``POST /v1/notices`` and ``/v1/notices/batch`` read themselves: each kind's
    model, ``NoticeIn`` (one of them, by ``kind``) and ``BatchIn`` (a list of them)."""
    schema = NOTICE_IN.json_schema(ref_template="#/components/schemas/{model}")
    components: dict[str, Any] = schema.pop("$defs")
    components["NoticeIn"] = {**schema, "title": "NoticeIn"}
    components["BatchIn"] = {
        "type": "object", "required": ["notices"], "title": "BatchIn", "description": BatchIn.__doc__,
        "properties": {"notices": {"type": "array", "items": {"$ref": "#/components/schemas/NoticeIn"}}}}
    return components


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
