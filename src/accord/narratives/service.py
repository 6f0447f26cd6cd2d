"""Counter-narrative campaigns: storing the plan, taking figures in, and measuring impact.

Campaigns belong to civil-society, authority or provider organisations. Another organisation never sees a
campaign (``NotFound``); what a campaign chooses to share goes through ``lessons``. ``org_id=None`` is the
operator's CLI.

Every change leaves an audit event tagged ``narratives:<subject>:<action>``. Re-importing figures that are
already stored changes nothing and therefore records nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import get_owned, new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.figures_cache import FiguresCache, digest
from accord.identity.models import Organisation
from accord.narratives import audience, charts, stats
from accord.narratives.audience import MessageFormat, MessengerType, Segment, Variant
from accord.narratives.experiments import (
    Allocation,
    ExperimentDesign,
    design_experiment,
    evaluate_stop_rules,
    thompson_allocation,
)
from accord.narratives.figures import FigureContext, FigureRow, parse_figures_csv, parse_figures_json, plan_upsert
from accord.narratives.impact import ImpactReport, impact_report
from accord.narratives.models import (
    CAMPAIGN_KINDS,
    Campaign,
    CampaignFigure,
    CampaignSegment,
    CampaignVariant,
    RedirectRule,
)
from accord.narratives.plan import (
    TEXT_FIELDS,
    CampaignPlan,
    ExperimentPlan,
    RedirectPlan,
    validate_campaign,
    validate_experiment,
    validate_redirect,
)

OPEN_START = date(1970, 1, 1)
OPEN_END = date(9999, 12, 31)
CHARTS = ("rates", "messengers", "formats")
_CACHE = FiguresCache()  # impact reports and their charts, per data version (see ``accord.figures_cache``)
_FIGURE_FIELDS = ("impressions", "clicks", "watch_seconds", "get_help_clicks", "completions", "survey_responses")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: new rows, changed rows, and rows already stored exactly so."""

    inserted: int
    updated: int
    unchanged: int

    def to_dict(self) -> dict[str, int]:
        """A JSON-serialisable copy."""
        return asdict(self)


# ---- campaigns ---------------------------------------------------------------------------------------


def create_campaign(
    session: Session, clock: Clock, actor: Actor, *, org_id: str, data: Mapping[str, object]
) -> Campaign:
    """Store a campaign with its GAMMMA+ plan, segments, variants, redirect rules and experiment design.

    Only civil-society, authority and provider organisations run campaigns. Segments that target
    individuals or special categories (religion, ethnicity, political views: DSA Art. 26(3)) are refused.
    """
    _require_campaign_kind(session, org_id)
    plan = validate_campaign(data)
    now = clock.now()
    campaign = Campaign(
        id=new_id("cmp"), org_id=org_id, name=plan.name, **plan.texts, starts_on=plan.starts_on,
        ends_on=plan.ends_on, experiment=plan.experiment.to_dict(), baselines=plan.baselines,
        created_at=now, updated_at=now,
    )
    session.add(campaign)
    session.flush()
    _store_parts(session, clock, campaign, plan)
    record(session, clock, actor, Event.NARRATIVES_CAMPAIGN_CREATE, subject=campaign.id, org_id=org_id,
           payload=_create_payload(plan))
    return campaign


def _require_campaign_kind(session: Session, org_id: str) -> None:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"no organisation {org_id!r}")
    if org.kind not in CAMPAIGN_KINDS:
        raise PermissionDenied(f"only {', '.join(CAMPAIGN_KINDS)} organisations run campaigns")


def _store_parts(session: Session, clock: Clock, campaign: Campaign, plan: CampaignPlan) -> None:
    for position, segment in enumerate(plan.segments):
        session.add(_segment_row(campaign.id, position, segment))
    for position, variant in enumerate(plan.variants):
        session.add(_variant_row(campaign.id, position, variant))
    for rule in plan.redirects:
        session.add(_redirect_row(campaign.id, rule, clock))
    session.flush()


def _create_payload(plan: CampaignPlan) -> dict[str, object]:
    return {
        "name": plan.name,
        "variants": [v.key for v in plan.variants],
        "segments": [s.key for s in plan.segments],
        "countries": sorted({s.country for s in plan.segments if s.country}),
        "primary_outcome": plan.experiment.primary_outcome,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
    }


