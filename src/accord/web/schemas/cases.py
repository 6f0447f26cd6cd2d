"""Queues, cases, decisions, statements of reasons and quality figures on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, WithJsonSchema

from accord.cases.config import MAX_SETTING
from accord.web.schemas.common import In, Out


class QueueIn(In):
    name: str = Field(max_length=120)
    position: int = Field(100, description="routing order: the first matching queue wins")
    rules: dict[str, list[str]] = Field(default_factory=dict,
                                        description="sources, severity, languages, jurisdictions; absent: any")
    roles: list[str] = Field(default_factory=list, description="roles that may see it; empty: every reviewer")
    harm: str = Field("high", description="'low' queues take reviewers past their graphic-item soft cap")


class QueueOut(Out):
    id: str
    name: str
    position: int
    rules: dict[str, list[str]]
    roles: list[str]
    harm: str
    kind: str


class CaseOut(Out):
    id: str
    title: str
    state: str
    queue_id: str | None
    urls: list[str]
    sources: list[str]
    labels: list[str]
    language: str | None
    jurisdiction: str | None
    media: list[dict[str, Any]]
    tier: int = Field(description="0 removal order, 1 trusted flagger or authority, 2 other")
    score: int = Field(description="confidence (0-3) + severity (0-7)")
    band: str
    score_reasons: list[str]
    graphic: bool
    deadline_at: datetime | None
    seconds_left: int | None
    breach: bool
    claimed_by: str | None
    claimed_at: datetime | None
    escalation: str | None
    created_at: datetime
    decided_at: datetime | None


class WellnessOut(Out):
    blur: bool
    greyscale: bool
    mute_video: bool
    graphic_soft_cap: int
    shift_hours: int
    graphic_seen: int = 0
    over_cap: bool = False
    suggest_break: bool = False


class ClaimedCaseOut(CaseOut):
    wellness: WellnessOut


class DecisionIn(In):
    action: str = Field(description="remove, disable, restrict or no_action")
    ground: str = Field(max_length=500, description="the policy clause or legal article relied on (required)")
    facts: str = Field(max_length=5000, description="the facts and circumstances relied on")
    ground_kind: str | None = Field(None, description="'legal' or 'terms'; inferred from the ground if absent")
    ground_explanation: str = Field("", max_length=2000)
    countries: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2, for 'disable'")
    restriction: str | None = Field(None, description="for 'restrict': demoted, age_restricted, ...")
    exempt_purpose: str | None = Field(None, description="TCO Art. 1(3): journalistic, educational, artistic, "
                                                         "research or counter_terrorism")
    exemption_assessment: str = Field("", max_length=2000)
    automated_decision: bool = False
    manifestly_illegal: bool = Field(False, description="counts a strike against the uploader (DSA Art. 23)")
    unfounded_notifiers: list[str] = Field(default_factory=list,
                                           description="notifiers whose notice was manifestly unfounded")


class DecisionOut(Out):
    id: str
    case_id: str
    reviewer: str
    action: str
    countries: list[str]
    restriction: str | None
    ground_kind: str
    ground_ref: str
    ground_explanation: str
    exempt_purpose: str | None
    exemption_assessment: str
    facts: str
    automated_detection: bool
    automated_decision: bool
    notice_ids: list[str]
    statement_id: str | None
    policy_version_id: str | None = Field(description="the provider's policy version in force when the "
                                                      "decision was taken; null when it had none")
    created_at: datetime


class CaseDetailOut(CaseOut):
    decisions: list[DecisionOut]


class StatementOut(Out):
    id: str
    decision_id: str
    elements: dict[str, Any]
    body: dict[str, Any] | None = Field(description="the DSA Transparency Database body, when one is due")
    exemption: str | None
    created_at: datetime


class PreviewOut(Out):
    elements: dict[str, Any]
    body: dict[str, Any] | None
    exemption: str | None


class EscalationIn(In):
    to: str = Field(description="'senior' or 'law_enforcement' (imminent threat)")
    reason: str = Field(max_length=2000)


class QualityReviewOut(Out):
    id: str
    case_id: str
    kind: str
    state: str
    created_at: datetime


class QualityAnswerIn(In):
    action: str


class ReviewSettingsOut(Out):
    """The organisation's review settings, defaults filled in (``cases.config.DEFAULTS``)."""

    claim_idle_minutes: int = Field(description="An idle claim returns to the pool after this long")
    rereview_share: float = Field(description="Share of human decisions re-reviewed blind")
    automated_verify_share: float = Field(description="TCO Art. 5: share of automated decisions verified; never 0")
    breach_risk_minutes: int = Field(description="A removal order this close to its deadline is at risk")
    shift_hours: int
    graphic_soft_cap: int = Field(description="Graphic items per shift before rotation to lower-harm queues")
    blur: bool
    greyscale: bool
    mute_video: bool
    uploader_warning_at: int
    uploader_suspension_at: int
    notifier_warning_at: int
    notifier_suspension_at: int
    strike_window_days: int
    suspension_days: int = Field(description="DSA Art. 23: how long a suspension lasts")


