"""The demo shows statements of reasons in every Transparency Database status."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from accord import demo
from accord.clock import FrozenClock
from accord.settings import Settings
from accord.transparency import tdb


def test_the_demo_has_statements_accepted_rejected_and_waiting(session: Session, clock: FrozenClock,
                                                             settings: Settings) -> None:
    world = demo.seed(session, clock, settings)
    assert world is not None
    rows = tdb.statuses(session, world.orgs["smallvideo"].id)
    states = Counter(r["state"] for r in rows)
    assert states["accepted"] >= 1 and states["rejected"] == 1 and states["pending"] >= 1
    [refused] = [r for r in rows if r["state"] == "rejected"]
    assert refused["errors"]["decision_facts"]
    assert all(r["last_error"] for r in rows if r["state"] == "pending")
