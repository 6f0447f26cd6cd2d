"""Token buckets against the injected clock, route classes, and which address a request is counted against."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.types import Scope

from accord.clock import FrozenClock
from accord.settings import Settings
from accord.web.ratelimit import Limiter, TokenBuckets, client_address, route_class


def test_a_bucket_empties_and_refills_with_the_clock(clock: FrozenClock) -> None:
    buckets = TokenBuckets(clock)
    for _ in range(60):
        assert buckets.wait("k", 60) == 0
        buckets.take("k", 60)
    assert buckets.wait("k", 60) == pytest.approx(1.0)
    clock.advance(timedelta(seconds=0.5))
    assert buckets.wait("k", 60) == pytest.approx(0.5)
    clock.advance(timedelta(seconds=0.5))
    assert buckets.wait("k", 60) == 0
    clock.advance(timedelta(hours=1))
    for _ in range(60):  # refilled to the brim, never beyond
        buckets.take("k", 60)
    assert buckets.wait("k", 60) > 0


def test_forgotten_buckets_are_full_ones(clock: FrozenClock) -> None:
    buckets = TokenBuckets(clock, max_keys=2)
    buckets.take("a", 1)
    buckets.take("b", 1)
    buckets.take("c", 1)
    assert buckets.wait("a", 1) == 0
    assert buckets.wait("c", 1) > 0


@pytest.mark.parametrize(("method", "path", "kind"), [
    ("POST", "/v1/notices", "intake"),
    ("POST", "/v1/notices/batch", "intake"),
    ("POST", "/v1/complaints", "intake"),
    ("POST", "/v1/match", "match"),
    ("POST", "/v1/hashes", "match"),
    ("GET", "/v1/notices", "reads"),
    ("GET", "/v1/matching/status", "reads"),
    ("POST", "/v1/notices/n_1/acknowledge", "writes"),
    ("DELETE", "/v1/webhooks/w_1", "writes"),
    ("GET", "/ui/notices", None),
    ("GET", "/healthz", None),
])
def test_route_classes(method: str, path: str, kind: str | None) -> None:
    assert route_class(method, path) == kind


def _scope(peer: str, forwarded: str | None = None) -> Scope:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"type": "http", "client": (peer, 40000), "headers": headers}


def test_forwarded_for_is_ignored_unless_a_trusted_proxy_sent_it() -> None:
    assert client_address(_scope("198.51.100.4", "1.2.3.4"), []) == "198.51.100.4"
    assert client_address(_scope("198.51.100.4", "1.2.3.4"), ["10.0.0.0/8"]) == "198.51.100.4"


def test_the_right_most_untrusted_hop_is_the_client() -> None:
    trusted = ["10.0.0.0/8", "192.0.2.1"]
    # The caller claims to be 1.2.3.4; the outer proxy saw 203.0.113.9; the inner proxy 10.1.1.1 forwarded it.
    assert client_address(_scope("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.1.1.1"), trusted) == "203.0.113.9"
    assert client_address(_scope("192.0.2.1", "203.0.113.10"), trusted) == "203.0.113.10"
    assert client_address(_scope("10.0.0.2"), trusted) == "10.0.0.2"


def test_wrong_secrets_cannot_drain_the_bucket_of_the_key_they_imitate(clock: FrozenClock) -> None:
    limiter = Limiter(Settings(mode="test", rate_limit_reads_per_key=2, rate_limit_auth_failures_per_address=100),
                      clock)
    assert limiter.admit("reads", "a", "forged") is None
    assert limiter.admit("reads", "a", "forged") is None
    refusal = limiter.admit("reads", "a", "forged")
    assert refusal is not None and refusal.retry_after == 30
    assert limiter.admit("reads", "a", "genuine") is None
