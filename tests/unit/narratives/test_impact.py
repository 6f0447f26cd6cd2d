"""The impact report against reference computations (statsmodels) and its suppression of small cells."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from accord.narratives import stats
from accord.narratives.audience import Segment, Variant, validate_segments, validate_variants
from accord.narratives.figures import FigureRow
from accord.narratives.impact import ImpactReport, impact_report

from .conftest import make_row


def _campaign_rows() -> list[FigureRow]:
    return [
        make_row("control", "fr-fr", 20_000, 400, get_help_clicks=40, watch_seconds=8000),
        make_row("former", "fr-fr", 20_000, 520, get_help_clicks=70),
        make_row("peer", "fr-fr", 20_000, 410, get_help_clicks=5),
        make_row("control", "be-fr", 3_000, 60),
        make_row("former", "be-fr", 3_000, 75),
        make_row("peer", "be-fr", 3_000, 9),  # suppressed: under 10 clicks
        make_row("control", "fr-ar", 2_000, 7),  # control suppressed: no comparison in fr-ar
        make_row("former", "fr-ar", 2_000, 30),
        make_row("peer", "fr-ar", 1_000, 12, day=1),
        make_row("peer", "fr-ar", 1_000, 11, day=2),
    ]


def _cell(report: object, variant: str, segment: str) -> dict[str, object]:
    cells = report.to_dict()["cells"]  # type: ignore[attr-defined]
    return next(c for c in cells if c["variant"] == variant and c["segment"] == segment)


def test_impact_cells_match_the_reference_computations(variants: list[Variant], segments: list[Segment]) -> None:
    report = impact_report(variants, segments, _campaign_rows(), baselines={"fr-fr": 0.0173})
    cell = _cell(report, "former", "fr-fr")
    low, high = proportion_confint(520, 20_000, method="wilson")
    assert (cell["impressions"], cell["clicks"], cell["rate"]) == (20_000, 520, 0.026)
    assert (cell["ci_low"], cell["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert cell["p_beats_control"] == pytest.approx(stats.prob_beats(520, 20_000, 400, 20_000))
    assert cell["lift_vs_baseline"] == pytest.approx(0.026 / 0.0173 - 1)
    assert cell["get_help_clicks"] == 70
    assert cell["suppressed"] is False
    assert _cell(report, "peer", "fr-fr")["get_help_clicks"] is None  # 5 get-help clicks: hidden
    control = _cell(report, "control", "fr-fr")
    assert control["p_beats_control"] is None
    assert control["watch_seconds_per_impression"] == pytest.approx(0.4)


def test_small_cells_and_their_comparisons_are_suppressed(variants: list[Variant], segments: list[Segment]) -> None:
    report = impact_report(variants, segments, _campaign_rows())
    small = _cell(report, "peer", "be-fr")
    assert small["suppressed"] is True
    assert small["impressions"] == 3_000
    assert all(small[k] is None for k in ("clicks", "rate", "ci_low", "ci_high", "p_beats_control", "pooled_rate"))
    uncompared = _cell(report, "former", "fr-ar")
    assert uncompared["suppressed"] is False and uncompared["rate"] == 0.015
    assert uncompared["p_beats_control"] is None
    assert _cell(report, "peer", "fr-ar")["clicks"] == 23  # two days summed


def test_holm_is_applied_across_segments(variants: list[Variant], segments: list[Segment]) -> None:
    report = impact_report(variants, segments, _campaign_rows())
    cells = [_cell(report, "former", s) for s in ("fr-fr", "be-fr")]
    _, adjusted, _, _ = multipletests([c["p_value"] for c in cells], method="holm")
    assert [c["p_value_holm"] for c in cells] == pytest.approx(list(adjusted))


def test_the_three_questions_as_tables(variants: list[Variant], segments: list[Segment]) -> None:
    report = impact_report(variants, segments, _campaign_rows())
    data = json.loads(json.dumps(report.to_dict()))
    messengers = {(r["group"], r["segment"]): r for r in data["messenger_by_segment"]}
    assert messengers[("former_extremist", "fr-fr")]["lift_vs_control"] == pytest.approx(0.3)
    assert messengers[("peer", "be-fr")]["suppressed"] is True
    formats = {(r["group"], r["segment"]) for r in data["format_by_segment"]}
    assert formats == {(f, s) for f in ("text", "video", "story") for s in ("fr-fr", "be-fr", "fr-ar")}
    ranking = data["segment_ranking"]
    assert [(r["segment"], r["rank"]) for r in ranking] == [("fr-fr", 1), ("be-fr", 2), ("fr-ar", None)]
    assert ranking[0]["best_variant"] == "former"


def test_pooling_in_the_report_matches_stats(variants: list[Variant], segments: list[Segment]) -> None:
    report = impact_report(variants, segments, _campaign_rows())
    pooled = stats.partial_pooling([(520, 20_000), (75, 3_000), (30, 2_000)])
    assert [_cell(report, "former", s)["pooled_rate"] for s in ("fr-fr", "be-fr", "fr-ar")] == pytest.approx(
        list(pooled.rates)
    )


@given(st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 5000)), min_size=3, max_size=3))
@settings(max_examples=30, deadline=None)
def test_published_rates_lie_inside_their_intervals(counts: list[tuple[int, int]]) -> None:
    variants = validate_variants(
        [
            {"key": "c", "control": True, "messenger": "peer", "format": "text"},
            {"key": "v", "messenger": "expert", "format": "video"},
        ]
    )
    segments = validate_segments([{"key": "s", "country": "DE"}])
    rows = [
        make_row(k, "s", max(a, b), min(a, b), day=i) for i, (k, (a, b)) in enumerate(zip("cvv", counts, strict=True))
    ]
    for cell in impact_report(variants, segments, rows).cells:
        if cell.rate is not None:
            assert cell.ci_low is not None and cell.ci_high is not None
            assert cell.ci_low <= cell.rate <= cell.ci_high
        else:
            assert cell.suppressed


def test_threshold_zero_publishes_everything_but_empty_cells(variants: list[Variant], segments: list[Segment]) -> None:
    rows = [make_row("control", "fr-fr", 100, 0), make_row("former", "fr-fr", 100, 3)]
    report = impact_report(variants, segments, rows, threshold=0)
    assert _cell(report, "former", "fr-fr")["clicks"] == 3
    assert _cell(report, "peer", "fr-fr")["suppressed"] is True  # never shown
    json.dumps(report.to_dict())


def test_a_report_survives_its_json_copy(variants: list[Variant], segments: list[Segment]) -> None:
    report = impact_report(variants, segments, _campaign_rows(), baselines={"fr-fr": 0.0173})
    assert ImpactReport.from_dict(json.loads(json.dumps(report.to_dict()))) == report