def _segment_row(campaign_id: str, position: int, segment: Segment) -> CampaignSegment:
    return CampaignSegment(
        id=new_id("seg"), campaign_id=campaign_id, position=position, key=segment.key, label=segment.label,
        country=segment.country, language=segment.language, region=segment.region,
        keywords=list(segment.keywords),
    )


def _variant_row(campaign_id: str, position: int, variant: Variant) -> CampaignVariant:
    return CampaignVariant(
        id=new_id("var"), campaign_id=campaign_id, position=position, key=variant.key, control=variant.control,
        messenger=variant.messenger.value, format=variant.format.value, language=variant.language,
        label=variant.label, message=variant.message, content_url=variant.content_url,
    )


def _redirect_row(campaign_id: str, rule: RedirectPlan, clock: Clock) -> RedirectRule:
    return RedirectRule(
        id=new_id("rdr"), campaign_id=campaign_id, keywords=list(rule.keywords), language=rule.language,
        variant=rule.variant, url=rule.url, created_at=clock.now(),
    )


def list_campaigns(session: Session, org_id: str | None) -> list[Campaign]:
    """The organisation's campaigns, newest first (every campaign for the operator)."""
    query = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.name)
    if org_id is not None:
        query = query.where(Campaign.org_id == org_id)
    return list(session.scalars(query))


def get_campaign(session: Session, org_id: str | None, campaign_id: str) -> Campaign:
    """One of the organisation's campaigns; another organisation's is ``NotFound``."""
    return get_owned(session, Campaign, campaign_id, org_id, what="campaign")


def segments_of(session: Session, campaign_id: str) -> list[Segment]:
    """The campaign's segments, in the order they were declared."""
    rows = session.scalars(
        select(CampaignSegment).where(CampaignSegment.campaign_id == campaign_id).order_by(CampaignSegment.position)
    )
    return [
        Segment(key=r.key, country=r.country, language=r.language, region=r.region,
                keywords=tuple(r.keywords), label=r.label)
        for r in rows
    ]


def variants_of(session: Session, campaign_id: str) -> list[Variant]:
    """The campaign's variants, control first as declared."""
    rows = session.scalars(
        select(CampaignVariant).where(CampaignVariant.campaign_id == campaign_id).order_by(CampaignVariant.position)
    )
    return [
        Variant(key=r.key, messenger=MessengerType(r.messenger), format=MessageFormat(r.format), control=r.control,
                language=r.language, message=r.message, label=r.label, content_url=r.content_url)
        for r in rows
    ]


def add_variant(
    session: Session, clock: Clock, actor: Actor, *, org_id: str | None, campaign_id: str,
    data: Mapping[str, object],
) -> Variant:
    """Add a variant (never a second control); the experiment design must still fit the new number of arms."""
    campaign = get_campaign(session, org_id, campaign_id)
    existing = variants_of(session, campaign.id)
    variant = audience.validate_variant(data, field="variant")
    if variant.control:
        raise InvalidInput("the campaign has its control already", field="variant.control")
    if variant.key in {v.key for v in existing}:
        raise Conflict(f"the campaign has a variant {variant.key!r} already", field="variant.key")
    validate_experiment(campaign.experiment, [*existing, variant])
    session.add(_variant_row(campaign.id, len(existing), variant))
    _touch(campaign, clock)
    record(session, clock, actor, Event.NARRATIVES_VARIANT_ADD, subject=campaign.id, org_id=campaign.org_id,
           payload={"variant": variant.key, "messenger": variant.messenger.value, "format": variant.format.value})
    return variant


def add_segment(
    session: Session, clock: Clock, actor: Actor, *, org_id: str | None, campaign_id: str,
    data: Mapping[str, object],
) -> Segment:
    """Add an audience segment (language, country, region, context keywords only)."""
    campaign = get_campaign(session, org_id, campaign_id)
    existing = segments_of(session, campaign.id)
    segment = audience.validate_segment(data, field="segment")
    if segment.key in {s.key for s in existing}:
        raise Conflict(f"the campaign has a segment {segment.key!r} already", field="segment.key")
    session.add(_segment_row(campaign.id, len(existing), segment))
    _touch(campaign, clock)
    record(session, clock, actor, Event.NARRATIVES_SEGMENT_ADD, subject=campaign.id, org_id=campaign.org_id,
           payload={"segment": segment.key, "country": segment.country, "language": segment.language})
    return segment


