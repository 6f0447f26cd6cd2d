"""Trusted-flagger accuracy (DSA Art. 22(6)) on a fixture (the Wilson interval itself: tests/unit/test_stats.py)."""

from __future__ import annotations

import pytest

from accord.errors import InvalidInput
from accord.transparency.accuracy import (
    ComplaintOutcome,
    FlaggerCounts,
    NoticeOutcome,
    assess,
    flagger_accuracy,
    tally,
)

REVERSED, UPHELD, PENDING = ComplaintOutcome.REVERSED, ComplaintOutcome.UPHELD, ComplaintOutcome.PENDING


def _notices(flagger: str, acted: int, ignored: int, complaints: list[ComplaintOutcome]) -> list[NoticeOutcome]:
    """``acted`` acted-on notices (the first ones carrying ``complaints``) and ``ignored`` others."""
    with_complaint = [NoticeOutcome(flagger, True, outcome) for outcome in complaints]
    plain = [NoticeOutcome(flagger, True) for _ in range(acted - len(complaints))]
    return with_complaint + plain + [NoticeOutcome(flagger, False) for _ in range(ignored)]


# A reliable referral unit, a sloppy flagger with plenty of evidence, and a new flagger with two notices.
FIXTURE = (
    _notices("eu-iru", acted=92, ignored=8, complaints=[UPHELD] * 9 + [REVERSED] + [PENDING] * 2)
    + _notices("sloppy-ngo", acted=12, ignored=48, complaints=[REVERSED] * 3 + [UPHELD])
    + _notices("newcomer", acted=0, ignored=2, complaints=[])
)


def test_fixture_figures() -> None:
    figures = {row.flagger_id: row for row in flagger_accuracy(FIXTURE, alert_below=0.5)}
    assert list(figures) == ["eu-iru", "newcomer", "sloppy-ngo"]

    iru = figures["eu-iru"]
    assert (iru.notices, iru.acted_on, iru.acted_on_share) == (100, 92, 0.92)
    assert (iru.complaints_decided, iru.overturned, iru.overturn_rate) == (10, 1, 0.1)
    assert iru.acted_on_interval is not None
    interval = (iru.acted_on_interval.low, iru.acted_on_interval.high)
    assert interval == pytest.approx((0.8500, 0.9589), abs=5e-5)
    assert iru.alert is False

    sloppy = figures["sloppy-ngo"]
    assert (sloppy.notices, sloppy.acted_on, sloppy.acted_on_share) == (60, 12, 0.2)
    assert (sloppy.complaints_decided, sloppy.overturned, sloppy.overturn_rate) == (4, 3, 0.75)
    assert sloppy.acted_on_interval is not None
    assert (sloppy.acted_on_interval.low, sloppy.acted_on_interval.high) == pytest.approx((0.1183, 0.3178), abs=5e-5)
    assert sloppy.alert is True

    # Two ignored notices prove little: the interval reaches well above the threshold, so no alert.
    new = figures["newcomer"]
    assert (new.acted_on_share, new.overturn_rate) == (0.0, None)
    assert new.acted_on_interval is not None
    assert new.acted_on_interval.low == 0.0
    assert new.acted_on_interval.high > 0.5
    assert new.alert is False


def test_threshold_is_configurable() -> None:
    strict = {row.flagger_id: row.alert for row in flagger_accuracy(FIXTURE, alert_below=0.97)}
    assert strict == {"eu-iru": True, "newcomer": True, "sloppy-ngo": True}
    lenient = {row.flagger_id: row.alert for row in flagger_accuracy(FIXTURE, alert_below=0.1)}
    assert lenient == {"eu-iru": False, "newcomer": False, "sloppy-ngo": False}


def test_tally_counts_the_fixture() -> None:
    assert tally(FIXTURE)["sloppy-ngo"] == FlaggerCounts("sloppy-ngo", 60, 12, 4, 3)


def test_a_flagger_without_notices_has_no_figures_and_no_alert() -> None:
    row = assess(FlaggerCounts("idle", 0, 0))
    assert (row.acted_on_share, row.acted_on_interval, row.alert) == (None, None, False)


def test_as_dict_is_json_ready() -> None:
    row = assess(FlaggerCounts("f", 4, 2, 1, 1))
    data = row.as_dict()
    assert data["acted_on_interval"] == [row.acted_on_interval.low, row.acted_on_interval.high]  # type: ignore[union-attr]
    assert data["overturn_rate"] == 1.0
    assert set(data) == {
        "flagger_id",
        "notices",
        "acted_on",
        "acted_on_share",
        "acted_on_interval",
        "complaints_decided",
        "overturned",
        "overturn_rate",
        "alert",
    }


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        (FlaggerCounts("f", 3, 4), "acted_on"),
        (FlaggerCounts("f", 3, -1), "acted_on"),
        (FlaggerCounts("f", 3, 1, 2, 0), "complaints_decided"),
        (FlaggerCounts("f", 3, 2, 1, 2), "overturned"),
    ],
)
def test_impossible_counts_are_refused(counts: FlaggerCounts, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        assess(counts)
    assert refused.value.field == field


@pytest.mark.parametrize("threshold", [-0.1, 1.1])
def test_threshold_outside_0_1_is_refused(threshold: float) -> None:
    with pytest.raises(InvalidInput):
        assess(FlaggerCounts("f", 1, 1), alert_below=threshold)


def test_a_complaint_on_a_notice_not_acted_on_is_refused() -> None:
    with pytest.raises(InvalidInput):
        tally([NoticeOutcome("f", False, UPHELD)])
