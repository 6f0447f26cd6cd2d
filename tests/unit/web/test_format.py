"""Templates show times to the minute in UTC and stored values as words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from accord.web.ui import _format


def test_times_are_to_the_minute_in_utc_whatever_zone_they_carry() -> None:
    paris = timezone(timedelta(hours=1))
    assert _format.utc(datetime(2026, 12, 3, 20, 33, 55, 983938, tzinfo=paris)) == "2026-12-03 19:33 UTC"
    assert _format.utc(datetime(2026, 12, 3, 19, 33, 55)) == "2026-12-03 19:33 UTC"  # SQLite: naive, stored UTC
    assert _format.utc("2026-12-03T19:33:55+00:00") == "2026-12-03 19:33 UTC"
    assert _format.utc(None, "never") == "never"
    assert _format.iso(datetime(2026, 12, 3, 19, 33, tzinfo=UTC)) == "2026-12-03T19:33:00+00:00"


def test_stored_values_read_as_words() -> None:
    assert _format.label("no_action") == "No action"
    assert _format.label("cannot_comply") == "Cannot comply"
    assert _format.label("disabled") == "Access disabled"
    assert _format.label("some_new_value") == "some new value"


def test_a_case_with_a_deadline_is_never_medium() -> None:
    order = {"state": "open", "seconds_left": 60, "band": "medium", "score": 3}
    assert _format.priority(order)["label"].startswith("urgent")
    assert _format.priority({**order, "seconds_left": -5})["label"] == "overdue"
    assert _format.priority({"state": "open", "seconds_left": None, "band": "high", "score": 8})["label"] == "high · 8"