def _touch(campaign: Campaign, clock: Clock) -> None:
    campaign.updated_at = clock.now()


# ---- redirect rules ----------------------------------------------------------------------------------


def add_redirect_rule(
    session: Session, clock: Clock, actor: Actor, *, org_id: str | None, campaign_id: str,
    data: Mapping[str, object],
) -> RedirectRule:
    """Map risk keywords to counter-content (a variant of the campaign, a URL, or both)."""
    campaign = get_campaign(session, org_id, campaign_id)
    rule = validate_redirect(data, {v.key for v in variants_of(session, campaign.id)})
    row = _redirect_row(campaign.id, rule, clock)
    session.add(row)
    session.flush()
    record(session, clock, actor, Event.NARRATIVES_REDIRECT_ADD, subject=row.id, org_id=campaign.org_id,
           payload={"campaign_id": campaign.id, "keywords": len(rule.keywords), "variant": rule.variant})
    return row


def list_redirect_rules(session: Session, org_id: str | None, campaign_id: str) -> list[RedirectRule]:
    """The campaign's redirect rules, oldest first."""
    campaign = get_campaign(session, org_id, campaign_id)
    query = select(RedirectRule).where(RedirectRule.campaign_id == campaign.id).order_by(RedirectRule.created_at)
    return list(session.scalars(query))


def match_redirect(
    session: Session, org_id: str | None, campaign_id: str, query: str, language: str | None = None
) -> RedirectRule | None:
    """The first rule with a keyword contained in ``query`` (case-insensitive), in the query's language."""
    text = query.casefold()
    for rule in list_redirect_rules(session, org_id, campaign_id):
        if language and rule.language and rule.language != language:
            continue
        if any(str(keyword).casefold() in text for keyword in rule.keywords):
            return rule
    return None


# ---- experiment --------------------------------------------------------------------------------------


def register_experiment(
    session: Session, clock: Clock, actor: Actor, *, org_id: str | None, campaign_id: str,
    data: Mapping[str, object],
) -> Campaign:
    """Pre-register the experiment design; refused once figures have come in (no outcome switching)."""
    campaign = get_campaign(session, org_id, campaign_id)
    plan = validate_experiment(data, variants_of(session, campaign.id))
    if session.scalar(select(CampaignFigure.id).where(CampaignFigure.campaign_id == campaign.id).limit(1)):
        raise Conflict("figures have come in: the design can no longer change", field="experiment")
    campaign.experiment = plan.to_dict()
    _touch(campaign, clock)
    record(session, clock, actor, Event.NARRATIVES_EXPERIMENT_REGISTER, subject=campaign.id, org_id=campaign.org_id,
           payload=plan.to_dict())
    return campaign


def design_of(session: Session, campaign: Campaign) -> tuple[ExperimentDesign, ExperimentPlan]:
    """The campaign's experiment design, built from its pre-registered plan."""
    plan = ExperimentPlan(**campaign.experiment)
    design = design_experiment(
        variants_of(session, campaign.id), plan.primary_outcome, min_share=plan.min_share,
        control_share=plan.control_share, min_impressions=plan.min_impressions,
        max_impressions=plan.max_impressions, success_probability=plan.success_probability,
        futility_probability=plan.futility_probability,
    )
    return design, plan


def allocation(session: Session, org_id: str | None, campaign_id: str) -> dict[str, Any]:
    """Traffic shares for the next period: the control keeps its share, every active arm at least the minimum.

    Arms stopped by the stop rules (backfire, futility) get nothing. With ``thompson`` allocation the rest
    follows each arm's probability of being best on the primary outcome; with ``fixed`` it is split equally.
    """
    campaign = get_campaign(session, org_id, campaign_id)
    design, plan = design_of(session, campaign)
    rows = figure_rows(session, campaign.id)
    stopped = evaluate_stop_rules(design, rows).stopped_arms
    if plan.allocation == "thompson":
        split = thompson_allocation(design, rows, stopped=stopped, seed=_seed(campaign.id))
    else:
        split = _fixed_split(design, stopped)
    return {
        "campaign_id": campaign.id, "method": plan.allocation, "primary_outcome": plan.primary_outcome,
        "control": design.control, "min_share": design.min_share, "shares": split.shares,
        "p_best": split.p_best, "stopped": list(stopped),
    }


