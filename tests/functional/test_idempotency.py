"""Idempotency-Key on POST: replay, conflict, two concurrent identical requests on a real server, authentication
before anything is stored, scopes, and the lease a retry takes over (moved by a FrozenClock)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.app import create_app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity.models import Member
from accord.identity.service import create_key
from accord.settings import Settings
from accord.web import _process
from accord.web.idempotency import IdempotencyRecord, caller_scope
from tests.conftest import LiveServer
from tests.factories import TEST_ACTOR, OrgHandle, make_org
from tests.unit.notices.helpers import payload


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


# ---- who is asking: authentication comes before anything is stored ------------------------------------------


def _records(factory: sessionmaker[Session]) -> list[IdempotencyRecord]:
    with factory() as session:
        return list(session.scalars(select(IdempotencyRecord)))


def test_an_unauthenticated_request_with_a_key_stores_nothing(client: TestClient,
                                                              factory: sessionmaker[Session]) -> None:
    for headers in ({}, {"Authorization": "Bearer acc_000000000000_not-a-real-key"}, {"Authorization": "Basic x"}):
        answer = client.post("/v1/members", json=BODY, headers={**headers, "Idempotency-Key": "anon"})
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
    assert _records(factory) == []
    assert _members(factory) == 0


def test_keys_are_scoped_to_the_api_key_not_only_the_organisation(
        client: TestClient, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
        _, second = create_key(session, clock, TEST_ACTOR, org_id=org.id)
    first = client.post("/v1/members", json=BODY, headers={**org.headers, "Idempotency-Key": "shared"})
    other = client.post("/v1/members", json={**BODY, "email": "b@example.org"},
                        headers={"Authorization": f"Bearer {second}", "Idempotency-Key": "shared"})
    assert first.status_code == other.status_code == 201 and "idempotent-replayed" not in other.headers
    assert len(_records(factory)) == 2


def test_anonymous_user_reports_are_scoped_by_address(client: TestClient, factory: sessionmaker[Session],
                                                      clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider")
    report = payload("user_report", provider.id)
    first = client.post("/v1/notices", json=report, headers={"Idempotency-Key": "report-1"})
    again = client.post("/v1/notices", json=report, headers={"Idempotency-Key": "report-1"})
    assert first.status_code == again.status_code == 201, first.text
    assert again.headers["idempotent-replayed"] == "true" and first.json() == again.json()
    assert [r.caller for r in _records(factory)] == [caller_scope("address", "testclient")]


def test_only_api_posts_with_the_header_are_handled(client: TestClient, factory: sessionmaker[Session],
                                                    clock: FrozenClock) -> None:
    headers = _admin(factory, clock)
    assert client.post("/v1/members", json=BODY, headers=headers).status_code == 201
    assert client.get("/v1/members", headers={**headers, "Idempotency-Key": "read"}).status_code == 200
    assert _records(factory) == []


# ---- the lease: a retry takes over a request that can no longer be running -----------------------------------


def _pending(factory: sessionmaker[Session], clock: FrozenClock, org: OrgHandle, key: str, owner: str) -> None:
    prefix = org.key.split("_")[1]
    with unit_of_work(factory) as session:
        session.add(IdempotencyRecord(caller=caller_scope("key", f"{org.id}/key:{prefix}"), key=key,
                                      request_hash="", state="pending", created_at=clock.now(), owner=owner,
                                      lease_until=clock.now() + timedelta(seconds=30)))


def _impatient(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"idempotency_wait_seconds": 0.2}), clock)
    with TestClient(app) as client:
        yield client
    app.state.accord.engine.dispose()


@pytest.fixture
def impatient(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    """A client whose retries wait 0.2 s (not 10) for the first request before answering 409."""
    yield from _impatient(settings, clock)


def _other_host_owner() -> str:
    return "another-host|boot|pid:[1]|4242|1234|nonce"


def test_a_retry_waits_for_a_live_lease_and_takes_over_once_it_has_run_out(
        impatient: TestClient, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
    _pending(factory, clock, org, "lease-1", _other_host_owner())
    refused = impatient.post("/v1/members", json=BODY, headers={**org.headers, "Idempotency-Key": "lease-1"})
    assert refused.status_code == 409 and "still running" in refused.json()["detail"]
    assert refused.headers["retry-after"] == "1"
    clock.advance(seconds=29)
    assert impatient.post("/v1/members", json=BODY,
                          headers={**org.headers, "Idempotency-Key": "lease-1"}).status_code == 409
    clock.advance(seconds=2)  # the 30 s lease has run out: nothing renewed it
    taken = impatient.post("/v1/members", json=BODY, headers={**org.headers, "Idempotency-Key": "lease-1"})
    assert taken.status_code == 201 and "idempotent-replayed" not in taken.headers
    replayed = impatient.post("/v1/members", json=BODY, headers={**org.headers, "Idempotency-Key": "lease-1"})
    assert replayed.headers["idempotent-replayed"] == "true"
    assert _members(factory) == 2
    (row,) = _records(factory)
    assert row.state == "done" and row.owner is None and row.lease_until is None


def test_a_retry_takes_over_at_once_when_the_owner_died_on_this_host(
        impatient: TestClient, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    mine = _process.identity().split("|")
    _pending(factory, clock, org, "dead-1", "|".join([*mine[:3], dead.stdout.decode().strip(), mine[4], "n"]))
    taken = impatient.post("/v1/members", json=BODY, headers={**org.headers, "Idempotency-Key": "dead-1"})
    assert taken.status_code == 201
    assert _members(factory) == 2


def test_a_pending_key_of_a_live_process_on_this_host_is_not_taken_over(
        impatient: TestClient, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
    _pending(factory, clock, org, "alive-1", f"{_process.identity()}|n")
    refused = impatient.post("/v1/members", json=BODY, headers={**org.headers, "Idempotency-Key": "alive-1"})
    assert refused.status_code == 409
    assert _members(factory) == 1


def test_process_identity_tells_dead_from_alive() -> None:
    assert not _process.is_gone(_process.identity())
    assert not _process.is_gone(_other_host_owner())  # cannot tell: the lease decides
    assert not _process.is_gone(None)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = _process.identity().split("|")
        alive[3], alive[4] = str(child.pid), _process._start_time(child.pid) or ""
        assert not _process.is_gone("|".join(alive))
        reused = [*alive[:4], "1"]  # the same pid, but a process that started at another moment
        assert _process.is_gone("|".join(reused))
    finally:
        child.kill()
        child.wait()
    assert _process.is_gone("|".join(alive))
