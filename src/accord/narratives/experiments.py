"""A/B/n experiments with a fixed control arm, Thompson allocation and stop rules.

An experiment is pre-registered: its **primary outcome** is chosen before data come in and must measure
impact — watch time, get-help clicks or completions. Raw clicks are refused as a primary outcome: a click
shows attention, not a change of mind (RAND's review of the Redirect Method).

* ``thompson_allocation`` splits traffic: the control keeps a fixed share, every active variant keeps at
  least ``min_share`` (exploration never stops), and the rest goes to the variants in proportion to their
  probability of being best. The random generator is seeded, so the same figures give the same split.
* ``evaluate_stop_rules`` applies the rules fixed in the design: **success** when a variant beats control
  with probability above ``success_probability`` once both arms reached ``min_impressions``; **futility**
  when that probability is low or the planned sample is spent; **backfire** when a variant is significantly
  worse than control on the primary outcome (Bélanger et al. 2020 found counter-messages that backfired),
  which stops that variant at once, whatever the sample size.

Count outcomes use Beta(1, 1) posteriors. Watch time is a mean per impression: its uncertainty comes from the
day-to-day spread of the daily figures (a ratio estimator with days as clusters), so it needs at least two
days of figures per arm before any decision.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
from scipy import stats as scipy_stats

from accord.errors import InvalidInput
from accord.narratives import stats
from accord.narratives.audience import Segment, Variant
from accord.narratives.figures import FigureRow


class PrimaryOutcome(StrEnum):
    """Outcomes that may be pre-registered as primary: each says more about impact than a click does."""

    WATCH_SECONDS = "watch_seconds"
    GET_HELP_CLICKS = "get_help_clicks"
    COMPLETIONS = "completions"


NOT_IMPACT: frozenset[str] = frozenset({"clicks", "ctr", "click_through_rate", "impressions"})


class ArmStatus(StrEnum):
    """What the stop rules say about one arm."""

    CONTROL = "control"
    CONTINUE = "continue"
    SUCCESS = "success"
    FUTILITY = "futility"
    BACKFIRE = "backfire"


class Verdict(StrEnum):
    """What the stop rules say about the whole experiment."""

    CONTINUE = "continue"
    SUCCESS = "success"
    NO_WINNER = "no_winner"


@dataclass(frozen=True, slots=True)
class ExperimentDesign:
    """The pre-registered plan of an experiment; build it with ``design_experiment``."""

    control: str
    arms: tuple[str, ...]
    primary: PrimaryOutcome
    min_share: float = 0.05
    control_share: float | None = None
    min_impressions: int = 1_000
    max_impressions: int | None = None
    success_probability: float = 0.95
    futility_probability: float = 0.10
    confidence: float = 0.95

    @property
    def treatments(self) -> tuple[str, ...]:
        """The arms other than control."""
        return tuple(arm for arm in self.arms if arm != self.control)


@dataclass(frozen=True, slots=True)
class ArmSummary:
    """An arm's totals on the primary outcome; ``se`` is None when the spread cannot be estimated yet."""

    key: str
    impressions: int
    total: float
    days: int
    mean: float
    se: float | None


@dataclass(frozen=True, slots=True)
class Allocation:
    """Traffic shares per arm (they sum to 1) and each variant's probability of being the best variant."""

    shares: dict[str, float]
    p_best: dict[str, float]


@dataclass(frozen=True, slots=True)
class ArmDecision:
    """One arm's standing against control on the primary outcome."""

    key: str
    status: ArmStatus
    impressions: int
    mean: float
    p_beats_control: float | None
    difference: stats.Difference | None
    reason: str


