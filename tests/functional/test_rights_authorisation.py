"""The authorisation matrix restricted to the rights and transparency routes, so their failures show even
while another domain's routes fail the shared matrix."""

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
from accord.identity.models import ORG_KINDS, Organisation
from accord.settings import Settings
from tests.factories import TEST_ACTOR, make_orgs
from tests.functional.test_authorisation import _PARAM, _fill, _parties, api_routes

MINE = re.compile(r"^/v1/(complaints|user-notices|preservation|reinstatements|rights|transparency)")


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    return [(m, p) for m, p in api_routes(app) if MINE.match(p)]


def test_keys_are_required_and_nothing_breaks(app: FastAPI, client: TestClient, factory: sessionmaker[Session],
                                              clock: FrozenClock) -> None:
    orgs = make_orgs(factory, clock)
    routes = _routes(app)
    assert len(routes) >= 15
    for method, path in routes:
        url = _fill(path, "x_missing")
        assert client.request(method, url, json={}).status_code == 401, f"{method} {path}"
        for kind in ORG_KINDS:
            response = client.request(method, url, json={}, headers=orgs[kind].headers)
            assert response.status_code < 500, f"{method} {path} as {kind}: {response.text}"
            assert not ("{" in path and method != "GET" and response.status_code < 300), f"{method} {path}"


def test_no_organisation_reaches_another_organisations_rights_objects(
    app: FastAPI, client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    with unit_of_work(factory) as session:
        assert demo.seed(session, clock, settings) is not None
        orgs = {org.id: org for org in session.scalars(select(Organisation))}
        keys = {org_id: identity.create_key(session, clock, TEST_ACTOR, org_id=org_id)[1] for org_id in orgs}
        parties = _parties(session, set(orgs))
    routes = [(m, p) for m, p in _routes(app) if len(_PARAM.findall(p)) == 1]
    probed = 0
    for subject, owners in parties.items():
        if subject in orgs or not owners or not subject.startswith(("cmp_", "prv_", "unt_")):
            continue
        outsider = next(org_id for org_id in orgs if org_id not in owners)
        for method, path in routes:
            response = client.request(method, _fill(path, subject), json={"purpose": "review"},
                                      headers={"Authorization": f"Bearer {keys[outsider]}"})
            probed += 1
            assert not 200 <= response.status_code < 300, f"{orgs[outsider].name} reached {subject} via {path}"
    assert probed > 0
