"""A crash at the wrong moment (issue 21, items 1 and 2), with real processes: `accord serve` is started as a
subprocess on a SQLite file, SIGKILLed mid-request or with its worker running, and started again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

import accord
from accord.clock import SystemClock
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.notices.models import Notice
from accord.web import _process
from accord.web.idempotency import IdempotencyRecord
from tests.conftest import PostgresReset, free_port, migrated_sqlite
from tests.factories import OrgHandle, make_org

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process lifetimes are checked through /proc")

SRC = str(Path(accord.__file__).resolve().parents[1])
ORDER = {"kind": "removal_order", "reference": "FR-IRU-2026-0099", "urls": ["https://video.example.org/watch/9"],
         "tco_types": ["incitement"], "reasons": "Glorifies the attack.", "legal_basis": "TCO Art. 3",
         "redress": {"body": "Tribunal administratif de Paris", "deadline_days": 30}, "emergency": True,
         "emergency_reason": "Calls for an attack tonight."}


class Instance:
    """An Accord database (a migrated SQLite file, or PostgreSQL) and the `accord serve` processes started on it."""

    def __init__(self, tmp_path: Path, url: str) -> None:
        self.tmp_path = tmp_path
        self.url = url
        self.engine = make_engine(self.url)
        self.factory: sessionmaker[Session] = make_sessionmaker(self.engine)
        self.started: list[subprocess.Popen[bytes]] = []
        self.workers: list[int] = []  # killed at the end if a test left one behind

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": SRC, "ACCORD_DATABASE_URL": self.url, "ACCORD_MODE": "test",
                "ACCORD_LOG_JSON": "false", "ACCORD_WORKER_POLL_SECONDS": "0.2",
                # A lease of an hour: only the owner's death, not its lease running out, lets a retry take over.
                "ACCORD_IDEMPOTENCY_LEASE_SECONDS": "3600",
                "ACCORD_INDEX_SNAPSHOT_DIR": str(self.tmp_path / "index")}

    def serve(self, role: str = "api") -> tuple[subprocess.Popen[bytes], int]:
        port = free_port()
        log = (self.tmp_path / f"serve-{port}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "accord", "serve", "--role", role, "--host", "127.0.0.1", "--port", str(port)],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        _until(lambda: _answers(port), 180, "the server did not start")  # a loaded CI machine is slow
        return process, port

    def count(self, model: type[Notice] | type[IdempotencyRecord]) -> int:
        with self.factory() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    def close(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()
        for pid in self.workers:
            if _process._start_time(pid) is not None:
                os.kill(pid, signal.SIGKILL)
        self.engine.dispose()


@pytest.fixture
def instance(tmp_path: Path, sqlite_template: Path) -> Iterator[Instance]:
    found = Instance(tmp_path, migrated_sqlite(sqlite_template, tmp_path / "accord.db"))
    yield found
    found.close()


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _until(condition: object, seconds: float, message: str) -> None:
    """Poll a real process's state (not a clock) until ``condition()`` holds, for at most ``seconds``."""
    assert callable(condition)
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)


def _orgs(instance: Instance) -> tuple[OrgHandle, OrgHandle]:
    with unit_of_work(instance.factory) as session:
        return (make_org(session, SystemClock(), "authority", country="FR"),
                make_org(session, SystemClock(), "provider", country="FR"))


def _stalled_order(port: int, authority: OrgHandle, body: bytes, sent: int = 20) -> socket.socket:
    """Send an order's headers and the first ``sent`` bytes of its body: with fewer than all, the request stays
    in flight reading its body."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = (f"POST /v1/notices HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {authority.key}\r\n"
            f"Idempotency-Key: order-99\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    sock.sendall(head.encode() + body[:sent])
    return sock


def _retry_creates_the_order_once(instance: Instance, authority: OrgHandle, body: bytes) -> None:
    _, port = instance.serve()
    headers = {**authority.headers, "Idempotency-Key": "order-99", "Content-Type": "application/json"}
    retried = httpx.post(f"http://127.0.0.1:{port}/v1/notices", content=body, headers=headers, timeout=120)
    assert retried.status_code == 201, retried.text  # before: 409 "still running" for 24 hours
    again = httpx.post(f"http://127.0.0.1:{port}/v1/notices", content=body, headers=headers, timeout=120)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == retried.json()["id"]
    assert instance.count(Notice) == 1


def test_a_retry_after_the_api_was_killed_mid_request_creates_the_order_once(instance: Instance) -> None:
    authority, provider = _orgs(instance)
    body = json.dumps({**ORDER, "provider_id": provider.id}).encode()
    server, port = instance.serve()
    stalled = _stalled_order(port, authority, body)
    _until(lambda: instance.count(IdempotencyRecord) == 1, 20, "the request never claimed its key")
    server.send_signal(signal.SIGKILL)
    server.wait()
    stalled.close()
    assert instance.count(Notice) == 0 and instance.count(IdempotencyRecord) == 1  # pending, its owner dead
    _retry_creates_the_order_once(instance, authority, body)


@pytest.fixture
def pg_instance(tmp_path: Path, postgres_url: str, postgres_reset: PostgresReset) -> Iterator[Instance]:
    found = Instance(tmp_path, postgres_url)
    yield found
    found.close()
    engine = make_engine(postgres_url, pool=False)
    postgres_reset(engine)
    engine.dispose()


def _waiting_for_notices(instance: Instance) -> bool:
    with instance.engine.connect() as conn:
        query = text("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'notices'::regclass")
        return bool(conn.execute(query).scalar())


@pytest.mark.postgres
def test_a_retry_after_the_api_was_killed_while_storing_the_order_creates_it_once(pg_instance: Instance) -> None:
    """The issue's own case: the whole order was read and the intake is writing it when the process dies."""
    authority, provider = _orgs(pg_instance)
    body = json.dumps({**ORDER, "provider_id": provider.id}).encode()
    server, port = pg_instance.serve()
    with pg_instance.engine.connect() as locker:
        locker.execute(text("LOCK TABLE notices IN EXCLUSIVE MODE"))  # reads pass, the order's insert waits
        stalled = _stalled_order(port, authority, body, sent=len(body))
        _until(lambda: _waiting_for_notices(pg_instance), 60, "the order never reached its insert")
        server.send_signal(signal.SIGKILL)
        server.wait()
        stalled.close()
        locker.rollback()
    assert pg_instance.count(IdempotencyRecord) == 1
    _until(lambda: pg_instance.count(Notice) == 0 and not _waiting_for_notices(pg_instance), 60,
           "the killed process's transaction was not rolled back")
    _retry_creates_the_order_once(pg_instance, authority, body)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _worker_of(instance: Instance, server: subprocess.Popen[bytes]) -> int:
    workers: list[int] = []

    def started() -> bool:
        workers[:] = [p for p in _children(server.pid) if b"worker" in Path(f"/proc/{p}/cmdline").read_bytes()]
        return bool(workers)

    _until(started, 60, "serve --role all started no worker")
    instance.workers.append(workers[0])
    return workers[0]


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_worker_stops_when_serve_is_killed(instance: Instance, signum: signal.Signals) -> None:
    server, _ = instance.serve(role="all")
    worker = _worker_of(instance, server)
    assert _process._start_time(worker) is not None
    server.send_signal(signum)
    server.wait(timeout=60)
    # Before: the worker was re-parented and still held its database connections 80 s later.
    _until(lambda: _process._start_time(worker) is None, 20, f"the worker outlived serve after {signum.name}")
