"""Per-key and per-address limits on the API, answered with 429 problem+json and ``Retry-After``.

Every ``/v1`` request falls in one route class (``intake``, ``match``, ``reads``, ``writes``), each with its own
limit per API key and per client address (``rate_limit_<class>_per_key`` / ``_per_address``, requests a
minute). A key is told apart by the digest of the credential it presents, so wrong secrets cannot drain the
bucket of the key they imitate; they are counted instead, per address, as ``auth failures`` (401 answers):
past ``rate_limit_auth_failures_per_address`` a minute the address is refused until its bucket refills.

The buckets live in this process's memory and count against the injected clock. Each process counts for
itself: N API processes behind a balancer let through up to N times the configured rate (docs/security.md).
The client address is the TCP peer, or, when the peer is one of ``trusted_proxies``, the right-most address in
``X-Forwarded-For`` that is not itself a trusted proxy.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.clock import Clock
from accord.errors import RateLimited
from accord.settings import Settings
from accord.web.problems import problem

Network = IPv4Network | IPv6Network
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_MATCH = frozenset({"/v1/hashes", "/v1/match"})
_INTAKE = frozenset({"/v1/notices", "/v1/notices/batch", "/v1/notices/import", "/v1/information-notices",
                     "/v1/complaints"})
MAX_BUCKETS = 100_000


def route_class(method: str, path: str) -> str | None:
    """Which limit a request counts against; None outside the API."""
    if not path.startswith("/v1/"):
        return None
    if method in _READS:
        return "reads"
    if path in _MATCH:
        return "match"
    if path in _INTAKE or path.startswith("/v1/public/"):
        return "intake"
    return "writes"


# ---- the client's address ------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ip_network(entry, strict=False) for entry in trusted)


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def _forwarded_for(scope: Scope) -> list[str]:
    values = [value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"x-forwarded-for"]
    return [hop.strip() for hop in ",".join(values).split(",") if hop.strip()]


def client_address(scope: Scope, trusted_proxies: Sequence[str]) -> str | None:
    """The address a request came from. ``X-Forwarded-For`` counts only when a trusted proxy sent it."""
    client = scope.get("client")
    peer: str | None = client[0] if client else None
    networks = _networks(tuple(trusted_proxies))
    if peer is None or not networks or not _trusted(peer, networks):
        return peer
    hops = _forwarded_for(scope)
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:64]
    return hops[0][:64] if hops else peer


# ---- token buckets -------------------------------------------------------------------------------------------


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """Buckets holding up to ``per_minute`` tokens, refilled at ``per_minute / 60`` a second, keyed by any
    string. The least recently used are forgotten past ``max_keys`` (a forgotten bucket is a full one)."""

    def __init__(self, clock: Clock, max_keys: int = MAX_BUCKETS) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def refilled(self, key: str, per_minute: int) -> _Bucket:
        now = self.clock.now().timestamp()
        bucket = self._buckets.get(key) or _Bucket(float(per_minute), now)
        bucket.tokens = min(float(per_minute), bucket.tokens + max(0.0, now - bucket.stamp) * per_minute / 60)
        bucket.stamp = now
        self._buckets[key] = bucket
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return bucket

    def wait(self, key: str, per_minute: int) -> float:
        """Seconds until one token is there (0: now)."""
        return _wait(self.refilled(key, per_minute), per_minute)

    def take(self, key: str, per_minute: int) -> None:
        _take(self.refilled(key, per_minute))


def _wait(bucket: _Bucket, per_minute: int) -> float:
    return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) * 60 / max(per_minute, 1)


def _take(bucket: _Bucket) -> None:
    bucket.tokens = max(0.0, bucket.tokens - 1)


# ---- the limiter ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    retry_after: int
    detail: str


class Limiter:
    """The limits of ``settings`` on one process's buckets."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.buckets = TokenBuckets(clock)

    def _limit(self, kind: str, per: str) -> int:
        value: int = getattr(self.settings, f"rate_limit_{kind}_per_{per}")
        return value

    def admit(self, kind: str, address: str | None, credential: str | None) -> Refusal | None:
        """Take one token from each bucket the request counts against, or say how long to wait."""
        checks = [(f"auth:{address}", self.settings.rate_limit_auth_failures_per_address,
                   "too many refused credentials from this address", False),
                  (f"{kind}:address:{address}", self._limit(kind, "address"),
                   f"too many {kind} requests from this address", True)]
        if credential is not None:
            checks.append((f"{kind}:key:{credential}", self._limit(kind, "key"),
                           f"too many {kind} requests with this API key", True))
        buckets = [(self.buckets.refilled(key, per_minute), per_minute, detail, counted)
                   for key, per_minute, detail, counted in checks]
        for bucket, per_minute, detail, _ in buckets:
            wait = _wait(bucket, per_minute)
            if wait > 0:
                return Refusal(max(1, math.ceil(wait)), f"{detail}; retry after {max(1, math.ceil(wait))} s")
        for bucket, _, _, counted in buckets:
            if counted:
                _take(bucket)
        return None

    def refused_credential(self, address: str | None) -> None:
        self.buckets.take(f"auth:{address}", self.settings.rate_limit_auth_failures_per_address)


def _credential(scope: Scope) -> str | None:
    """A digest of the presented bearer credential: its bucket, whether or not the credential is valid."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            return hashlib.sha256(value).hexdigest()[:32]
    return None


class RateLimitMiddleware:
    """Refuses over-limit ``/v1`` requests before anything else reads them; counts 401 answers per address."""

    def __init__(self, app: ASGIApp, settings: Settings, clock: Clock) -> None:
        self.app = app
        self.settings = settings
        self.limiter = Limiter(settings, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = route_class(scope.get("method", ""), scope.get("path", "")) if scope["type"] == "http" else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        address = client_address(scope, self.settings.trusted_proxies)
        refusal = self.limiter.admit(kind, address, _credential(scope))
        if refusal is not None:
            await _too_many(refusal, scope["path"])(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                self.limiter.refused_credential(address)
            await send(message)

        await self.app(scope, receive, counting_send)


def _too_many(refusal: Refusal, path: str) -> ASGIApp:
    response = problem(RateLimited.status, RateLimited.slug, RateLimited.title, refusal.detail, path,
                       retry_after=refusal.retry_after)
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response
