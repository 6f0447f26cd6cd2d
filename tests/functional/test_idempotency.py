"""Idempotency-Key on POST: replay, conflict, and two concurrent identical requests on a real server."""

from __future__ import annotations

import threading

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity.models import Member
from accord.settings import Settings
from tests.conftest import LiveServer
from tests.factories import make_org


def _admin(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, str]:
    with unit_of_work(factory) as session:
        return make_org(session, clock, "provider").headers


def _members(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Member)) or 0


BODY = {"email": "new.reviewer@example.org", "name": "New", "role": "reviewer", "password": "long enough pass"}


def test_same_key_same_body_replays_without_creating(client: TestClient, factory: sessionmaker[Session],
                                                     clock: FrozenClock) -> None:
    headers = {**_admin(factory, clock), "Idempotency-Key": "k-1"}
    first = client.post("/v1/members", json=BODY, headers=headers)
    again = client.post("/v1/members", json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert _members(factory) == 2  # the factory's admin and the one new reviewer


def test_same_key_other_body_is_a_conflict(client: TestClient, factory: sessionmaker[Session],
                                           clock: FrozenClock) -> None:
    headers = {**_admin(factory, clock), "Idempotency-Key": "k-2"}
    assert client.post("/v1/members", json=BODY, headers=headers).status_code == 201
    other = client.post("/v1/members", json={**BODY, "email": "other@example.org"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["type"].endswith("/idempotency-conflict")
    assert _members(factory) == 2


def test_keys_are_scoped_to_the_caller(client: TestClient, factory: sessionmaker[Session],
                                       clock: FrozenClock) -> None:
    a, b = _admin(factory, clock), _admin(factory, clock)
    assert client.post("/v1/members", json=BODY, headers={**a, "Idempotency-Key": "same"}).status_code == 201
    second = client.post("/v1/members", json={**BODY, "email": "b@example.org"},
                         headers={**b, "Idempotency-Key": "same"})
    assert second.status_code == 201 and "idempotent-replayed" not in second.headers


def test_concurrent_identical_requests_create_one_object(live_server: LiveServer, factory: sessionmaker[Session],
                                                         clock: FrozenClock, settings: Settings) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("concurrency is proven on PostgreSQL")
    headers = {**_admin(factory, clock), "Idempotency-Key": "race"}
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def post() -> None:
        with httpx.Client(base_url=live_server.url, timeout=30) as http:
            barrier.wait()
            answers.append(http.post("/v1/members", json=BODY, headers=headers))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert _members(factory) == 2
