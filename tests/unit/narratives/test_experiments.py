from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import InvalidInput
from accord.narratives import stats
from accord.narratives.audience import (
    MessageFormat,
    MessengerType,
    Variant,
)
from accord.narratives.experiments import (
    ArmStatus,
    PrimaryOutcome,
    Verdict,
    design_experiment,
    evaluate_stop_rules,
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
