from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from accord.errors import InvalidInput
from accord.narratives import stats
from accord.narratives.audience import (
    MessageFormat,
    MessengerType,
    Segment,
    Variant,
    validate_segments,
    validate_variants,
)
from accord.narratives.experiments import (
    ArmStatus,
    PrimaryOutcome,
    Verdict,
    design_experiment,
    evaluate_stop_rules,
    impact_report,
    preregister_outcome,
    summarise_arms,
    thompson_allocation,
)
from accord.narratives.figures import FigureRow

from .conftest import make_row


@pytest.mark.parametrize("name", ["clicks", "ctr", "impressions"])
def test_clicks_are_refused_as_primary_outcome(name: str) -> None:
    with pytest.raises(InvalidInput, match="not impact") as caught:
        preregister_outcome(name)
    assert caught.value.field == "primary_outcome"


def test_impact_outcomes_are_accepted() -> None:
    assert [preregister_outcome(o.value) for o in PrimaryOutcome] == list(PrimaryOutcome)
    with pytest.raises(InvalidInput, match="unknown"):
        preregister_outcome("likes")


def test_design_checks_shares(variants: list[Variant]) -> None:
    design = design_experiment(variants, "get_help_clicks")
    assert design.arms == ("control", "former", "peer")
    assert design.treatments == ("former", "peer")
    with pytest.raises(InvalidInput):
        design_experiment(variants, "get_help_clicks", min_share=0.5)
    with pytest.raises(InvalidInput):
        design_experiment(variants, "get_help_clicks", control_share=0.95, min_share=0.1)


def _get_help_rows(former: int, peer: int, *, impressions: int = 5_000, control: int = 50) -> list[FigureRow]:
    return [
        make_row("control", "fr-fr", impressions, 100, get_help_clicks=control),
        make_row("former", "fr-fr", impressions, 100, get_help_clicks=former),
        make_row("peer", "fr-fr", impressions, 100, get_help_clicks=peer),
    ]


def test_allocation_keeps_control_and_minimum_share(variants: list[Variant]) -> None:
    design = design_experiment(variants, "get_help_clicks", min_share=0.1, control_share=0.2)
    allocation = thompson_allocation(design, _get_help_rows(former=90, peer=20), seed=1)
    assert allocation.shares["control"] == pytest.approx(0.2)
    assert allocation.shares["peer"] >= 0.1
    assert allocation.shares["former"] > allocation.shares["peer"]
    assert sum(allocation.shares.values()) == pytest.approx(1.0)
    again = thompson_allocation(design, _get_help_rows(former=90, peer=20), seed=1)
    assert again == allocation


def test_stopped_arms_get_nothing_and_control_keeps_its_share(variants: list[Variant]) -> None:
    design = design_experiment(variants, "get_help_clicks", min_share=0.1)
    allocation = thompson_allocation(design, _get_help_rows(60, 40), stopped={"peer"})
    assert allocation.shares == {"control": 0.5, "former": 0.5, "peer": 0.0}
    everything_stopped = thompson_allocation(design, [], stopped={"peer", "former"})
    assert everything_stopped.shares == {"control": 1.0, "former": 0.0, "peer": 0.0}


@given(
    st.integers(0, 500),
    st.integers(0, 500),
    st.floats(0.0, 0.3),
    st.integers(0, 2**16),
)
@settings(max_examples=40, deadline=None)
def test_allocation_invariants(former: int, peer: int, min_share: float, seed: int) -> None:
    variants = [
        Variant("control", MessengerType.PEER, MessageFormat.TEXT, control=True),
        Variant("former", MessengerType.PEER, MessageFormat.TEXT),
        Variant("peer", MessengerType.PEER, MessageFormat.TEXT),
    ]
    design = design_experiment(variants, "get_help_clicks", min_share=min_share)
    allocation = thompson_allocation(design, _get_help_rows(former, peer, impressions=500), seed=seed, draws=2000)
    assert sum(allocation.shares.values()) == pytest.approx(1.0)
    assert allocation.shares["control"] == pytest.approx(1 / 3)
    assert all(share >= min_share - 1e-12 for share in allocation.shares.values())