@dataclass(frozen=True, slots=True)
class StopDecision:
    """The verdict of the stop rules; ``stopped_arms`` are to be left out of further allocation."""

    verdict: Verdict
    winner: str | None
    arms: tuple[ArmDecision, ...]

    @property
    def stopped_arms(self) -> tuple[str, ...]:
        """Variants stopped for futility or backfire."""
        ended = (ArmStatus.FUTILITY, ArmStatus.BACKFIRE)
        return tuple(arm.key for arm in self.arms if arm.status in ended)

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy."""
        return {
            "verdict": self.verdict.value,
            "winner": self.winner,
            "stopped_arms": list(self.stopped_arms),
            "arms": [_arm_decision_dict(arm) for arm in self.arms],
        }


def preregister_outcome(name: str) -> PrimaryOutcome:
    """The primary outcome named ``name``; clicks and impressions are refused because they are not impact."""
    if name in NOT_IMPACT:
        raise InvalidInput(
            f"'{name}' is not impact and cannot be the primary outcome; choose watch_seconds, "
            "get_help_clicks or completions",
            field="primary_outcome",
        )
    try:
        return PrimaryOutcome(name)
    except ValueError:
        allowed = ", ".join(outcome.value for outcome in PrimaryOutcome)
        raise InvalidInput(f"unknown outcome; choose one of {allowed}", field="primary_outcome") from None


def design_experiment(
    variants: Sequence[Variant],
    primary_outcome: str,
    *,
    min_share: float = 0.05,
    control_share: float | None = None,
    min_impressions: int = 1_000,
    max_impressions: int | None = None,
    success_probability: float = 0.95,
    futility_probability: float = 0.10,
) -> ExperimentDesign:
    """Fix the plan of an A/B/n experiment before any figure is seen.

    ``control_share`` is the control's fixed share of traffic (default: an equal split over the active
    arms); ``max_impressions`` is the planned sample per arm, e.g. from ``stats.sample_size_two_proportions``.
    """
    controls = [v.key for v in variants if v.control]
    if len(controls) != 1 or len(variants) < 2:
        raise InvalidInput("an experiment needs exactly one control and at least one variant", field="variants")
    arms = (controls[0], *(v.key for v in variants if not v.control))
    _check_shares(len(arms), min_share, control_share)
    _check_thresholds(min_impressions, max_impressions, success_probability, futility_probability)
    return ExperimentDesign(
        control=controls[0],
        arms=arms,
        primary=preregister_outcome(primary_outcome),
        min_share=min_share,
        control_share=control_share,
        min_impressions=min_impressions,
        max_impressions=max_impressions,
        success_probability=success_probability,
        futility_probability=futility_probability,
    )


def _check_shares(arm_count: int, min_share: float, control_share: float | None) -> None:
    if not 0 <= min_share <= 1 / arm_count:
        raise InvalidInput(f"min_share must lie between 0 and 1/{arm_count}", field="min_share")
    if control_share is None:
        return
    most = 1 - (arm_count - 1) * min_share
    if not min_share <= control_share <= most or control_share <= 0:
        raise InvalidInput(
            f"control_share must lie between {min_share} and {most:.4f} and be positive",
            field="control_share",
        )


def _check_thresholds(min_impressions: int, max_impressions: int | None, success: float, futility: float) -> None:
    if min_impressions < 0:
        raise InvalidInput("min_impressions cannot be negative", field="min_impressions")
    if max_impressions is not None and max_impressions < min_impressions:
        raise InvalidInput("max_impressions must be at least min_impressions", field="max_impressions")
    if not 0.5 < success < 1:
        raise InvalidInput("success_probability must lie between 0.5 and 1", field="success_probability")
    if not 0 <= futility < success:
        raise InvalidInput("futility_probability must lie between 0 and success", field="futility_probability")


def summarise_arms(design: ExperimentDesign, rows: Iterable[FigureRow]) -> dict[str, ArmSummary]:
    """Totals per arm on the primary outcome, over all segments and days.

    Rows that do not report the primary outcome (``completions`` is optional) are left out entirely, so
    that their impressions do not dilute the rate.
    """
    daily: dict[str, dict[object, list[float]]] = {arm: defaultdict(lambda: [0.0, 0.0]) for arm in design.arms}
    for row in rows:
        value = _outcome_value(row, design.primary)
        if row.variant not in daily or value is None:
            continue
        day = daily[row.variant][row.date]
        day[0] += row.impressions
        day[1] += value
    return {arm: _summary(arm, design.primary, list(days.values())) for arm, days in daily.items()}


def _outcome_value(row: FigureRow, outcome: PrimaryOutcome) -> float | None:
    value: float | None = getattr(row, outcome.value)
    return value


def _summary(key: str, outcome: PrimaryOutcome, days: list[list[float]]) -> ArmSummary:
    impressions = int(sum(day[0] for day in days))
    total = float(sum(day[1] for day in days))
    mean = total / impressions if impressions else 0.0
    if outcome is not PrimaryOutcome.WATCH_SECONDS:
        se = math.sqrt(mean * (1 - mean) / impressions) if impressions else None
        return ArmSummary(key, impressions, total, len(days), mean, se)
    return ArmSummary(key, impressions, total, len(days), mean, _ratio_se(days, mean, impressions))


def _ratio_se(days: list[list[float]], mean: float, impressions: int) -> float | None:
    """Standard error of a ratio of sums with days as clusters; None with fewer than two days."""
    count = len(days)
    if count < 2 or impressions == 0:
        return None
    residuals = np.array([seconds - mean * shown for shown, seconds in days])
    return float(math.sqrt(count / (count - 1) * float(np.sum(residuals**2))) / impressions)


class _Evidence(Protocol):
    def draws(self, rng: np.random.Generator, size: int) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class _CountEvidence:
    events: int
    trials: int

    def draws(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.beta(1 + self.events, 1 + self.trials - self.events, size)


@dataclass(frozen=True, slots=True)
class _MeanEvidence:
    mean: float
    se: float

    def draws(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.normal(self.mean, self.se, size)


def _evidence(summary: ArmSummary, outcome: PrimaryOutcome) -> _Evidence | None:
    if outcome is PrimaryOutcome.WATCH_SECONDS:
        return None if summary.se is None else _MeanEvidence(summary.mean, summary.se)
    return _CountEvidence(int(summary.total), summary.impressions)


def thompson_allocation(
    design: ExperimentDesign,
    rows: Iterable[FigureRow],
    *,
    stopped: Collection[str] = (),
    seed: int = 0,
    draws: int = 20_000,
) -> Allocation:
    """Traffic shares for the next period by Thompson sampling on the primary outcome.

    The control always keeps its fixed share; stopped variants get nothing; each active variant gets at
    least ``min_share``. While any active variant lacks the data to judge it, the variants share equally.
    """
    active = [arm for arm in design.treatments if arm not in stopped]
    if not active:
        return Allocation({design.control: 1.0} | {arm: 0.0 for arm in design.treatments}, {})
    control_share = design.control_share if design.control_share is not None else 1 / (len(active) + 1)
    p_best = _p_best(design, summarise_arms(design, rows), active, seed, draws)
    free = 1 - control_share - design.min_share * len(active)
    shares = {design.control: control_share} | {arm: 0.0 for arm in design.treatments}
    for arm in active:
        shares[arm] = design.min_share + free * p_best[arm]
    return Allocation(shares, p_best)


def _p_best(
    design: ExperimentDesign, summaries: dict[str, ArmSummary], active: list[str], seed: int, draws: int
) -> dict[str, float]:
    evidence = [_evidence(summaries[arm], design.primary) for arm in active]
    if any(item is None for item in evidence):
        return {arm: 1 / len(active) for arm in active}
    rng = np.random.default_rng(seed)
    samples = np.vstack([item.draws(rng, draws) for item in evidence if item is not None])
    wins = np.bincount(np.argmax(samples, axis=0), minlength=len(active))
    return {arm: float(wins[i]) / draws for i, arm in enumerate(active)}


def compare_with_control(
    design: ExperimentDesign, variant: ArmSummary, control: ArmSummary
) -> tuple[float | None, stats.Difference | None]:
    """P(variant beats control) and the interval of (variant - control) on the primary outcome."""
    if design.primary is not PrimaryOutcome.WATCH_SECONDS:
        v_events, c_events = int(variant.total), int(control.total)
        return (
            stats.prob_beats(v_events, variant.impressions, c_events, control.impressions),
            stats.rate_difference(v_events, variant.impressions, c_events, control.impressions, design.confidence),
        )
    if variant.se is None or control.se is None:
        return None, None
    return _normal_comparison(variant.mean - control.mean, math.hypot(variant.se, control.se), design.confidence)


def _normal_comparison(diff: float, se: float, confidence: float) -> tuple[float, stats.Difference]:
    if se == 0:
        probability = 0.5 if diff == 0 else float(diff > 0)
        return probability, stats.Difference(diff, diff, diff)
    z = float(scipy_stats.norm.isf((1 - confidence) / 2))
    probability = float(scipy_stats.norm.cdf(diff / se))
    return probability, stats.Difference(diff, diff - z * se, diff + z * se)


def evaluate_stop_rules(design: ExperimentDesign, rows: Iterable[FigureRow]) -> StopDecision:
    """Apply the pre-registered stop rules to the figures so far (see the module docstring)."""
    summaries = summarise_arms(design, rows)
    control = summaries[design.control]
    decisions = [_control_decision(control)]
    decisions += [_arm_decision(design, summaries[arm], control) for arm in design.treatments]
    successes = [d for d in decisions if d.status is ArmStatus.SUCCESS]
    if successes:
        best = max(successes, key=lambda d: (d.p_beats_control or 0.0, d.mean))
        return StopDecision(Verdict.SUCCESS, best.key, tuple(decisions))
    ended = {ArmStatus.FUTILITY, ArmStatus.BACKFIRE}
    if all(d.status in ended for d in decisions[1:]):
        return StopDecision(Verdict.NO_WINNER, None, tuple(decisions))
    return StopDecision(Verdict.CONTINUE, None, tuple(decisions))


def _control_decision(control: ArmSummary) -> ArmDecision:
    return ArmDecision(control.key, ArmStatus.CONTROL, control.impressions, control.mean, None, None, "control")


def _arm_decision(design: ExperimentDesign, arm: ArmSummary, control: ArmSummary) -> ArmDecision:
    probability, difference = compare_with_control(design, arm, control)
    status, reason = _arm_status(design, arm, control, probability, difference)
    return ArmDecision(arm.key, status, arm.impressions, arm.mean, probability, difference, reason)


def _arm_status(
    design: ExperimentDesign,
    arm: ArmSummary,
    control: ArmSummary,
    probability: float | None,
    difference: stats.Difference | None,
) -> tuple[ArmStatus, str]:
    if difference is not None and difference.high < 0:
        return ArmStatus.BACKFIRE, f"significantly worse than control on {design.primary.value}"
    if probability is None or min(arm.impressions, control.impressions) < design.min_impressions:
        return ArmStatus.CONTINUE, "not enough data yet"
    if probability > design.success_probability:
        return ArmStatus.SUCCESS, f"beats control with probability {probability:.3f}"
    if probability < design.futility_probability:
        return ArmStatus.FUTILITY, f"beats control with probability only {probability:.3f}"
    if design.max_impressions is not None and arm.impressions >= design.max_impressions:
        return ArmStatus.FUTILITY, "planned sample reached without a clear result"
    return ArmStatus.CONTINUE, "no decision yet"


def _arm_decision_dict(arm: ArmDecision) -> dict[str, object]:
    data = asdict(arm)
    data["status"] = arm.status.value
    return data


# --- The impact report: the three research questions as tables ---------------------------------------------


@dataclass(frozen=True, slots=True)
class ImpactCell:
    """One variant in one segment; everything derived from a suppressed cell's clicks is None."""

    variant: str
    segment: str
    messenger: str
    format: str
    control: bool
    impressions: int
    suppressed: bool
    clicks: int | None = None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_beats_control: float | None = None
    diff_vs_control: float | None = None
    diff_low: float | None = None
    diff_high: float | None = None
    p_value: float | None = None
    p_value_holm: float | None = None
    significant_holm: bool | None = None
    pooled_rate: float | None = None
    pooled_low: float | None = None
    pooled_high: float | None = None
    lift_vs_baseline: float | None = None
    get_help_clicks: int | None = None
    get_help_rate: float | None = None
    watch_seconds_per_impression: float | None = None


