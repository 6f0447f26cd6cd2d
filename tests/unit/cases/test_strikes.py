"""DSA Art. 23 strikes: warning first, then suspension, at configurable thresholds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accord.cases import config, decisions, strikes
from accord.cases.models import Strike
from accord.errors import InvalidInput
from accord.flows import decisions as flows
from tests.unit.cases.conftest import Provider


@pytest.mark.parametrize("count,warned,expected", [(1, False, "warning"), (2, True, "none"),
                                                   (3, True, "suspension"), (5, False, "warning"),
                                                   (0, False, "none")])
def test_consequence_warns_before_suspending(count: int, warned: bool, expected: str) -> None:
    assert strikes.consequence(count, 1, 3, warned) == expected


def _illegal(p: Provider, key: str, uploader: str) -> None:
    case = p.case(key, ["hash_match"], uploader=uploader)
    flows.decide(p.session, p.clock, p.admin, case.id, decisions.DecisionInput(
        action="remove", ground="TCO Art. 2(7)", facts="beheading video", manifestly_illegal=True))


def test_manifestly_illegal_uploads_lead_to_warning_then_suspension(provider: Provider) -> None:
    p = provider
    for i in range(3):
        _illegal(p, f"u{i}", "user:42")
    rows = list(p.session.scalars(select(Strike).order_by(Strike.created_at)))
    assert [r.consequence for r in rows] == ["warning", "none", "suspension"]
    assert strikes.status(p.session, p.clock, p.id, "uploader", "user:42")["standing"] == "suspension"
    assert strikes.status(p.session, p.clock, p.id, "uploader", "user:7")["standing"] == "good"


def test_thresholds_and_window_are_configurable(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id,
                                  {"uploader_warning_at": 2, "strike_window_days": 30})
    _illegal(p, "a", "user:1")
    p.clock.advance(days=31)
    _illegal(p, "b", "user:1")
    assert [r.consequence for r in p.session.scalars(select(Strike))] == ["none", "none"]


def test_unfounded_notices_strike_notifiers_only_when_nothing_was_done(provider: Provider) -> None:
    p = provider
    case = p.case("n", ["hash_match"])
    with pytest.raises(InvalidInput):
        flows.decide(p.session, p.clock, p.admin, case.id, decisions.DecisionInput(
            action="remove", ground="Terms §1", facts="x", unfounded_notifiers=["notifier:9"]))
    flows.decide(p.session, p.clock, p.admin, case.id, decisions.DecisionInput(
        action="no_action", ground="Terms §1", facts="a cooking video", unfounded_notifiers=["notifier:9"]))
    assert strikes.status(p.session, p.clock, p.id, "notifier", "notifier:9")["strikes"] == 1
