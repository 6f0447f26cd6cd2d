"""Request and response models of the counter-narrative API.

Segments, variants, redirect rules and the experiment are typed here (strictly: nothing is coerced, so the
service sees what was sent), but any other field passes through to the narratives service, so that a field
which tries to target individuals or special categories is refused with an error that names it and says why
(DSA Art. 26(3)), rather than a generic "extra field". The service checks every value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, WithJsonSchema

from accord.web.schemas.common import In, Out

Number = StrictInt | StrictFloat
Messenger = Literal["former_extremist", "religious_figure", "peer", "survivor", "official", "community_leader"]
Format = Literal["photo", "text", "story", "video", "audio"]


class _PassOn(In):
    """Other fields reach the service, which refuses them by name (and says why, for targeting)."""

    model_config = ConfigDict(extra="allow")


class VariantIn(_PassOn):
    """A message variant: who speaks, in what format and language."""

    key: StrictStr = Field(description="1-64 lower-case letters, digits, '-' and '_'")
    messenger: Messenger
    format: Format
    control: StrictBool = Field(False, description="Exactly one variant of a campaign is the control")
    language: StrictStr | None = Field(None, description="ISO 639-1")
    message: StrictStr | None = Field(None, max_length=10_000)
    label: StrictStr | None = None
    content_url: StrictStr | None = Field(None, max_length=2_000)


class SegmentIn(_PassOn):
    """An audience segment: language, country, region or context keywords; never individuals or special
    categories (DSA Art. 26(3))."""

    key: StrictStr = Field(description="1-64 lower-case letters, digits, '-' and '_'")
    country: StrictStr | None = Field(None, description="ISO 3166-1 alpha-2")
    language: StrictStr | None = Field(None, description="ISO 639-1")
    region: StrictStr | None = None
    keywords: list[StrictStr] | None = Field(None, description="Context keywords; no person, account or address")
    label: StrictStr | None = None


class RedirectRuleIn(_PassOn):
    """Risk keywords leading to counter-content: a variant of the campaign, an http(s) URL, or both."""

    keywords: list[StrictStr] = Field(description="Risk keywords (never identifiers)")
    language: StrictStr | None = Field(None, description="ISO 639-1")
    variant: StrictStr | None = Field(None, description="The key of one of the campaign's variants")
    url: StrictStr | None = Field(None, description="http(s) address")


class ExperimentIn(_PassOn):
    """The pre-registered design; every field has a default."""

    primary_outcome: StrictStr | None = Field(None, description="watch_seconds, get_help_clicks, completions, ...")
    allocation: StrictStr | None = Field(None, description="fixed (equal split) or thompson")
    min_share: Number | None = None
    control_share: Number | None = None
    min_impressions: StrictInt | None = None
    max_impressions: StrictInt | None = None
    success_probability: Number | None = None
    futility_probability: Number | None = None


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
    variants: list[VariantIn] = Field(description="A control and at least one other variant.")
    segments: list[SegmentIn] = Field(description="At least one; never individuals or special categories.")
    redirect_rules: list[RedirectRuleIn] = Field(default_factory=list)
    experiment: ExperimentIn | None = None
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


class FigureRowIn(BaseModel):
    """One day of one variant in one segment (the CSV's columns). Only its schema is used: rows are checked one
    by one by the service, which answers every problem at once, by line and column, rather than the first."""

    model_config = ConfigDict(extra="forbid")

    date: str = Field(description="YYYY-MM-DD, inside the campaign's period", json_schema_extra={"format": "date"})
    variant: str = Field(description="A variant's key")
    segment: str = Field(description="A segment's key")
    impressions: int | str = Field(description="A whole number, not negative (digits as text are accepted)")
    clicks: int | str = Field(description="At most the impressions")
    watch_seconds: float | str
    get_help_clicks: int | str
    completions: int | str | None = None
    survey_responses: int | str | None = None


FigureRow = Annotated[dict[str, Any], WithJsonSchema(FigureRowIn.model_json_schema())]


class FiguresIn(In):
    """A batch of figure rows (the CSV column names); a bare JSON list is accepted as well."""

    rows: list[FigureRow]


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
