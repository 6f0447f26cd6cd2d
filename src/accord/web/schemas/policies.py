"""Request and response bodies for policies, jurisdictions and incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from accord.web.schemas.common import In, Out


class RuleIn(In):
    category: str = Field(description="TCO Art. 2(7) type, a standard category, or the provider's own slug")
    action: str = Field(description="remove | disable | restrict | review | no_action")
    clause_ref: str = Field(description="The clause of the terms cited in statements of reasons")
    text: str = Field(description="The text shown to users")
    label: str = ""


class ExemptionIn(In):
    purpose: str = Field(description="journalistic | educational | artistic | research | counter_terrorism")
    text: str


class OverlayIn(In):
    jurisdiction: str = Field(description="EU, EEA or an ISO 3166-1 alpha-2 country")
    category: str
    action: str
    legal_ref: str
    text: str = ""


class AutomationIn(In):
    category: str
    sources: list[str] = Field(description="Signal sources allowed to act alone, e.g. coordinator_bank")
    action: str = Field(description="remove | disable | restrict")
    sample_share: float = Field(description="Share sent to human verification; above 0 (TCO Art. 5)")
    min_confidence: float = 1.0
    labels: list[str] = []
    jurisdiction: str | None = None


class PolicyBodyIn(In):
    rules: list[RuleIn]
    exemptions: list[ExemptionIn] = []
    overlays: list[OverlayIn] = []
    automation: list[AutomationIn] = []


class PolicyIn(In):
    name: str
    description: str = ""
    template: str | None = Field(None, description="Start from this template when no body is given")
    body: PolicyBodyIn | None = None


class VersionIn(In):
    body: PolicyBodyIn
    note: str = ""


class PolicyOut(Out):
    id: str
    provider_id: str
    name: str
    description: str
    active_version: int | None
    activated_at: datetime | None
    created_at: datetime
    updated_at: datetime


class VersionOut(Out):
    id: str
    policy_id: str
    number: int
    state: str
    body: dict[str, Any]
    note: str
    created_by: str
    created_at: datetime
    published_by: str | None
    published_at: datetime | None


class ChangeOut(Out):
    section: str
    key: str
    change: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fields: list[str]


class DiffOut(Out):
    policy_id: str
    from_version: int
    to_version: int
    changes: list[ChangeOut]


class GeoActionOut(Out):
    jurisdiction: str
    action: str
    countries: list[str]
    legal_ref: str


class ResolutionOut(Out):
    action: str
    countries: list[str] = Field(description="Empty: worldwide")
    clause_ref: str
    text: str
    legal_ref: str | None
    version: int
    version_id: str
    policy_id: str
    category: str
    ground_kind: str
    jurisdiction: str | None
    geo: list[GeoActionOut]
    statement: str


class TemplateOut(Out):
    name: str
    description: str
    jurisdictions: list[str]
    body: dict[str, Any]


class JurisdictionsOut(Out):
    notice: str
    jurisdictions: list[dict[str, Any]]


class IncidentIn(In):
    title: str
    level: str = Field(description="incident | content_incident | content_incident_protocol")
    criteria: dict[str, bool] = Field(
        description="ongoing_event, perpetrator_content, depicts_murder, spreading")
    description: str = ""
    drill: bool = False
    members: list[str] | None = Field(
        None, description="The member providers taking part (organisation ids); default: every provider. The "
        "incident bank is shared with them only, and only they (and the coordinator) see the incident")


class EscalateIn(In):
    level: str
    reason: str = ""


class LinkBankIn(In):
    bank_id: str


class ConcludeIn(In):
    conclusion: str = ""


class IncidentOut(Out):
    id: str
    coordinator_id: str
    title: str
    description: str
    tag: str
    level: str
    state: str
    drill: bool
    criteria: dict[str, bool]
    bank_id: str | None
    declared_by: str
    declared_at: datetime
    concluded_by: str | None
    concluded_at: datetime | None
    conclusion: str
    members: list[str] = Field(description="The member providers taking part")


class TimelineOut(Out):
    at: datetime
    tag: str
    actor: str
    org_id: str | None
    subject: str | None


class ActionScopeOut(Out):
    action: str
    countries: list[str] = Field(description="Empty: worldwide")
    automated: bool
    count: int


class DebriefOut(Out):
    incident_id: str
    tag: str
    title: str
    drill: bool
    level: str
    declared_at: datetime
    until: datetime
    duration_seconds: float | None
    hashes_added: int
    matches: int
    providers_matched: int
    actions: dict[str, int]
    action_scopes: list[ActionScopeOut] = Field(default_factory=list, description="Actions by territorial scope")
    automated_actions: int = 0
    sampled_for_verification: int = Field(0, description="Automated actions sampled for a human (TCO Art. 5)")
    bank_id: str | None = None
    seconds_to_first_hash: float | None
    seconds_to_first_match: float | None
    seconds_to_first_action: float | None = None
    timeline: list[TimelineOut]


class ReviewTaskOut(Out):
    id: str
    incident_id: str
    provider_id: str
    state: str
    created_at: datetime
    due_at: datetime
    done_at: datetime | None
    note: str


class ReviewDoneIn(In):
    note: str = ""
