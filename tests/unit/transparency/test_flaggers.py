"""Trusted-flagger accuracy from events, on a fixture with known figures."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.rights.profile import set_alert_threshold
from accord.transparency import flaggers
from tests.factories import make_org
from tests.unit.transparency import history

ACTOR = Actor("test:flaggers", None)


@pytest.fixture
def fixture(session: Session, clock: FrozenClock) -> dict[str, str]:
    ids = {"provider": make_org(session, clock, "provider").id, "good": make_org(session, clock, "trusted_flagger").id,
           "poor": make_org(session, clock, "trusted_flagger").id, "other": make_org(session, clock, "provider").id}
    tf = {"provider_id": ids["provider"], "kind": "trusted_flagger_notice", "issuer_kind": "trusted_flagger"}
    good = [history.notice(session, clock, **tf, issuer_id=ids["good"], outcome="removed") for _ in range(9)]
    history.notice(session, clock, **tf, issuer_id=ids["good"], outcome="no_action")
    for index in range(20):
        history.notice(session, clock, **tf, issuer_id=ids["poor"], outcome="removed" if index < 2 else "no_action")
    history.notice(session, clock, provider_id=ids["other"], kind="trusted_flagger_notice",
                   issuer_kind="trusted_flagger", issuer_id=ids["good"], outcome="removed")
    for notice_id, outcome in ((good[0], "reversed"), (good[1], "upheld")):
        decision_id = history.decision(session, clock, ids["provider"], notice_ids=[notice_id])
        history.event(session, clock, Event.RIGHTS_COMPLAINT_DECIDE, ids["provider"], provider_id=ids["provider"],
                      decision_id=decision_id, outcome=outcome, seconds_to_decide=10)
    return ids


def test_each_flagger_gets_share_interval_and_overturn_rate(session: Session, fixture: dict[str, str]) -> None:
    figures = {f.flagger_id: f for f in flaggers.provider_flagger_accuracy(session, provider_id=fixture["provider"])}
    good, poor = figures[fixture["good"]], figures[fixture["poor"]]
    assert (good.notices, good.acted_on, good.complaints_decided, good.overturned) == (10, 9, 2, 1)
    assert good.overturn_rate == 0.5
    assert good.acted_on_interval is not None
    assert good.acted_on_interval.low == pytest.approx(0.5958, abs=1e-4)
    assert good.acted_on_interval.high == pytest.approx(0.9821, abs=1e-4)
    assert not good.alert
    assert (poor.notices, poor.acted_on) == (20, 2)
    assert poor.acted_on_interval is not None
    assert poor.acted_on_interval.high == pytest.approx(0.3010, abs=1e-4)
    assert poor.alert  # upper bound below the default 0.5


def test_the_threshold_is_configurable(session: Session, clock: FrozenClock, fixture: dict[str, str]) -> None:
    set_alert_threshold(session, clock, ACTOR, org_id=fixture["provider"], below=0.3)
    figures = {f.flagger_id: f for f in flaggers.provider_flagger_accuracy(session, provider_id=fixture["provider"])}
    assert not figures[fixture["poor"]].alert


def test_a_flagger_sees_its_own_figures_per_provider(session: Session, fixture: dict[str, str]) -> None:
    own = flaggers.own_accuracy(session, flagger_id=fixture["good"])
    assert [(row["provider_id"], row["notices"], row["acted_on"]) for row in own] == sorted(
        [(fixture["provider"], 10, 9), (fixture["other"], 1, 1)])
    assert all(row["flagger_id"] == fixture["good"] for row in own)
