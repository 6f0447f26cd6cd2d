"""The statistics, checked against statsmodels and scipy on fixed inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

from accord.errors import InvalidInput
from accord.narratives import stats

PAIRS = [(30, 1000, 20, 1000), (5, 80, 9, 120), (0, 40, 3, 40), (430, 10_000, 241, 10_000), (7, 7, 3, 9)]


@pytest.mark.parametrize("pair", PAIRS)
def test_newcombe_difference_matches_statsmodels(pair: tuple[int, int, int, int]) -> None:
    low, high = confint_proportions_2indep(*pair, method="newcomb", compare="diff")
    diff = stats.rate_difference(*pair)
    assert diff.estimate == pytest.approx(pair[0] / pair[1] - pair[2] / pair[3])
    assert (diff.low, diff.high) == pytest.approx((low, high), abs=1e-10)


@pytest.mark.parametrize("pair", PAIRS)
def test_two_proportion_pvalue_matches_statsmodels(pair: tuple[int, int, int, int]) -> None:
    x1, n1, x2, n2 = pair
    if x1 + x2 in (0, n1 + n2):
        assert stats.two_proportion_pvalue(*pair) == 1.0
        return
    _, p_value = proportions_ztest([x1, x2], [n1, n2])
    assert stats.two_proportion_pvalue(*pair) == pytest.approx(p_value, rel=1e-9)


def _prob_beats_by_integration(x_v: int, n_v: int, x_c: int, n_c: int) -> float:
    variant = scipy_stats.beta(1 + x_v, 1 + n_v - x_v)
    control = scipy_stats.beta(1 + x_c, 1 + n_c - x_c)
    lo, hi = min(variant.ppf(1e-12), control.ppf(1e-12)), max(variant.isf(1e-12), control.isf(1e-12))
    value, _ = integrate.quad(lambda p: variant.pdf(p) * control.cdf(p), lo, hi, limit=500, points=[variant.mean()])
    return float(value)


@pytest.mark.parametrize("pair", PAIRS)
def test_prob_beats_matches_numerical_integration_and_monte_carlo(pair: tuple[int, int, int, int]) -> None:
    x_v, n_v, x_c, n_c = pair
    exact = stats.prob_beats(*pair)
    assert exact == pytest.approx(_prob_beats_by_integration(*pair), abs=1e-6)
    rng = np.random.default_rng(7)
    draws_v = scipy_stats.beta.rvs(1 + x_v, 1 + n_v - x_v, size=200_000, random_state=rng)
    draws_c = scipy_stats.beta.rvs(1 + x_c, 1 + n_c - x_c, size=200_000, random_state=rng)
    assert exact == pytest.approx(float(np.mean(draws_v > draws_c)), abs=0.005)


def test_prob_beats_is_symmetric_and_uses_the_normal_limit_for_huge_counts() -> None:
    assert stats.prob_beats(30, 1000, 20, 1000) + stats.prob_beats(20, 1000, 30, 1000) == pytest.approx(1.0)
    assert stats.prob_beats(10, 100, 10, 100) == pytest.approx(0.5)
    huge = stats.prob_beats(3_000_100, 100_000_000, 3_000_000, 100_000_000)
    variant_sd = math.sqrt(0.03 * 0.97 / 1e8)
    expected = scipy_stats.norm.cdf(100 / 1e8 / (variant_sd * math.sqrt(2)))
    assert huge == pytest.approx(expected, abs=1e-3)


def test_holm_matches_statsmodels() -> None:
    p_values = [0.01, 0.04, 0.03, 0.20, 0.005, 0.04]
    reject, adjusted, _, _ = multipletests(p_values, alpha=0.05, method="holm")
    ours, rejected = stats.holm(p_values)
    assert ours == pytest.approx(list(adjusted))
    assert rejected == list(reject)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
@settings(max_examples=100, deadline=None)
def test_holm_never_lowers_a_p_value(p_values: list[float]) -> None:
    adjusted, _ = stats.holm(p_values)
    assert all(a >= p - 1e-15 and a <= 1.0 for a, p in zip(adjusted, p_values, strict=True))


def test_lift_against_the_redirect_baselines() -> None:
    assert stats.lift(0.0431, 0.0241) == pytest.approx(0.788, abs=1e-3)
    ci = stats.lift_interval(430, 10_000, 0.0241)
    low, high = proportion_confint(430, 10_000, method="wilson")
    assert (ci.low, ci.high) == pytest.approx((low / 0.0241 - 1, high / 0.0241 - 1))
    with pytest.raises(InvalidInput):
        stats.lift(0.1, 0.0)


def test_small_cells_are_suppressed() -> None:
    assert stats.is_suppressed(9)
    assert not stats.is_suppressed(10)
    assert stats.is_suppressed(19, threshold=20)


@pytest.mark.parametrize(("control", "variant", "about"), [(0.020, 0.024, 21_000), (0.02, 0.03, 3_800)])
def test_sample_size_matches_statsmodels_and_the_reference_notes(control: float, variant: float, about: int) -> None:
    effect = proportion_effectsize(variant, control)
    expected = NormalIndPower().solve_power(effect, alpha=0.05, power=0.8, ratio=1.0)
    size = stats.sample_size_two_proportions(control, variant)
    assert size.per_arm == math.ceil(expected)
    assert size.effect_size == pytest.approx(effect)
    assert abs(size.per_arm - about) / about < 0.01


def test_sample_size_with_unequal_arms() -> None:
    effect = proportion_effectsize(0.03, 0.02)
    expected = NormalIndPower().solve_power(effect, alpha=0.05, power=0.9, ratio=2.0)
    size = stats.sample_size_two_proportions(0.02, 0.03, power=0.9, ratio=2.0)
    assert size.control == math.ceil(expected)
    assert size.variant == math.ceil(expected * 2)
    with pytest.raises(InvalidInput):
        stats.sample_size_two_proportions(0.02, 0.02)


def _scipy_negative_loglik(params: np.ndarray, events: np.ndarray, trials: np.ndarray) -> float:
    alpha, beta = np.exp(params)
    return float(-np.sum(scipy_stats.betabinom.logpmf(events, trials, alpha, beta)))


def test_partial_pooling_fits_the_beta_binomial_maximum_likelihood() -> None:
    counts = [(3, 100), (90, 1000), (10, 1200), (2, 40), (400, 10_000), (25, 300)]
    events = np.array([c[0] for c in counts])
    trials = np.array([c[1] for c in counts])
    pooled = stats.partial_pooling(counts)
    reference = optimize.minimize(
        _scipy_negative_loglik,
        np.log([2.0, 50.0]),
        args=(events, trials),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000},
    )
    ours = _scipy_negative_loglik(np.log([pooled.alpha, pooled.beta]), events, trials)
    assert ours == pytest.approx(reference.fun, abs=1e-4)
    assert pooled.alpha == pytest.approx(math.exp(reference.x[0]), rel=0.02)
    assert pooled.beta == pytest.approx(math.exp(reference.x[1]), rel=0.02)


def test_partial_pooling_shrinks_small_groups_more() -> None:
    counts = [(3, 100), (90, 1000), (10, 1200), (2, 40), (400, 10_000), (25, 300)]
    pooled = stats.partial_pooling(counts)
    raw = [e / n for e, n in counts]
    shrink = [abs(r - p) / abs(r - pooled.prior_mean) for r, p in zip(raw, pooled.rates, strict=True)]
    assert shrink[3] > shrink[4]  # 40 impressions move further than 10,000
    for rate, interval in zip(pooled.rates, pooled.intervals, strict=True):
        assert interval.low <= rate <= interval.high


def test_partial_pooling_without_spread_pools_completely_but_keeps_honest_intervals() -> None:
    pooled = stats.partial_pooling([(30, 1000)] * 3)
    assert pooled.rates[0] == pytest.approx(0.03, abs=1e-3)
    low, high = proportion_confint(90, 3000, method="wilson")
    width = pooled.intervals[0].high - pooled.intervals[0].low
    assert width == pytest.approx(high - low, rel=0.5)


def test_counts_are_validated() -> None:
    with pytest.raises(InvalidInput):
        stats.prob_beats(-1, 4, 0, 4)
    with pytest.raises(InvalidInput):
        stats.holm([1.5])
