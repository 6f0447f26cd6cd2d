"""How accurate each trusted flagger's notices are (DSA Art. 22(6)).

A platform that finds a trusted flagger sending "a significant number of insufficiently precise, inaccurate
or inadequately substantiated notices" must tell the Digital Services Coordinator. Accord shows each flagger
the share of its notices that were acted on, with a Wilson 95% interval so that a flagger with five notices
is not judged like one with five thousand, and the share of complaints against those actions that were
overturned. An alert is raised only when even the interval's upper bound is below the configured threshold,
i.e. when the data are clear that the flagger falls short.

The functions here are pure: the DB layer counts (``FlaggerCounts``, e.g. with one GROUP BY) or streams
per-notice outcomes through ``tally``, then calls ``assess``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from accord.errors import InvalidInput
from accord.rights.profile import DEFAULT_ALERT_BELOW
from accord.stats import Interval, wilson_interval

DEFAULT_CONFIDENCE: Final = 0.95


class ComplaintOutcome(StrEnum):
    """What became of a complaint against the action taken on a notice."""

    PENDING = "pending"
    UPHELD = "upheld"
    REVERSED = "reversed"


@dataclass(frozen=True, slots=True)
class NoticeOutcome:
    """One trusted-flagger notice: was it acted on, and what became of a complaint against that action.

    ``complaint`` concerns the action taken on the notice (usually the uploader's), so it is only given when
    ``acted_on``; a reversal means the notice should not have been acted on.
    """

    flagger_id: str
    acted_on: bool
    complaint: ComplaintOutcome | None = None


@dataclass(frozen=True, slots=True)
class FlaggerCounts:
    """The raw counts for one flagger; ``complaints_decided`` excludes pending complaints."""

    flagger_id: str
    notices: int
    acted_on: int
    complaints_decided: int = 0
    overturned: int = 0


@dataclass(frozen=True, slots=True)
class FlaggerAccuracy:
    """The Art. 22(6) figures of one trusted flagger, as shown to the provider and to the flagger itself."""

    flagger_id: str
    notices: int
    acted_on: int
    acted_on_share: float | None
    acted_on_interval: Interval | None
    complaints_decided: int
    overturned: int
    overturn_rate: float | None
    alert: bool

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping for reports and the API."""
        interval = self.acted_on_interval
        return {
            "flagger_id": self.flagger_id,
            "notices": self.notices,
            "acted_on": self.acted_on,
            "acted_on_share": self.acted_on_share,
            "acted_on_interval": None if interval is None else [interval.low, interval.high],
            "complaints_decided": self.complaints_decided,
            "overturned": self.overturned,
            "overturn_rate": self.overturn_rate,
            "alert": self.alert,
        }


def tally(outcomes: Iterable[NoticeOutcome]) -> dict[str, FlaggerCounts]:
    """Count per-notice outcomes into ``FlaggerCounts`` per flagger."""
    counts: dict[str, list[int]] = {}
    for outcome in outcomes:
        if outcome.complaint is not None and not outcome.acted_on:
            raise InvalidInput("a complaint needs an action, none was taken", field="complaint")
        row = counts.setdefault(outcome.flagger_id, [0, 0, 0, 0])
        row[0] += 1
        row[1] += outcome.acted_on
        decided = outcome.complaint in (ComplaintOutcome.UPHELD, ComplaintOutcome.REVERSED)
        row[2] += decided
        row[3] += outcome.complaint is ComplaintOutcome.REVERSED
    return {flagger: FlaggerCounts(flagger, *row) for flagger, row in counts.items()}


def assess(
    counts: FlaggerCounts,
    *,
    alert_below: float = DEFAULT_ALERT_BELOW,
    confidence: float = DEFAULT_CONFIDENCE,
) -> FlaggerAccuracy:
    """The figures of one flagger; ``alert`` when the interval's upper bound is below ``alert_below``."""
    _check_counts(counts)
    if not 0 <= alert_below <= 1:
        raise InvalidInput("the alert threshold is a share between 0 and 1", field="alert_below")
    interval = wilson_interval(counts.acted_on, counts.notices, confidence) if counts.notices else None
    return FlaggerAccuracy(
        flagger_id=counts.flagger_id,
        notices=counts.notices,
        acted_on=counts.acted_on,
        acted_on_share=_share(counts.acted_on, counts.notices),
        acted_on_interval=interval,
        complaints_decided=counts.complaints_decided,
        overturned=counts.overturned,
        overturn_rate=_share(counts.overturned, counts.complaints_decided),
        alert=interval is not None and interval.high < alert_below,
    )


def flagger_accuracy(
    outcomes: Iterable[NoticeOutcome],
    *,
    alert_below: float = DEFAULT_ALERT_BELOW,
    confidence: float = DEFAULT_CONFIDENCE,
) -> list[FlaggerAccuracy]:
    """The figures of every flagger found in ``outcomes``, ordered by flagger id."""
    return assess_all(tally(outcomes), alert_below=alert_below, confidence=confidence)


def assess_all(
    counts: Mapping[str, FlaggerCounts],
    *,
    alert_below: float = DEFAULT_ALERT_BELOW,
    confidence: float = DEFAULT_CONFIDENCE,
) -> list[FlaggerAccuracy]:
    """``assess`` for every flagger in ``counts``, ordered by flagger id."""
    return [assess(counts[flagger], alert_below=alert_below, confidence=confidence) for flagger in sorted(counts)]


def _check_counts(counts: FlaggerCounts) -> None:
    if not 0 <= counts.acted_on <= counts.notices:
        raise InvalidInput("acted-on notices must be between 0 and the number of notices", field="acted_on")
    if not 0 <= counts.complaints_decided <= counts.acted_on:
        raise InvalidInput("decided complaints cannot exceed acted-on notices", field="complaints_decided")
    if not 0 <= counts.overturned <= counts.complaints_decided:
        raise InvalidInput("overturned complaints cannot exceed decided complaints", field="overturned")


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
