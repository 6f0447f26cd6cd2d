"""The GAMMMA+ plan of a campaign, validated before anything is stored.

RAN's GAMMMA+ model asks a campaign for its **G**oal, **A**udience, **M**essage, **M**essenger, **M**edia,
**A**ction and, the "+", a monitoring and evaluation plan. The audience proper is a list of segments (see
``audience``); the experiment is pre-registered here too, so the primary outcome is fixed before any figure
is seen. Any field outside the plan is refused, and a field that tries to target individuals or special
categories says so (DSA Art. 26(3)).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from accord.errors import InvalidInput
from accord.narratives import audience
from accord.narratives.audience import Segment, Variant
from accord.narratives.experiments import design_experiment

TEXT_FIELDS: tuple[str, ...] = ("goal", "audience", "message", "messenger", "media", "action", "evaluation")
CAMPAIGN_FIELDS: frozenset[str] = frozenset(
    {"name", *TEXT_FIELDS, "starts_on", "ends_on", "variants", "segments", "redirect_rules", "experiment",
     "baselines"}
)
EXPERIMENT_FIELDS: frozenset[str] = frozenset(
    {"primary_outcome", "allocation", "min_share", "control_share", "min_impressions", "max_impressions",
     "success_probability", "futility_probability"}
)
REDIRECT_FIELDS: frozenset[str] = frozenset({"keywords", "language", "variant", "url"})
ALLOCATIONS = ("fixed", "thompson")
MAX_TEXT = 10_000


@dataclass(frozen=True, slots=True)
class ExperimentPlan:
    """The pre-registered design; ``allocation`` is ``fixed`` (equal split) or ``thompson``."""

    primary_outcome: str = "get_help_clicks"
    allocation: str = "fixed"
    min_share: float = 0.05
    control_share: float | None = None
    min_impressions: int = 1_000
    max_impressions: int | None = None
    success_probability: float = 0.95
    futility_probability: float = 0.10

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RedirectPlan:
    """Risk keywords and the counter-content they lead to: a variant, a URL, or both."""

    keywords: tuple[str, ...]
    language: str | None
    variant: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    """A validated campaign, ready to store."""

    name: str
    texts: dict[str, str]
    starts_on: date | None
    ends_on: date | None
    variants: tuple[Variant, ...]
    segments: tuple[Segment, ...]
    redirects: tuple[RedirectPlan, ...]
    experiment: ExperimentPlan
    baselines: dict[str, float]


def validate_campaign(data: Mapping[str, object]) -> CampaignPlan:
    """Validate a whole campaign as sent to ``POST /v1/campaigns`` or ``accord campaign create``."""
    audience.check_fields(data, CAMPAIGN_FIELDS)
    variants = audience.validate_variants(_list(data.get("variants"), "variants"))
    segments = audience.validate_segments(_list(data.get("segments"), "segments"))
    starts_on, ends_on = _period(data.get("starts_on"), data.get("ends_on"))
    variant_keys = {v.key for v in variants}
    rules = _list(data.get("redirect_rules") or [], "redirect_rules")
    return CampaignPlan(
        name=_name(data.get("name")),
        texts={name: _text(data.get(name), name) for name in TEXT_FIELDS},
        starts_on=starts_on,
        ends_on=ends_on,
        variants=tuple(variants),
        segments=tuple(segments),
        redirects=tuple(validate_redirect(r, variant_keys, f"redirect_rules[{i}]") for i, r in enumerate(rules)),
        experiment=validate_experiment(data.get("experiment") or {}, variants),
        baselines=validate_baselines(data.get("baselines") or {}, {s.key for s in segments}),
    )


def validate_experiment(data: object, variants: Sequence[Variant]) -> ExperimentPlan:
    """Check a design against the variants (shares must fit the number of arms)."""
    if not isinstance(data, Mapping):
        raise InvalidInput("experiment must be an object", field="experiment")
    audience.check_fields(data, EXPERIMENT_FIELDS, "experiment")
    plan = ExperimentPlan(**{name: data[name] for name in EXPERIMENT_FIELDS if name in data})
    if plan.allocation not in ALLOCATIONS:
        raise InvalidInput(f"allocation must be one of {', '.join(ALLOCATIONS)}", field="experiment.allocation")
    _check_numbers(plan)
    design_experiment(
        variants,
        str(plan.primary_outcome),
        min_share=plan.min_share,
        control_share=plan.control_share,
        min_impressions=plan.min_impressions,
        max_impressions=plan.max_impressions,
        success_probability=plan.success_probability,
        futility_probability=plan.futility_probability,
    )
    return plan


def _check_numbers(plan: ExperimentPlan) -> None:
    for name in ("min_share", "control_share", "success_probability", "futility_probability"):
        value = getattr(plan, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidInput("must be a number", field=f"experiment.{name}")
    for name in ("min_impressions", "max_impressions"):
        value = getattr(plan, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidInput("must be a whole number", field=f"experiment.{name}")


def validate_redirect(data: object, variant_keys: Collection[str], field: str = "redirect_rule") -> RedirectPlan:
    """A redirect rule: risk keywords (never identifiers) leading to a known variant and/or an http(s) URL."""
    if not isinstance(data, Mapping):
        raise InvalidInput("a redirect rule must be an object", field=field)
    audience.check_fields(data, REDIRECT_FIELDS, field)
    keywords = audience.check_keywords(data.get("keywords"), f"{field}.keywords")
    if not keywords:
        raise InvalidInput("a redirect rule needs at least one risk keyword", field=f"{field}.keywords")
    variant, url = data.get("variant"), data.get("url")
    if variant is not None and variant not in variant_keys:
        raise InvalidInput(f"unknown variant {variant!r}", field=f"{field}.variant")
    if url is not None and (not isinstance(url, str) or not url.startswith(("https://", "http://"))):
        raise InvalidInput("url must be an http(s) address", field=f"{field}.url")
    if variant is None and url is None:
        raise InvalidInput("a redirect rule leads to a variant, a url, or both", field=field)
    language = audience.check_language(data.get("language"), f"{field}.language")
    return RedirectPlan(keywords, language, None if variant is None else str(variant), url)


def validate_baselines(data: object, segment_keys: Collection[str]) -> dict[str, float]:
    """Historical rates per segment (strictly between 0 and 1), for lift against the same keywords' past."""
    if not isinstance(data, Mapping):
        raise InvalidInput("baselines must map segment keys to rates", field="baselines")
    out: dict[str, float] = {}
    for key, value in data.items():
        if key not in segment_keys:
            raise InvalidInput(f"unknown segment {key!r}", field=f"baselines.{key}")
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or not 0 < float(value) < 1:
            raise InvalidInput("a baseline rate lies strictly between 0 and 1", field=f"baselines.{key}")
        out[str(key)] = float(value)
    return out


