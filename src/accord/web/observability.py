"""Request ids, structured JSON logs and Prometheus metrics.

Every request gets an id (``X-Request-ID`` if the caller sent a sane one) that is echoed in the response and
stamped on every log line written while handling it. Metrics live in a registry per app, never a global one.
"""

from __future__ import annotations

import contextvars
import itertools
import json
import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.clock import Clock
from accord.db import random_bytes, unit_of_work
from accord.jobs import service as jobs
from accord.notices.intake import GroupIntake
from accord.settings import Settings

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_json:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level.upper())


class Metrics:
    def __init__(self, factory: sessionmaker[Session], clock: Clock, intake: GroupIntake) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("accord_http_requests", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("accord_http_request_seconds", "HTTP request latency", ["route"],
                                 registry=self.registry)
        self.registry.register(_JobCollector(factory, clock))
        self.registry.register(_IntakeCollector(intake))


class _IntakeCollector(Collector):
    """This process's group-committed notice intake (``notices.intake``): notices per group is groups/notices."""

    def __init__(self, intake: GroupIntake) -> None:
        self.intake = intake

    def collect(self) -> Iterator[CounterMetricFamily]:
        intake = self.intake
        yield CounterMetricFamily("accord_intake_groups", "Notice groups committed by this process",
                                  value=intake.groups)
        yield CounterMetricFamily("accord_intake_notices", "Notices taken in by this process's group commits",
                                  value=intake.notices)


class _JobCollector(Collector):
    def __init__(self, factory: sessionmaker[Session], clock: Clock) -> None:
        self.factory = factory
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with unit_of_work(self.factory) as session:
            stats = jobs.stats(session, self.clock)
        by_state = GaugeMetricFamily("accord_jobs", "Jobs by state", labels=["state"])
        for state in ("pending", "running", "done", "dead"):
            by_state.add_metric([state], stats.by_state.get(state, 0))
        yield by_state
        yield GaugeMetricFamily("accord_job_queue_depth", "Jobs due now and not yet run", value=stats.due)


class ObservabilityMiddleware:
    """Pure ASGI (no ``BaseHTTPMiddleware``: no task or stream per request). What a request costs here is kept
    out of a profile: the request id is a per-process random prefix and a counter (unique, not a secret), the
    metric children of each (method, route, status) are looked up once and kept, and the access log line is
    built only when ``accord.http`` logs at INFO (``ACCORD_LOG_LEVEL=WARNING`` turns it off)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.log = logging.getLogger("accord.http")
        self._prefix = random_bytes(4).hex()
        self._count = itertools.count(1)
        self._requests: dict[tuple[str, str, int], Any] = {}
        self._latency: dict[str, Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or f"{self._prefix}{next(self._count) & 0xFFFFFFFF:08x}"
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append(header)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._observe(scope, status, time.perf_counter() - started)
            request_id_var.reset(token)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope["method"]
        counter = self._requests.get((method, route, status))
        if counter is None:
            counter = self._requests[(method, route, status)] = self.metrics.requests.labels(method, route, str(status))
        latency = self._latency.get(route)
        if latency is None:
            latency = self._latency[route] = self.metrics.latency.labels(route)
        counter.inc()
        latency.observe(seconds)
        if self.log.isEnabledFor(logging.INFO):
            self.log.info("request", extra={"method": method, "path": scope["path"], "route": route,
                                            "status": status, "ms": round(seconds * 1000, 2)})


def _incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            candidate = bytes(value).decode("latin-1")
            return candidate if _SANE_ID.match(candidate) else None
    return None
