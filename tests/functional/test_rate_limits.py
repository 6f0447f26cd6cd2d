"""API rate limits over HTTP: 429 problem+json with Retry-After per key, per address and for wrong secrets;
``X-Forwarded-For`` believed only from a trusted proxy. Limits are lowered here; the suite's defaults are not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.app import create_app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from accord.web.idempotency import IdempotencyRecord
from tests.factories import OrgHandle, make_org
from tests.unit.banks.helpers import PDQ_A
from tests.unit.notices.helpers import payload

PROBLEM = "application/problem+json"


@pytest.fixture
def limited(settings: Settings, clock: FrozenClock) -> Iterator[Any]:
    """A client factory for an app with the given limits lowered."""
    apps = []

    def make(**limits: Any) -> TestClient:
        app = create_app(settings.model_copy(update=limits), clock)
        apps.append(app)
        return TestClient(app)

    yield make
    for app in apps:
        app.state.accord.engine.dispose()


@pytest.fixture
def pair(factory: sessionmaker[Session], clock: FrozenClock) -> tuple[OrgHandle, OrgHandle]:
    with unit_of_work(factory) as session:
        return make_org(session, clock, "provider"), make_org(session, clock, "authority")


def _assert_429(response: Any, retry_after: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"] == str(retry_after)
    body = response.json()
    assert body["type"].endswith("/rate-limited") and body["status"] == 429 and body["retry_after"] == retry_after


def test_reads_per_key_are_limited_and_the_key_may_read_again_later(
        limited: Any, pair: tuple[OrgHandle, OrgHandle], clock: FrozenClock) -> None:
    provider, authority = pair
    with limited(rate_limit_reads_per_key=3) as client:
        assert [client.get("/v1/notices", headers=provider.headers).status_code for _ in range(3)] == [200] * 3
        _assert_429(client.get("/v1/notices", headers=provider.headers), 20)
        assert client.get("/v1/notices", headers=authority.headers).status_code == 200  # another key
        clock.advance(timedelta(seconds=20))
        assert client.get("/v1/notices", headers=provider.headers).status_code == 200


def test_intake_has_its_own_limit(limited: Any, pair: tuple[OrgHandle, OrgHandle]) -> None:
    provider, authority = pair
    with limited(rate_limit_intake_per_key=2) as client:
        for _ in range(2):
            assert client.post("/v1/notices", json=payload("removal_order", provider.id),
                               headers=authority.headers).status_code == 201
        _assert_429(client.post("/v1/notices", json=payload("removal_order", provider.id),
                                headers=authority.headers), 30)
        assert client.get("/v1/notices", headers=authority.headers).status_code == 200  # reads still flow


def test_match_per_address(limited: Any, pair: tuple[OrgHandle, OrgHandle]) -> None:
    provider, authority = pair
    signals = {"signals": [{"type": "pdq", "value": PDQ_A}]}
    with limited(rate_limit_match_per_address=2) as client:
        assert client.post("/v1/match", json=signals, headers=provider.headers).status_code == 200
        assert client.post("/v1/match", json=signals, headers=authority.headers).status_code == 200
        _assert_429(client.post("/v1/match", json=signals, headers=authority.headers), 30)


def test_wrong_secrets_are_counted_per_address(limited: Any, pair: tuple[OrgHandle, OrgHandle],
                                               clock: FrozenClock) -> None:
    provider, _ = pair
    with limited(rate_limit_auth_failures_per_address=5) as client:
        for n in range(5):
            wrong = {"Authorization": f"Bearer {provider.key[:-4]}{n:04d}"}
            assert client.get("/v1/notices", headers=wrong).status_code == 401
        _assert_429(client.get("/v1/notices", headers=provider.headers), 12)  # even the right key, from here
        clock.advance(timedelta(seconds=12))
        assert client.get("/v1/notices", headers=provider.headers).status_code == 200


def test_forwarded_for_from_an_untrusted_peer_changes_nothing(limited: Any, pair: tuple[OrgHandle, OrgHandle]) -> None:
    provider, _ = pair
    with limited(rate_limit_reads_per_address=2) as client:
        for n in range(2):
            client.get("/v1/notices", headers={**provider.headers, "X-Forwarded-For": f"192.0.2.{n}"})
        _assert_429(client.get("/v1/notices", headers={**provider.headers, "X-Forwarded-For": "192.0.2.99"}), 30)


def test_forwarded_for_from_a_trusted_proxy_names_the_client(limited: Any, pair: tuple[OrgHandle, OrgHandle]) -> None:
    """Behind a trusted proxy, each client has its own bucket, and a hop the caller wrote itself is ignored."""
    provider, _ = pair
    with TestClient(limited(rate_limit_reads_per_address=2, trusted_proxies=["10.0.0.0/8"]).app,
                    client=("10.0.0.2", 50000)) as proxy:
        first = {**provider.headers, "X-Forwarded-For": "192.0.2.1, 198.51.100.1"}
        for _ in range(2):
            assert proxy.get("/v1/notices", headers=first).status_code == 200
        _assert_429(proxy.get("/v1/notices", headers={**provider.headers,
                                                      "X-Forwarded-For": "192.0.2.77, 198.51.100.1"}), 30)
        assert proxy.get("/v1/notices", headers={**provider.headers,
                                                 "X-Forwarded-For": "198.51.100.2"}).status_code == 200


def test_a_refused_request_leaves_no_idempotency_record(limited: Any, pair: tuple[OrgHandle, OrgHandle],
                                                        factory: sessionmaker[Session]) -> None:
    """The limit stands in front of the idempotency layer: a 429 stores nothing a retry would trip over."""
    provider, authority = pair
    with limited(rate_limit_intake_per_key=1) as client:
        first = client.post("/v1/notices", json=payload("removal_order", provider.id),
                            headers={**authority.headers, "Idempotency-Key": "order-1"})
        assert first.status_code == 201
        refused = client.post("/v1/notices", json=payload("removal_order", provider.id),
                              headers={**authority.headers, "Idempotency-Key": "order-2"})
        assert refused.status_code == 429
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1
