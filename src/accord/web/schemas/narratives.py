"""Request and response models of the counter-narrative API.

Segments, variants and the experiment arrive as plain objects and are validated by the narratives service,
so that a field which tries to target individuals or special categories is refused with an error that
names it and says why (DSA Art. 26(3)), rather than a generic "extra field".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field

from accord.web.schemas.common import In, Out


class CampaignIn(In):
    """A campaign with its GAMMMA+ plan. Unknown fields reach the service, which refuses them by name."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(description="Name of the campaign.")
    goal: str = Field("", description="G: a measurable goal ('goals that cannot be measured are visions').")
    audience: str = Field("", description="A: who the campaign speaks to, in words (segments say where).")
    message: str = Field("", description="M: the message.")
    messenger: str = Field("", description="M: who carries it and why the audience finds them credible.")
    media: str = Field("", description="M: the channels the audience uses.")
    action: str = Field("", description="A: the call to action (clear, simple, doable, meaningful).")
    evaluation: str = Field("", description="+: the monitoring and evaluation plan.")
    starts_on: date | None = Field(None, description="First day; figures outside the period are refused.")
    ends_on: date | None = Field(None, description="Last day (included).")
    variants: list[dict[str, Any]] = Field(
        description="key, control, messenger, format, language, message, label, content_url; exactly one control."
    )
    segments: list[dict[str, Any]] = Field(
        description="key, country, language, region, keywords, label; never individuals or special categories."
    )
    redirect_rules: list[dict[str, Any]] = Field(
        default_factory=list, description="keywords, language, variant and/or url."
    )
    experiment: dict[str, Any] | None = Field(
        None,
        description="primary_outcome (watch_seconds, get_help_clicks, completions), allocation (fixed or "
        "thompson), min_share, control_share, min_impressions, max_impressions, success_probability, "
        "futility_probability.",
    )
    baselines: dict[str, float] | None = Field(None, description="Segment key -> historical rate (for lift).")


class CampaignOut(Out):
    """A campaign as stored."""

    id: str
    org_id: str
    name: str
    goal: str
    audience: str
    message: str
    messenger: str
    media: str
    action: str
    evaluation: str
    starts_on: date | None
    ends_on: date | None
    experiment: dict[str, Any]
    baselines: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class VariantOut(Out):
    """A message variant."""

    key: str
    control: bool
    messenger: str
    format: str
    language: str | None = None
    label: str | None = None
    message: str | None = None
    content_url: str | None = None


class SegmentOut(Out):
    """An audience segment."""

    key: str
    country: str | None = None
    language: str | None = None
    region: str | None = None
    keywords: list[str] = Field(default_factory=list)
    label: str | None = None


class CampaignDetailOut(CampaignOut):
    """A campaign with its variants and segments."""

    variants: list[VariantOut]
    segments: list[SegmentOut]
    published: bool


class RedirectRuleOut(Out):
    """Risk keywords leading to counter-content."""

    id: str
    keywords: list[str]
    language: str | None
    variant: str | None
    url: str | None
    created_at: datetime


class FiguresIn(In):
    """A batch of figure rows (the CSV column names); a bare JSON list is accepted as well."""

    rows: list[dict[str, Any]]


class ImportOut(Out):
    """What an import did; re-sending the same rows gives inserted = updated = 0."""

    inserted: int
    updated: int
    unchanged: int


class PublishIn(In):
    """Lessons to share with the other organisations; the organisation is named only if it says so."""

    title: str
    lessons: str
    name_organisation: bool = False


class LessonOut(Out):
    """A published lesson with its anonymised results."""

    id: str
    campaign_id: str
    title: str
    lessons: str
    publisher: str | None
    summary: dict[str, Any]
    results: dict[str, Any]
    published_at: datetime


class LessonListOut(Out):
    """A lesson in the library list."""

    id: str
    campaign_id: str
    title: str
    publisher: str | None
    published_at: datetime


class ImpactCellOut(Out):
    """One variant in one segment; a suppressed cell has no clicks, rate or comparison."""

    model_config = ConfigDict(extra="allow")

    variant: str
    segment: str
    messenger: str
    format: str
    control: bool
    impressions: int
    suppressed: bool
    clicks: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    p_beats_control: float | None


class ImpactOut(Out):
    """The impact report (see ``accord.narratives.experiments.impact_report``) with stop-rule verdicts."""

    model_config = ConfigDict(extra="allow")

    campaign_id: str
    threshold: int
    confidence: float
    suppression: str
    primary_outcome: str
    cells: list[ImpactCellOut]
    messenger_by_segment: list[dict[str, Any]]
    format_by_segment: list[dict[str, Any]]
    segment_ranking: list[dict[str, Any]]
    stop_rules: dict[str, Any]
    totals: dict[str, Any]


class AllocationOut(Out):
    """Traffic shares for the next period."""

    campaign_id: str
    method: str
    primary_outcome: str
    control: str
    min_share: float
    shares: dict[str, float]
    p_best: dict[str, float]
    stopped: list[str]


class SampleSizeOut(Out):
    """Impressions needed per arm."""

    control_rate: float
    variant_rate: float
    alpha: float
    power: float
    ratio: float
    per_arm: int
    control: int
    variant: int
    total: int
    effect_size: float
    summary: str