def test_success_when_a_variant_clearly_beats_control(variants: list[Variant]) -> None:
    design = design_experiment(variants, "get_help_clicks", min_impressions=1000)
    decision = evaluate_stop_rules(design, _get_help_rows(former=90, peer=52))
    assert decision.verdict is Verdict.SUCCESS
    assert decision.winner == "former"
    former = next(arm for arm in decision.arms if arm.key == "former")
    assert former.p_beats_control == pytest.approx(stats.prob_beats(90, 5000, 50, 5000))
    json.dumps(decision.to_dict())


def test_no_success_before_the_minimum_sample(variants: list[Variant]) -> None:
    design = design_experiment(variants, "get_help_clicks", min_impressions=10_000)
    decision = evaluate_stop_rules(design, _get_help_rows(former=90, peer=52))
    assert decision.verdict is Verdict.CONTINUE
    assert {arm.status for arm in decision.arms} == {ArmStatus.CONTROL, ArmStatus.CONTINUE}


def test_backfire_stops_a_variant_at_once(variants: list[Variant]) -> None:
    design = design_experiment(variants, "get_help_clicks", min_impressions=100_000)
    decision = evaluate_stop_rules(design, _get_help_rows(former=55, peer=20))
    peer = next(arm for arm in decision.arms if arm.key == "peer")
    assert peer.status is ArmStatus.BACKFIRE
    assert peer.difference is not None and peer.difference.high < 0
    assert decision.stopped_arms == ("peer",)
    assert decision.verdict is Verdict.CONTINUE


def test_futility_when_the_planned_sample_is_spent(variants: list[Variant]) -> None:
    design = design_experiment(variants, "get_help_clicks", min_impressions=1000, max_impressions=5000)
    decision = evaluate_stop_rules(design, _get_help_rows(former=52, peer=48))
    assert [arm.status for arm in decision.arms[1:]] == [ArmStatus.FUTILITY, ArmStatus.FUTILITY]
    assert decision.verdict is Verdict.NO_WINNER


def _watch_rows(former_per_impression: float, days: int = 5) -> list[FigureRow]:
    rows: list[FigureRow] = []
    for day in range(days):
        wobble = 1 + 0.05 * (-1) ** day
        rows.append(make_row("control", "fr-fr", 1000, 20, day=day, watch_seconds=1000 * 4.0 * wobble))
        rows.append(make_row("former", "fr-fr", 1000, 20, day=day, watch_seconds=1000 * former_per_impression))
        rows.append(make_row("peer", "fr-fr", 1000, 20, day=day, watch_seconds=1000 * 4.0 / wobble))
    return rows


def test_watch_time_uses_day_to_day_spread(variants: list[Variant]) -> None:
    design = design_experiment(variants, "watch_seconds", min_impressions=1000)
    summary = summarise_arms(design, _watch_rows(6.0))
    assert summary["former"].mean == pytest.approx(6.0)
    assert summary["control"].se is not None and summary["control"].se > 0
    assert evaluate_stop_rules(design, _watch_rows(6.0)).winner == "former"
    backfire = evaluate_stop_rules(design, _watch_rows(2.0))
    assert "former" in backfire.stopped_arms


def test_watch_time_needs_two_days(variants: list[Variant]) -> None:
    design = design_experiment(variants, "watch_seconds", min_impressions=10)
    decision = evaluate_stop_rules(design, _watch_rows(9.0, days=1))
    assert decision.verdict is Verdict.CONTINUE
    allocation = thompson_allocation(design, _watch_rows(9.0, days=1))
    assert allocation.p_best == {"former": 0.5, "peer": 0.5}


def test_completions_ignore_rows_that_do_not_report_them(variants: list[Variant]) -> None:
    design = design_experiment(variants, "completions")
    rows = [make_row("former", "fr-fr", 100, 5, completions=40), make_row("former", "fr-fr", 900, 5, day=1)]
    assert summarise_arms(design, rows)["former"].impressions == 100


# --- impact report -------------------------------------------------------------------------------------


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
