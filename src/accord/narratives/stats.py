"""Statistics for counter-narrative impact, on aggregate counts only.

Every function takes counts (events out of trials, e.g. clicks out of impressions) and returns plain numbers
or small frozen dataclasses, so results can be stored, compared and serialised. The methods follow the
reference notes for issue 8:

* rates with a **Wilson** score interval — never the normal approximation, which fails for small counts;
* differences between two arms with a **Newcombe** (hybrid score) interval and a two-proportion z-test;
* the **Bayesian probability** that a variant beats control, Beta(1, 1) priors, in closed form;
* **Holm** correction when the same comparison is made in several segments;
* **partial pooling** of small communities with an empirical-Bayes beta-binomial (marginal likelihood);
* **lift** against a historical baseline rate (the Redirect Method compared CTR with the same keywords'
  rate over the previous year);
* **suppression** of small cells so that aggregate reports cannot single anyone out;
* a **sample-size** calculator for two proportions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from accord.errors import InvalidInput
from accord.stats import Interval, wilson_interval

MIN_CELL_EVENTS = 10
"""Cells with fewer events than this are suppressed in every report (our proposal in the reference notes)."""

# Above this many successes the exact sum in ``prob_beats`` would be slow; the normal approximation of two
# Beta posteriors is then accurate to well under 1e-6.
_EXACT_LIMIT = 2_000_000


@dataclass(frozen=True, slots=True)
class Difference:
    """``rate_a - rate_b`` with its interval."""

    estimate: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class PooledRates:
    """Partially pooled rates of several groups that share a Beta(alpha, beta) prior fitted to them all."""

    alpha: float
    beta: float
    rates: tuple[float, ...]
    intervals: tuple[Interval, ...]

    @property
    def prior_mean(self) -> float:
        """The rate a group with no data would be given."""
        return self.alpha / (self.alpha + self.beta)


@dataclass(frozen=True, slots=True)
class SampleSize:
    """Impressions needed per arm (and in total) to detect a change between two rates."""

    per_arm: int
    control: int
    variant: int
    effect_size: float

    @property
    def total(self) -> int:
        """Impressions over both arms."""
        return self.control + self.variant


def check_counts(events: int, trials: int, *, field: str = "events") -> None:
    """Refuse negative counts and more events than trials."""
    if events < 0 or trials < 0:
        raise InvalidInput("counts cannot be negative", field=field)
    if events > trials:
        raise InvalidInput("events cannot exceed trials", field=field)


def rate(events: int, trials: int) -> float:
    """``events / trials``, 0.0 when there were no trials."""
    check_counts(events, trials)
    return events / trials if trials else 0.0


def rate_difference(events_a: int, trials_a: int, events_b: int, trials_b: int, confidence: float = 0.95) -> Difference:
    """Newcombe's hybrid score interval for ``rate_a - rate_b`` (built from the two Wilson intervals)."""
    p_a, p_b = rate(events_a, trials_a), rate(events_b, trials_b)
    ci_a = wilson_interval(events_a, trials_a, confidence)
    ci_b = wilson_interval(events_b, trials_b, confidence)
    estimate = p_a - p_b
    low = estimate - math.hypot(p_a - ci_a.low, ci_b.high - p_b)
    high = estimate + math.hypot(ci_a.high - p_a, p_b - ci_b.low)
    return Difference(estimate, low, high)