@dataclass(frozen=True, slots=True)
class GroupCell:
    """Variants sharing a messenger type (or a format) pooled within one segment."""

    group: str
    segment: str
    impressions: int
    suppressed: bool
    clicks: int | None = None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    lift_vs_control: float | None = None


@dataclass(frozen=True, slots=True)
class SegmentRank:
    """How much the best variant of a segment improves on that segment's own control."""

    segment: str
    country: str | None
    language: str | None
    rank: int | None
    best_variant: str | None = None
    best_rate: float | None = None
    control_rate: float | None = None
    lift_vs_control: float | None = None
    p_beats_control: float | None = None


@dataclass(frozen=True, slots=True)
class ImpactReport:
    """Per variant-and-segment cells plus the messenger, format and segment tables."""

    cells: tuple[ImpactCell, ...]
    messenger_by_segment: tuple[GroupCell, ...]
    format_by_segment: tuple[GroupCell, ...]
    segment_ranking: tuple[SegmentRank, ...]
    threshold: int
    confidence: float

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy (plain dicts, lists, numbers, strings, booleans and None)."""
        return {
            "threshold": self.threshold,
            "confidence": self.confidence,
            "cells": [asdict(cell) for cell in self.cells],
            "messenger_by_segment": [asdict(cell) for cell in self.messenger_by_segment],
            "format_by_segment": [asdict(cell) for cell in self.format_by_segment],
            "segment_ranking": [asdict(rank) for rank in self.segment_ranking],
        }


@dataclass(frozen=True, slots=True)
class _Totals:
    impressions: int = 0
    clicks: int = 0
    get_help_clicks: int = 0
    watch_seconds: float = 0.0

    def add(self, row: FigureRow) -> _Totals:
        return _Totals(
            self.impressions + row.impressions,
            self.clicks + row.clicks,
            self.get_help_clicks + row.get_help_clicks,
            self.watch_seconds + row.watch_seconds,
        )


def impact_report(
    variants: Sequence[Variant],
    segments: Sequence[Segment],
    rows: Iterable[FigureRow],
    *,
    baselines: dict[str, float] | None = None,
    threshold: int = stats.MIN_CELL_EVENTS,
    confidence: float = 0.95,
) -> ImpactReport:
    """The impact of a campaign on click-through, per variant and segment, ready for JSON or charts.

    ``rate`` is clicks / impressions with a Wilson interval; each variant is compared with the control *of
    the same segment* (benchmarks differ between markets), with Holm correction across segments; small
    communities get a partially pooled rate (beta-binomial across the variant's segments); ``baselines``
    maps a segment key to its historical rate on the same keywords, for lift. Any cell with fewer than
    ``threshold`` clicks is suppressed, and so is every comparison that involves it.
    """
    totals = _totals(rows)
    control = next(v for v in variants if v.control)
    cells = [
        _cell(variant, segment, totals, control, threshold, confidence, (baselines or {}).get(segment.key))
        for variant in variants
        for segment in segments
    ]
    cells = _with_holm(_with_pooling(cells, totals, confidence), confidence)
    return ImpactReport(
        cells=tuple(cells),
        messenger_by_segment=_group_table(variants, segments, totals, "messenger", threshold, confidence),
        format_by_segment=_group_table(variants, segments, totals, "format", threshold, confidence),
        segment_ranking=_segment_ranking(segments, cells),
        threshold=threshold,
        confidence=confidence,
    )


def _totals(rows: Iterable[FigureRow]) -> dict[tuple[str, str], _Totals]:
    totals: dict[tuple[str, str], _Totals] = defaultdict(_Totals)
    for row in rows:
        totals[(row.variant, row.segment)] = totals[(row.variant, row.segment)].add(row)
    return totals


def _cell(
    variant: Variant,
    segment: Segment,
    totals: dict[tuple[str, str], _Totals],
    control: Variant,
    threshold: int,
    confidence: float,
    baseline: float | None,
) -> ImpactCell:
    own = totals.get((variant.key, segment.key), _Totals())
    base = ImpactCell(
        variant=variant.key,
        segment=segment.key,
        messenger=variant.messenger.value,
        format=variant.format.value,
        control=variant.control,
        impressions=own.impressions,
        suppressed=_hidden(own, threshold),
    )
    if base.suppressed:
        return base
    ci = stats.wilson_interval(own.clicks, own.impressions, confidence)
    rate = own.clicks / own.impressions
    cell = _replace(
        base,
        clicks=own.clicks,
        rate=rate,
        ci_low=ci.low,
        ci_high=ci.high,
        lift_vs_baseline=stats.lift(rate, baseline) if baseline else None,
        watch_seconds_per_impression=own.watch_seconds / own.impressions,
        **_get_help(own, threshold),
    )
    reference = totals.get((control.key, segment.key), _Totals())
    if variant.control or _hidden(reference, threshold):
        return cell
    return _compare(cell, own, reference, confidence)


def _hidden(totals: _Totals, threshold: int) -> bool:
    """Suppressed: too few clicks to publish (or nothing shown at all, whatever the threshold)."""
    return totals.impressions == 0 or stats.is_suppressed(totals.clicks, threshold)


def _get_help(own: _Totals, threshold: int) -> dict[str, object]:
    if stats.is_suppressed(own.get_help_clicks, threshold):
        return {}
    return {"get_help_clicks": own.get_help_clicks, "get_help_rate": own.get_help_clicks / own.impressions}


def _compare(cell: ImpactCell, own: _Totals, reference: _Totals, confidence: float) -> ImpactCell:
    counts = (own.clicks, own.impressions, reference.clicks, reference.impressions)
    difference = stats.rate_difference(*counts, confidence)
    return _replace(
        cell,
        p_beats_control=stats.prob_beats(*counts),
        diff_vs_control=difference.estimate,
        diff_low=difference.low,
        diff_high=difference.high,
        p_value=stats.two_proportion_pvalue(*counts),
    )


def _with_pooling(
    cells: list[ImpactCell], totals: dict[tuple[str, str], _Totals], confidence: float
) -> list[ImpactCell]:
    """Partially pool each variant's published cells across segments."""
    out = list(cells)
    for variant in dict.fromkeys(cell.variant for cell in cells):
        indices = [i for i, c in enumerate(cells) if c.variant == variant and not c.suppressed]
        if not indices:
            continue
        counts = [(totals[(variant, cells[i].segment)].clicks, cells[i].impressions) for i in indices]
        pooled = stats.partial_pooling(counts, confidence)
        for i, rate, interval in zip(indices, pooled.rates, pooled.intervals, strict=True):
            out[i] = _replace(out[i], pooled_rate=rate, pooled_low=interval.low, pooled_high=interval.high)
    return out


def _with_holm(cells: list[ImpactCell], confidence: float) -> list[ImpactCell]:
    """Holm-adjust each variant's comparisons with control across the segments where it was compared."""
    out = list(cells)
    for variant in dict.fromkeys(cell.variant for cell in cells):
        indices = [i for i, c in enumerate(cells) if c.variant == variant and c.p_value is not None]
        if not indices:
            continue
        adjusted, rejected = stats.holm([cells[i].p_value or 0.0 for i in indices], alpha=1 - confidence)
        for i, p_value, significant in zip(indices, adjusted, rejected, strict=True):
            out[i] = _replace(out[i], p_value_holm=p_value, significant_holm=significant)
    return out


def _group_table(
    variants: Sequence[Variant],
    segments: Sequence[Segment],
    totals: dict[tuple[str, str], _Totals],
    attribute: str,
    threshold: int,
    confidence: float,
) -> tuple[GroupCell, ...]:
    control = next(v for v in variants if v.control)
    groups: dict[str, list[Variant]] = defaultdict(list)
    for variant in variants:
        groups[str(getattr(variant, attribute).value)].append(variant)
    table: list[GroupCell] = []
    for segment in segments:
        reference = totals.get((control.key, segment.key), _Totals())
        for group, members in groups.items():
            summed = _sum_totals(totals.get((v.key, segment.key), _Totals()) for v in members)
            table.append(_group_cell(group, segment.key, summed, reference, threshold, confidence))
    return tuple(table)


def _sum_totals(items: Iterable[_Totals]) -> _Totals:
    result = _Totals()
    for item in items:
        result = _Totals(
            result.impressions + item.impressions,
            result.clicks + item.clicks,
            result.get_help_clicks + item.get_help_clicks,
            result.watch_seconds + item.watch_seconds,
        )
    return result


def _group_cell(
    group: str, segment: str, summed: _Totals, reference: _Totals, threshold: int, confidence: float
) -> GroupCell:
    if _hidden(summed, threshold):
        return GroupCell(group, segment, summed.impressions, True)
    ci = stats.wilson_interval(summed.clicks, summed.impressions, confidence)
    rate = summed.clicks / summed.impressions
    lift = None
    if not _hidden(reference, threshold) and reference.clicks > 0:
        lift = stats.lift(rate, reference.clicks / reference.impressions)
    return GroupCell(group, segment, summed.impressions, False, summed.clicks, rate, ci.low, ci.high, lift)


def _segment_ranking(segments: Sequence[Segment], cells: Sequence[ImpactCell]) -> tuple[SegmentRank, ...]:
    """Segments ordered by how much their best variant improves on their own control."""
    ranked: list[SegmentRank] = []
    unranked: list[SegmentRank] = []
    for segment in segments:
        entry = _segment_entry(segment, [c for c in cells if c.segment == segment.key])
        (unranked if entry.lift_vs_control is None else ranked).append(entry)
    ranked.sort(key=lambda e: (-(e.lift_vs_control or 0.0), -(e.p_beats_control or 0.0), e.segment))
    numbered = [_replace_rank(entry, position) for position, entry in enumerate(ranked, start=1)]
    return tuple(numbered + unranked)


def _segment_entry(segment: Segment, cells: Sequence[ImpactCell]) -> SegmentRank:
    entry = SegmentRank(segment.key, segment.country, segment.language, None)
    control = next((c for c in cells if c.control and c.rate), None)  # a zero rate gives no lift
    candidates = [c for c in cells if not c.control and c.rate is not None and c.p_beats_control is not None]
    if control is None or control.rate is None or not candidates:
        return entry
    best = max(candidates, key=lambda c: (c.rate or 0.0, c.variant))
    return SegmentRank(
        segment=segment.key,
        country=segment.country,
        language=segment.language,
        rank=None,
        best_variant=best.variant,
        best_rate=best.rate,
        control_rate=control.rate,
        lift_vs_control=stats.lift(best.rate or 0.0, control.rate),
        p_beats_control=best.p_beats_control,
    )


def _replace_rank(entry: SegmentRank, rank: int) -> SegmentRank:
    return SegmentRank(**{**asdict(entry), "rank": rank})


def _replace(cell: ImpactCell, **changes: object) -> ImpactCell:
    return ImpactCell(**{**asdict(cell), **changes})