def _fixed_split(design: ExperimentDesign, stopped: Sequence[str]) -> Allocation:
    active = [arm for arm in design.treatments if arm not in stopped]
    control = design.control_share if design.control_share is not None else 1 / (len(active) + 1)
    if not active:
        control = 1.0
    shares = {design.control: control} | {arm: 0.0 for arm in design.treatments}
    for arm in active:
        shares[arm] = (1 - control) / len(active)
    return Allocation(shares, {})


def _seed(campaign_id: str) -> int:
    """A stable seed per campaign, so the same figures always give the same split."""
    return int.from_bytes(hashlib.sha256(campaign_id.encode()).digest()[:4], "big")


# ---- figures -----------------------------------------------------------------------------------------


def figure_context(session: Session, campaign: Campaign) -> FigureContext:
    """What the campaign accepts; a campaign without a declared period accepts any date."""
    return FigureContext(
        variants=frozenset(v.key for v in variants_of(session, campaign.id)),
        segments=frozenset(s.key for s in segments_of(session, campaign.id)),
        start=campaign.starts_on or OPEN_START,
        end=campaign.ends_on or OPEN_END,
    )


def import_figures_json(
    session: Session, clock: Clock, actor: Actor, *, org_id: str | None, campaign_id: str,
    items: Sequence[object],
) -> ImportResult:
    """Validate and upsert JSON rows; every problem is reported at once, per line and field."""
    campaign = get_campaign(session, org_id, campaign_id)
    rows = parse_figures_json(items, figure_context(session, campaign))
    return _upsert(session, clock, actor, campaign, rows, source="api")


def import_figures_csv(
    session: Session, clock: Clock, actor: Actor, *, org_id: str | None, campaign_id: str, text: str,
    source: str = "csv",
) -> ImportResult:
    """Validate and upsert a CSV export (header at least date,variant,segment,impressions,clicks,...)."""
    campaign = get_campaign(session, org_id, campaign_id)
    rows = parse_figures_csv(text, figure_context(session, campaign))
    return _upsert(session, clock, actor, campaign, rows, source=source)


def figure_rows(session: Session, campaign_id: str) -> list[FigureRow]:
    """Every stored figure of a campaign."""
    return [_as_row(f) for f in _stored(session, campaign_id, None)]


def _stored(session: Session, campaign_id: str, days: tuple[date, date] | None) -> list[CampaignFigure]:
    query = select(CampaignFigure).where(CampaignFigure.campaign_id == campaign_id)
    if days is not None:
        query = query.where(CampaignFigure.date >= days[0], CampaignFigure.date <= days[1])
    return list(session.scalars(query.order_by(CampaignFigure.date, CampaignFigure.variant, CampaignFigure.segment)))


def _as_row(figure: CampaignFigure) -> FigureRow:
    return FigureRow(
        date=figure.date, variant=figure.variant, segment=figure.segment, impressions=figure.impressions,
        clicks=figure.clicks, watch_seconds=float(figure.watch_seconds), get_help_clicks=figure.get_help_clicks,
        completions=figure.completions, survey_responses=figure.survey_responses,
    )


def _upsert(
    session: Session, clock: Clock, actor: Actor, campaign: Campaign, rows: Sequence[FigureRow], *, source: str
) -> ImportResult:
    if not rows:
        return ImportResult(0, 0, 0)
    days = (min(r.date for r in rows), max(r.date for r in rows))
    stored = {(f.date, f.variant, f.segment): f for f in _stored(session, campaign.id, days)}
    plan = plan_upsert((_as_row(f) for f in stored.values()), rows)
    for row in plan.insert:
        session.add(CampaignFigure(id=new_id("fig"), campaign_id=campaign.id, **_values(row), date=row.date,
                                   variant=row.variant, segment=row.segment))
    for row in plan.update:
        _update(session, clock, actor, campaign, stored[row.key], row)
    result = ImportResult(len(plan.insert), len(plan.update), len(plan.unchanged))
    if plan.insert or plan.update:
        _touch(campaign, clock)
        session.flush()
        record(session, clock, actor, Event.NARRATIVES_FIGURES_IMPORT, subject=campaign.id, org_id=campaign.org_id,
               payload={**result.to_dict(), "source": source, "from": days[0], "to": days[1]})
    return result


def _values(row: FigureRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _FIGURE_FIELDS}


