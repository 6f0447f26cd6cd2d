"""The impact report: the three research questions of issue 8 as tables, on aggregate counts only.

``impact_report`` gives, per variant and segment, the click-through rate with a Wilson interval, the
comparison with the control *of the same segment* (Newcombe interval, two-proportion test with Holm
correction across segments, Bayesian probability of beating control), a partially pooled rate for small
communities and the lift against a historical baseline; then the three questions: which messengers are
heard (messenger by segment), which formats work for whom (format by segment) and what works where (segments
ranked by their best variant's lift over their own control). Any cell under ``stats.MIN_CELL_EVENTS``
clicks is suppressed, and so is every comparison that involves it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from accord.narratives import stats
from accord.narratives.audience import Segment, Variant
from accord.narratives.figures import FigureRow
from accord.stats import wilson_interval


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImpactReport:
        """Rebuild a report from ``to_dict`` output (e.g. a published, stored snapshot)."""
        return cls(
            cells=tuple(ImpactCell(**cell) for cell in data.get("cells", [])),
            messenger_by_segment=tuple(GroupCell(**cell) for cell in data.get("messenger_by_segment", [])),
            format_by_segment=tuple(GroupCell(**cell) for cell in data.get("format_by_segment", [])),
            segment_ranking=tuple(SegmentRank(**rank) for rank in data.get("segment_ranking", [])),
            threshold=int(data.get("threshold", stats.MIN_CELL_EVENTS)),
            confidence=float(data.get("confidence", 0.95)),
        )


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
    ci = wilson_interval(own.clicks, own.impressions, confidence)
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
    ci = wilson_interval(summed.clicks, summed.impressions, confidence)
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