def validate_lessons(title: object, lessons: object) -> tuple[str, str]:
    """Published lessons are read by other organisations: no e-mail addresses, handles or phone numbers."""
    checked_title = _name(title, field="title")
    text = _text(lessons, "lessons")
    if not text.strip():
        raise InvalidInput("write the lessons learnt before publishing", field="lessons")
    for field, value in (("title", checked_title), ("lessons", text)):
        what = audience.personal_identifier(value)
        if what:
            raise InvalidInput(f"contains {what}; published lessons must be anonymised", field=field)
    return checked_title, text


def _list(value: object, field: str) -> list[Mapping[str, object]]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise InvalidInput("must be a list of objects", field=field)
    return value


def _name(value: object, field: str = "name") -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidInput("must be a non-empty text of at most 200 characters", field=field)
    return value.strip()


def _text(value: object, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InvalidInput(f"must be a text of at most {MAX_TEXT} characters", field=field)
    return value.strip()


def _period(start: object, end: object) -> tuple[date | None, date | None]:
    starts_on, ends_on = _date(start, "starts_on"), _date(end, "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput("the campaign cannot end before it starts", field="ends_on")
    return starts_on, ends_on


def _date(value: object, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if isinstance(value, str) and len(value) == 10 else _bad_date(field)
    except ValueError:
        raise InvalidInput("must be a date written YYYY-MM-DD", field=field) from None


def _bad_date(field: str) -> date:
    raise InvalidInput("must be a date written YYYY-MM-DD", field=field)
