"""The one Wilson interval, checked against statsmodels' ``proportion_confint(method="wilson")``; Cohen's kappa
on a textbook worked example and against statsmodels."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa
from statsmodels.stats.proportion import proportion_confint

from accord.errors import InvalidInput
from accord.stats import Interval, cohens_kappa, wilson_interval, z_score

COUNTS = [(1300, 56_000), (0, 50), (3, 10), (50, 50), (1, 1), (241, 10_000), (12, 700), (92, 100), (12, 60)]


@pytest.mark.parametrize("trials", [1, 2, 3, 7, 10, 25, 60, 100])
def test_every_count_matches_statsmodels(trials: int) -> None:
    for events in range(trials + 1):
        low, high = proportion_confint(events, trials, alpha=0.05, method="wilson")
        assert wilson_interval(events, trials) == Interval(pytest.approx(low, abs=1e-12),
                                                           pytest.approx(high, abs=1e-12))


@pytest.mark.parametrize(("events", "trials"), COUNTS)
@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_known_values_match_statsmodels(events: int, trials: int, confidence: float) -> None:
    low, high = proportion_confint(events, trials, alpha=1 - confidence, method="wilson")
    ci = wilson_interval(events, trials, confidence)
    assert (ci.low, ci.high) == pytest.approx((low, high), abs=1e-12)


def test_published_values() -> None:
    """92 of 100 and 12 of 60 at 95%, to four places: the flagger figures tests/unit/transparency expects."""
    assert wilson_interval(92, 100) == Interval(pytest.approx(0.8500, abs=5e-5), pytest.approx(0.9589, abs=5e-5))
    assert wilson_interval(12, 60) == Interval(pytest.approx(0.1183, abs=5e-5), pytest.approx(0.3178, abs=5e-5))
    assert z_score(0.95) == pytest.approx(1.959963984540054, abs=1e-12)


def test_no_trials_is_the_whole_unit_interval() -> None:
    """At n = 0 nothing is known: [0, 1] (statsmodels divides by zero here, so there is nothing to compare)."""
    assert wilson_interval(0, 0) == Interval(0.0, 1.0)
    assert wilson_interval(0, 0, 0.5) == Interval(0.0, 1.0)


@given(st.integers(0, 10**7).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
@settings(max_examples=200, deadline=None)
def test_the_interval_contains_the_rate(counts: tuple[int, int]) -> None:
    events, trials = counts
    ci = wilson_interval(events, trials)
    share = events / trials if trials else 0.0
    assert 0.0 <= ci.low <= share <= ci.high <= 1.0


@pytest.mark.parametrize(("events", "trials", "confidence"),
                         [(1, 0, 0.95), (3, 2, 0.95), (-1, 2, 0.95), (1, 2, 1.0), (1, 2, 0.0), (0, 0, 1.5)])
def test_nonsense_is_refused(events: int, trials: int, confidence: float) -> None:
    with pytest.raises(InvalidInput):
        wilson_interval(events, trials, confidence)


def test_cohens_kappa_on_the_textbook_worked_example() -> None:
    """Cohen's kappa as Wikipedia's worked example computes it: 50 grant proposals read by two readers, 20 both
    yes, 15 both no, 5 yes/no, 10 no/yes: observed 0.7, chance 0.5, kappa 0.4."""
    pairs = ([("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15)
    assert cohens_kappa(pairs) == pytest.approx(0.4)
    assert cohens_kappa(pairs) == pytest.approx(sm_kappa([[20, 5], [10, 15]]).kappa)


def test_cohens_kappa_edges() -> None:
    assert cohens_kappa([]) is None
    assert cohens_kappa([("remove", "remove")] * 4) is None  # chance agreement 1: undefined, not perfect
    assert cohens_kappa([("remove", "remove"), ("no_action", "no_action")]) == pytest.approx(1.0)