def _update(
    session: Session, clock: Clock, actor: Actor, campaign: Campaign, stored: CampaignFigure, row: FigureRow
) -> None:
    before = _values(_as_row(stored))
    for name, value in _values(row).items():
        setattr(stored, name, value)
    record(session, clock, actor, Event.NARRATIVES_FIGURE_UPDATE, subject=campaign.id, org_id=campaign.org_id,
           payload={"date": row.date, "variant": row.variant, "segment": row.segment, "before": before,
                    "after": _values(row)})


# ---- impact ------------------------------------------------------------------------------------------


def impact(session: Session, org_id: str | None, campaign_id: str) -> dict[str, Any]:
    """The impact report: per variant and segment rates with Wilson intervals and P(beats control), the
    messenger, format and community tables, and the verdict of the pre-registered stop rules.

    Cells with fewer than ten clicks are suppressed and say so; comparisons involving them are left out.
    """
    campaign = get_campaign(session, org_id, campaign_id)
    return impact_of(session, campaign)


def impact_of(session: Session, campaign: Campaign) -> dict[str, Any]:
    rows = figure_rows(session, campaign.id)
    report = _impact_report(variants_of(session, campaign.id), segments_of(session, campaign.id), rows,
                            dict(campaign.baselines))
    design, plan = design_of(session, campaign)
    return {
        "campaign_id": campaign.id,
        **report.to_dict(),
        "suppression": f"cells with fewer than {report.threshold} clicks are suppressed",
        "primary_outcome": plan.primary_outcome,
        "stop_rules": evaluate_stop_rules(design, rows).to_dict(),
        "totals": _totals(rows),
    }


def _totals(rows: Iterable[FigureRow]) -> dict[str, Any]:
    rows = list(rows)
    return {
        "days": len({r.date for r in rows}),
        "impressions": sum(r.impressions for r in rows),
        "clicks": sum(r.clicks for r in rows),
        "watch_seconds": sum(r.watch_seconds for r in rows),
        "get_help_clicks": sum(r.get_help_clicks for r in rows),
    }


def chart(session: Session, org_id: str | None, campaign_id: str, name: str) -> bytes:
    """A PNG chart of the campaign's impact: ``rates``, ``messengers`` or ``formats``."""
    campaign = get_campaign(session, org_id, campaign_id)
    report = _impact_report(variants_of(session, campaign.id), segments_of(session, campaign.id),
                            figure_rows(session, campaign.id), dict(campaign.baselines))
    return _CACHE.get(digest("chart", name, report), lambda: draw(report_name=name, report=report))


def _impact_report(variants: Sequence[Variant], segments: Sequence[Segment], rows: Sequence[FigureRow],
                   baselines: dict[str, float]) -> ImpactReport:
    """The impact report (partial pooling fits take a second), kept until the campaign's figures change."""
    key = digest("impact", variants, segments, rows, sorted(baselines.items()))
    return _CACHE.get(key, lambda: impact_report(variants, segments, rows, baselines=baselines))


def draw(*, report_name: str, report: ImpactReport) -> bytes:
    """Draw one of ``CHARTS`` for an impact report."""
    if report_name == "rates":
        return charts.rates_chart(report)
    if report_name == "messengers":
        return charts.messenger_heatmap(report)
    if report_name == "formats":
        return charts.format_heatmap(report)
    raise NotFound(f"no chart {report_name!r}; charts: {', '.join(CHARTS)}")


def sample_size(
    control_rate: float, variant_rate: float, *, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0
) -> dict[str, Any]:
    """Impressions per arm to detect a change, with a sentence a campaign team can quote."""
    size = stats.sample_size_two_proportions(control_rate, variant_rate, alpha=alpha, power=power, ratio=ratio)
    return {
        "control_rate": control_rate, "variant_rate": variant_rate, "alpha": alpha, "power": power,
        "ratio": ratio, "per_arm": size.per_arm, "control": size.control, "variant": size.variant,
        "total": size.total, "effect_size": size.effect_size,
        "summary": f"{control_rate:.1%} → {variant_rate:.1%} needs about {size.per_arm:,} impressions per arm",
    }


def texts_of(campaign: Campaign) -> dict[str, str]:
    """The GAMMMA+ texts of a campaign."""
    return {name: getattr(campaign, name) for name in TEXT_FIELDS}
