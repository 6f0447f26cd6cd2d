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
from accord.narratives.audience import Variant
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