class PreferencesOut(Out):
    """The wellness settings in force for the caller: the organisation's, then their own overrides."""

    blur: bool
    greyscale: bool
    mute_video: bool
    graphic_soft_cap: int
    shift_hours: int


class AgreementOut(Out):
    count: int
    agreements: int
    agreement: float | None
    kappa: float | None = Field(description="Cohen's kappa, or null when it is undefined")
    overturn_rate: float | None


class QueueAgreementOut(AgreementOut):
    queue_id: str | None
    name: str


class PairAgreementOut(AgreementOut):
    reviewers: list[str]


class AutomatedAgreementOut(AgreementOut):
    decisions: int = Field(description="Automated decisions")
    sampled: int = Field(description="Of which sampled for human verification")
    configured_share: float


class QualityOut(Out):
    """Blind re-review agreement: overall, per queue, per reviewer pair, and for automated decisions."""

    overall: AgreementOut
    queues: list[QueueAgreementOut]
    pairs: list[PairAgreementOut]
    automated: AutomatedAgreementOut
    pending: int


class QueuePendingOut(Out):
    queue_id: str
    name: str
    kind: str
    pending: int


class OldestWaitingOut(Out):
    case_id: str
    since: datetime
    seconds: int


class AtRiskOut(Out):
    case_id: str
    deadline_at: datetime
    seconds_left: int = Field(description="Negative: the deadline has passed")
    breach: bool
    claimed_by: str | None


class ReviewerCountOut(Out):
    reviewer: str | None
    decisions: int


class AutomatedSplitOut(Out):
    automated: int
    manual: int


class DashboardOut(Out):
    """Pending per queue, oldest waiting, removal orders at risk, median time to decision, who decided."""

    now: datetime
    pending: list[QueuePendingOut]
    oldest_waiting: OldestWaitingOut | None
    removal_orders_at_risk: list[AtRiskOut]
    median_seconds_to_decision: float | None
    decisions_per_reviewer: list[ReviewerCountOut]
    automated: AutomatedSplitOut


class StrikeStatusOut(Out):
    """DSA Art. 23: strikes in the window and the last consequence."""

    subject_kind: str
    subject_ref: str
    strikes: int
    standing: str = Field(description="good, or the last consequence (warning, suspension, ...)")


def _some_of(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s schema with every field optional and each number's range: what a patch may send (the
    service checks each value, and refuses an unknown key by name)."""
    schema = model.model_json_schema()
    schema.pop("required", None)
    for name, field in schema["properties"].items():
        if field.get("type") == "integer":
            field.update(minimum=1, maximum=MAX_SETTING)
        elif field.get("type") == "number":
            field.update(minimum=0, maximum=1)
            if name == "automated_verify_share":
                field.update(exclusiveMinimum=0)
                del field["minimum"]
    return {**schema, "additionalProperties": False, "title": f"{model.__name__.removesuffix('Out')}Values",
            "description": "Any of these; the others keep their values."}


class SettingsPatch(In):
    """Some of the organisation's review settings (admins)."""

    values: Annotated[dict[str, Any], WithJsonSchema(_some_of(ReviewSettingsOut))]


class PreferencesPatch(In):
    """Some of your own wellness settings, over the organisation's."""

    values: Annotated[dict[str, Any], WithJsonSchema(_some_of(PreferencesOut))]
