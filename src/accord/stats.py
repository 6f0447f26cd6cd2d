"""Statistics shared by every domain: the Wilson score interval for a proportion, and Cohen's kappa.

Transparency (a trusted flagger's acted-on share) and narratives (a campaign's click-through rate) both report
a rate with its interval; one implementation keeps them agreeing, also at the edges (no trials, all or none).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from accord.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence (or credible) interval for a rate, both bounds within [0, 1]."""

    low: float
    high: float


def z_score(confidence: float) -> float:
    """The two-sided standard normal quantile for ``confidence`` (1.959963984540054 at 0.95)."""
    if not 0 < confidence < 1:
        raise InvalidInput("the confidence level lies strictly between 0 and 1", field="confidence")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(events: int, trials: int, confidence: float = 0.95) -> Interval:
    """The Wilson score interval (Wilson 1927) for ``events`` out of ``trials``.

    Unlike the normal approximation it stays inside [0, 1] and behaves at 0 and at ``trials`` events, which
    matters for small counts. With no trials nothing is known: the whole of [0, 1].
    """
    if events < 0 or trials < 0:
        raise InvalidInput(f"counts cannot be negative, got {events}/{trials}", field="events")
    if events > trials:
        raise InvalidInput(f"events cannot exceed trials, got {events}/{trials}", field="events")
    z = z_score(confidence)
    if trials == 0:
        return Interval(0.0, 1.0)
    p = events / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # The score interval always contains p; clamp so that rounding (p = 1 gives 0.9999999999999999) agrees.
    return Interval(max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def cohens_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa (1960) of two raters over nominal labels; None when undefined (no pairs, or chance = 1).

    Observed agreement corrected for the agreement the two raters' own label frequencies give by chance: the
    blind re-reviews of the review console and a trainee against a golden set's reference both use it."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)
