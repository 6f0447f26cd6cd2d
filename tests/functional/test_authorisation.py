"""The authorisation matrix: every API route x every organisation kind x {no key, revoked key, another's key}.

Routes are discovered from the app, so a route added later is covered without touching this file. Objects to
probe are discovered from the audit trail after seeding the demo world (every capability seeds its data): an
object's parties are the organisations named in its events; any other organisation must never get a 2xx.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord import demo
from accord.app import UI_ROUTERS
from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity import service as identity
from accord.identity.models import ORG_KINDS, Organisation
from accord.settings import Settings
from tests.factories import TEST_ACTOR, make_orgs

# Routes anyone may call without a key, by design (and documented in docs/decisions.md).
PUBLIC = re.compile(r"^/v1/public/")
# Routes whose objects are shared by design with every organisation on the instance.
SHARED_BY_DESIGN = re.compile(r"^/v1/(organisations|incidents|library|exchange)")
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI contract under /v1 that is not public by design."""
    routes = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/v1") and not PUBLIC.match(path):
            routes.extend((method.upper(), path) for method in sorted(operations) if method != "head")
    return routes


def _fill(path: str, value: str) -> str:
    return _PARAM.sub(value, path)


def test_every_route_refuses_missing_and_revoked_keys(app: FastAPI, client: TestClient,
                                                       factory: sessionmaker[Session], clock: FrozenClock) -> None:
    orgs = make_orgs(factory, clock)
    revoked = {}
    with unit_of_work(factory) as session:
        for kind, org in orgs.items():
            key, plain = identity.create_key(session, clock, TEST_ACTOR, org_id=org.id)
            identity.revoke_key(session, clock, TEST_ACTOR, key_ref=key.id, org_id=org.id)
            revoked[kind] = plain
    routes = api_routes(app)
    assert len(routes) >= 10
    for method, path in routes:
        url = _fill(path, "x_missing")
        anonymous = client.request(method, url, json={})
        assert anonymous.status_code == 401, f"{method} {path} without a key answered {anonymous.status_code}"
        assert anonymous.headers["content-type"].startswith("application/problem+json")
        for kind in ORG_KINDS:
            response = client.request(method, url, json={}, headers={"Authorization": f"Bearer {revoked[kind]}"})
            assert response.status_code == 401, f"{method} {path} with a revoked {kind} key: {response.status_code}"


def test_every_route_answers_every_kind_without_server_errors(app: FastAPI, client: TestClient,
                                                               factory: sessionmaker[Session],
                                                               clock: FrozenClock) -> None:
    orgs = make_orgs(factory, clock)
    for method, path in api_routes(app):
        for kind, org in orgs.items():
            response = client.request(method, _fill(path, "x_missing"), json={}, headers=org.headers)
            assert response.status_code < 500, f"{method} {path} as {kind}: {response.status_code} {response.text}"
            if "{" in path and response.status_code < 300 and method != "GET":
                pytest.fail(f"{method} {path} as {kind} changed an object that does not exist")


def _parties(session: Session, org_ids: set[str]) -> dict[str, set[str]]:
    """subject id → organisations named by any event about it; objects shared with all (an event with
    ``"visibility": "all"``, such as a bank shared with every organisation) are left out."""
    parties: dict[str, set[str]] = defaultdict(set)
    shared: set[str] = set()
    for event in session.scalars(select(AuditEvent).where(AuditEvent.subject.is_not(None))):
        assert event.subject is not None
        if event.payload.get("visibility") == "all":
            shared.add(event.subject)
        named = {v for v in _values(event.payload) if v in org_ids}
        parties[event.subject] |= named | ({event.org_id} if event.org_id else set())
    return {subject: owners for subject, owners in parties.items() if subject not in shared}


def _sample(parties: dict[str, set[str]], orgs: dict[str, Any], per_kind: int = 3) -> list[tuple[str, set[str]]]:
    """A few objects of every kind of id (``ntc_``, ``case_``, ``bank_`` ...): the demo's year of history holds
    thousands, and one of a kind answers for all of that kind."""
    taken: dict[str, int] = defaultdict(int)
    sample = []
    for subject, owners in parties.items():
        kind = subject.split("_", 1)[0]
        if subject in orgs or not owners or taken[kind] >= per_kind or len(owners) == len(orgs):
            continue
        taken[kind] += 1
        sample.append((subject, owners))
    return sample


def _values(payload: Any) -> list[str]:
    if isinstance(payload, dict):
        return [v for item in payload.values() for v in _values(item)]
    if isinstance(payload, list):
        return [v for item in payload for v in _values(item)]
    return [payload] if isinstance(payload, str) else []


def test_no_organisation_reaches_another_organisations_objects(
    app: FastAPI, client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    with unit_of_work(factory) as session:
        world = demo.seed(session, clock, settings)
        assert world is not None
        orgs = {org.id: org for org in session.scalars(select(Organisation))}
        keys = {org_id: identity.create_key(session, clock, TEST_ACTOR, org_id=org_id)[1] for org_id in orgs}
        parties = _parties(session, set(orgs))
    routes = [(m, p) for m, p in api_routes(app) if len(_PARAM.findall(p)) == 1 and not SHARED_BY_DESIGN.match(p)]
    probed = 0
    for subject, owners in _sample(parties, orgs):
        outsider = next(org_id for org_id in orgs if org_id not in owners)
        headers = {"Authorization": f"Bearer {keys[outsider]}"}
        for method, path in routes:
            response = client.request(method, _fill(path, subject), json={}, headers=headers)
            probed += 1
            assert not 200 <= response.status_code < 300, (
                f"{orgs[outsider].kind} {orgs[outsider].name} reached {subject} of {owners} via {method} {path}"
            )
    assert probed > 0



def capability_routes() -> list[tuple[str, str]]:
    """Every page opened by a capability token instead of a key or a login (``/status/{token}``, ...)."""
    found = []
    for router in UI_ROUTERS:
        for route in router.routes:
            path, methods = getattr(route, "path", ""), getattr(route, "methods", None) or set()
            if "{token}" in path:
                found.extend((method, path) for method in sorted(methods) if method != "HEAD")
    return found


def test_capability_pages_open_nothing_without_their_token(app: FastAPI, client: TestClient,
                                                           factory: sessionmaker[Session], clock: FrozenClock,
                                                           settings: Settings) -> None:
    with unit_of_work(factory) as session:
        world = demo.seed(session, clock, settings)
        assert world is not None and world.links
        key = identity.create_key(session, clock, TEST_ACTOR, org_id=world.orgs["smallvideo"].id)[1]
    routes = capability_routes()
    assert ("GET", "/status/{token}") in routes
    for method, path in routes:
        for token in ("x", "A" * 32, world.links[0][1].rsplit("/", 1)[1][:-1]):
            response = client.request(method, _fill(path, token), data={"statement": "x"},
                                      headers={"Authorization": f"Bearer {key}"})
            assert response.status_code == 404, f"{method} {path} opened {token!r}: {response.status_code}"
    assert client.get(world.links[0][1].removeprefix(settings.public_base_url)).status_code == 200
