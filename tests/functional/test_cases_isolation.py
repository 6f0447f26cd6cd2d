"""The authorisation matrix restricted to the review console's routes, over the whole demo world: no
organisation reaches another's cases, decisions, statements, queues or quality reviews."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord import demo
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity import service as identity
from accord.identity.models import Organisation
from accord.settings import Settings
from tests.factories import TEST_ACTOR
from tests.functional.test_authorisation import _PARAM, _fill, _parties, api_routes

MINE = re.compile(r"^/v1/(cases|queues|statements|quality|review)")


def test_no_organisation_reaches_another_organisations_review_objects(
    app: FastAPI, client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    with unit_of_work(factory) as session:
        assert demo.seed(session, clock, settings) is not None
        orgs = {org.id: org for org in session.scalars(select(Organisation))}
        keys = {org_id: identity.create_key(session, clock, TEST_ACTOR, org_id=org_id)[1] for org_id in orgs}
        parties = _parties(session, set(orgs))
    routes = [(m, p) for m, p in api_routes(app) if MINE.match(p) and len(_PARAM.findall(p)) == 1]
    subjects = [s for s in parties if s.split("_")[0] in ("case", "dec", "sor", "que", "qrv", "stk")]
    assert subjects and routes
    for subject in subjects:
        outsider = next(org_id for org_id in orgs if org_id not in parties[subject])
        for method, path in routes:
            response = client.request(method, _fill(path, subject), json={},
                                      headers={"Authorization": f"Bearer {keys[outsider]}"})
            assert not 200 <= response.status_code < 300, f"{outsider} reached {subject} via {method} {path}"
