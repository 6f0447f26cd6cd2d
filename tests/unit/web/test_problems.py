"""The problem+json shape is a contract: pin it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import ALL_ERRORS
from tests.factories import make_org

KEYS = {"type", "title", "status", "detail", "instance"}


def test_unauthenticated_shape(client: TestClient) -> None:
    response = client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert set(body) >= KEYS
    assert body["type"] == "https://accord.example/problems/not-authenticated"
    assert body["instance"] == "/v1/me"


def test_validation_error_names_the_field(client: TestClient, factory: sessionmaker[Session],
                                          clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock)
    response = client.post("/v1/members", json={"email": "x@example.org", "role": "reviewer"}, headers=org.headers)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "password"
    assert body["type"].endswith("/invalid-input")
    assert body["errors"][0]["field"] == "password"


def test_domain_error_names_the_field(client: TestClient, factory: sessionmaker[Session],
                                      clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock)
    body = {"email": "x@example.org", "role": "overlord", "password": "long enough password"}
    response = client.post("/v1/members", json=body, headers=org.headers)
    assert response.status_code == 422
    assert response.json()["field"] == "role"


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_every_error_has_a_distinct_slug_and_an_exit_code() -> None:
    slugs = [e.slug for e in ALL_ERRORS]
    assert len(slugs) == len(set(slugs))
    assert all(e.exit_code != 0 for e in ALL_ERRORS)


def test_missing_scope_is_403(client: TestClient, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    from accord.identity import service

    with unit_of_work(factory) as session:
        org = make_org(session, clock)
        _, key = service.create_key(session, clock, service.Actor("t", None), org_id=org.id, scopes=["org:read"])
    response = client.get("/v1/audit/events", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert "audit:read" in response.json()["detail"]