def two_proportion_pvalue(events_a: int, trials_a: int, events_b: int, trials_b: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (1.0 when there is nothing to compare)."""
    p_a, p_b = rate(events_a, trials_a), rate(events_b, trials_b)
    if trials_a == 0 or trials_b == 0:
        return 1.0
    pooled = (events_a + events_b) / (trials_a + trials_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
    if se == 0:
        return 1.0
    return float(2 * stats.norm.sf(abs(p_a - p_b) / se))


def prob_beats(events_v: int, trials_v: int, events_c: int, trials_c: int) -> float:
    """P(variant rate > control rate) with independent Beta(1, 1) priors, computed exactly.

    The posteriors are Beta(1 + events, 1 + non-events); the closed form sums over the successes of one arm
    (Evan Miller's formula), so it is deterministic — no Monte Carlo noise between two report runs.
    """
    check_counts(events_v, trials_v, field="variant")
    check_counts(events_c, trials_c, field="control")
    a_v, b_v = 1 + events_v, 1 + trials_v - events_v
    a_c, b_c = 1 + events_c, 1 + trials_c - events_c
    if min(a_v, a_c) > _EXACT_LIMIT:
        return _prob_beats_normal(a_v, b_v, a_c, b_c)
    if a_v <= a_c:
        return _prob_beta_greater(a_v, b_v, a_c, b_c)
    return 1.0 - _prob_beta_greater(a_c, b_c, a_v, b_v)


def _prob_beta_greater(a_1: int, b_1: int, a_2: int, b_2: int) -> float:
    """P(X1 > X2) for X1 ~ Beta(a_1, b_1), X2 ~ Beta(a_2, b_2); exact for integer ``a_1``."""
    i = np.arange(a_1, dtype=float)
    log_terms = (
        special.betaln(a_2 + i, b_1 + b_2) - np.log(b_1 + i) - special.betaln(1 + i, b_1) - special.betaln(a_2, b_2)
    )
    return float(min(1.0, max(0.0, np.exp(special.logsumexp(log_terms)))))


def _prob_beats_normal(a_v: int, b_v: int, a_c: int, b_c: int) -> float:
    mean_v, var_v = _beta_moments(a_v, b_v)
    mean_c, var_c = _beta_moments(a_c, b_c)
    return float(stats.norm.cdf((mean_v - mean_c) / math.sqrt(var_v + var_c)))


def _beta_moments(a: float, b: float) -> tuple[float, float]:
    total = a + b
    return a / total, a * b / (total * total * (total + 1))


def holm(p_values: Sequence[float], alpha: float = 0.05) -> tuple[list[float], list[bool]]:
    """Holm step-down adjusted p-values and which hypotheses are rejected at ``alpha``.

    Use it when the same variant is compared with control in several segments: without a correction one of
    ten segments will look "significant" by chance alone far too often.
    """
    m = len(p_values)
    for p in p_values:
        if not 0.0 <= p <= 1.0 or math.isnan(p):
            raise InvalidInput("p-values must lie in [0, 1]", field="p_values")
    order = sorted(range(m), key=lambda k: p_values[k])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted, [p <= alpha for p in adjusted]


def lift(observed: float, baseline: float) -> float:
    """Relative change against a baseline rate: 0.79 means 79 % better (the Redirect pilot's Arabic ads)."""
    if baseline <= 0:
        raise InvalidInput("the baseline rate must be positive", field="baseline")
    return observed / baseline - 1.0


def lift_interval(events: int, trials: int, baseline: float, confidence: float = 0.95) -> Interval:
    """Lift of ``events / trials`` over a known baseline, with the Wilson interval carried through."""
    ci = wilson_interval(events, trials, confidence)
    return Interval(lift(ci.low, baseline), lift(ci.high, baseline))


def is_suppressed(events: int, threshold: int = MIN_CELL_EVENTS) -> bool:
    """True when a cell has too few events to be published."""
    if threshold < 0:
        raise InvalidInput("the suppression threshold cannot be negative", field="threshold")
    return events < threshold


def partial_pooling(counts: Sequence[tuple[int, int]], confidence: float = 0.95) -> PooledRates:
    """Shrink the rates of several groups towards their common rate, more so for small groups.

    ``counts`` holds ``(events, trials)`` per group — typically one variant across communities. A Beta(alpha,
    beta) prior is fitted by maximising the beta-binomial marginal likelihood (empirical Bayes); each group
    then gets its posterior mean and an equal-tailed credible interval. When the groups do not differ more
    than chance explains, the fit tends to complete pooling; the prior is then capped at the weight of all
    the data together, so that intervals stay as wide as those of the pooled counts rather than collapsing.
    """
    if not counts:
        raise InvalidInput("partial pooling needs at least one group", field="counts")
    for events, trials in counts:
        check_counts(events, trials, field="counts")
    events_arr = np.array([c[0] for c in counts], dtype=float)
    trials_arr = np.array([c[1] for c in counts], dtype=float)
    alpha, beta = _fit_beta_binomial(events_arr, trials_arr)
    post_a, post_b = events_arr + alpha, trials_arr - events_arr + beta
    tail = (1 - confidence) / 2
    lows = stats.beta.ppf(tail, post_a, post_b)
    highs = stats.beta.ppf(1 - tail, post_a, post_b)
    return PooledRates(
        alpha=alpha,
        beta=beta,
        rates=tuple(float(x) for x in post_a / (post_a + post_b)),
        intervals=tuple(Interval(float(lo), float(hi)) for lo, hi in zip(lows, highs, strict=True)),
    )


_MIN_LOG_STRENGTH = math.log(1e-2)


def beta_binomial_loglik(alpha: float, beta: float, events: np.ndarray, trials: np.ndarray) -> float:
    """Beta-binomial log-likelihood without the binomial coefficients (they do not depend on the prior)."""
    return float(np.sum(special.betaln(events + alpha, trials - events + beta) - special.betaln(alpha, beta)))


def _fit_beta_binomial(events: np.ndarray, trials: np.ndarray) -> tuple[float, float]:
    """Marginal MLE of (alpha, beta), parametrised as mean (logit) and strength alpha + beta (log)."""
    mean = (events.sum() + 0.5) / (trials.sum() + 1.0)

    def negative(params: np.ndarray) -> float:
        mu = float(special.expit(params[0]))
        strength = math.exp(float(params[1]))
        return -beta_binomial_loglik(mu * strength, (1 - mu) * strength, events, trials)

    max_log_strength = math.log(max(float(trials.sum()), 2.0))
    start_strength = min(_moment_strength(events, trials), math.exp(max_log_strength))
    result = optimize.minimize(
        negative,
        np.array([special.logit(mean), math.log(start_strength)]),
        method="L-BFGS-B",
        bounds=[(-20.0, 20.0), (_MIN_LOG_STRENGTH, max_log_strength)],
    )
    mu = float(special.expit(result.x[0]))
    strength = math.exp(float(result.x[1]))
    return mu * strength, (1 - mu) * strength


def _moment_strength(events: np.ndarray, trials: np.ndarray) -> float:
    """Method-of-moments estimate of alpha + beta, used as the optimiser's starting point."""
    with_data = trials > 0
    if with_data.sum() < 2:
        return 100.0
    rates = events[with_data] / trials[with_data]
    mean = rates.mean()
    spread = rates.var(ddof=1) - mean * (1 - mean) * np.mean(1 / trials[with_data])
    if spread <= 0 or mean in (0.0, 1.0):
        return 1e6
    return float(np.clip(mean * (1 - mean) / spread - 1, 1.0, 1e6))


def sample_size_two_proportions(
    control_rate: float,
    variant_rate: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> SampleSize:
    """Impressions per arm to detect ``control_rate`` → ``variant_rate`` with a two-sided test.

    Uses Cohen's arcsine effect size h and the normal power function (as statsmodels ``NormalIndPower``):
    2.0 % → 2.4 % needs about 21,000 impressions per arm, 2 % → 3 % about 3,800. ``ratio`` is the size
    of the variant arm relative to control. Small communities may never reach these numbers: pool them
    (``partial_pooling``) or run longer.
    """
    _check_sample_size_inputs(control_rate, variant_rate, alpha, power, ratio)
    h = 2 * math.asin(math.sqrt(variant_rate)) - 2 * math.asin(math.sqrt(control_rate))
    z = float(stats.norm.isf(alpha / 2))
    variance_factor = 1 + 1 / ratio

    def shortfall(n: float) -> float:
        shift = abs(h) * math.sqrt(n / variance_factor)
        return float(stats.norm.sf(z - shift) + stats.norm.cdf(-z - shift)) - power

    guess = variance_factor * ((z + float(stats.norm.ppf(power))) / h) ** 2
    n_control = optimize.brentq(shortfall, 1e-9, 10 * guess + 10)
    control = math.ceil(n_control)
    variant = math.ceil(n_control * ratio)
    return SampleSize(per_arm=max(control, variant), control=control, variant=variant, effect_size=h)


def _check_sample_size_inputs(
    control_rate: float, variant_rate: float, alpha: float, power: float, ratio: float
) -> None:
    for name, value in (("control_rate", control_rate), ("variant_rate", variant_rate)):
        if not 0 < value < 1:
            raise InvalidInput("rates must lie strictly between 0 and 1", field=name)
    if control_rate == variant_rate:
        raise InvalidInput("the two rates must differ", field="variant_rate")
    if not 0 < alpha < 1:
        raise InvalidInput("alpha must lie between 0 and 1", field="alpha")
    if not alpha < power < 1:
        raise InvalidInput("power must lie between alpha and 1", field="power")
    if ratio <= 0:
        raise InvalidInput("ratio must be positive", field="ratio")


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise InvalidInput("confidence must lie between 0 and 1", field="confidence")
    return float(stats.norm.isf((1 - confidence) / 2))
