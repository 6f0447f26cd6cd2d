"""The authorisation matrix restricted to the review console's routes, over every object of the demo world (not a
sample): no organisation reaches another's cases, decisions, statements, queues or quality reviews."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.settings import Settings
from tests.functional.test_authorisation import probe_outsiders, seed_world

MINE = re.compile(r"^/v1/(cases|queues|statements|quality|review)")


def test_no_organisation_reaches_another_organisations_review_objects(
    app: FastAPI, client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    keys = seed_world(app, client, factory, clock, settings)
    found = probe_outsiders(app, client, factory, clock, keys, only=MINE, per_route=1_000)
    assert not found.failures, "\n".join(found.failures)
    assert not found.unprobed, f"no object in the world for {found.unprobed}"
    assert found.probed > 100
