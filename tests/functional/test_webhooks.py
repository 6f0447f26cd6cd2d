"""Webhooks end to end: signed delivery to a real local server, retries, dead letters, a killed worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs import webhooks
from accord.jobs.models import Job
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.settings import Settings
from tests.factories import TEST_ACTOR, make_org
from tests.helpers import Receiver


def _endpoint(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, url: str) -> tuple[str, str]:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
        _, secret = webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=org.id, url=url)
        webhooks.emit(session, clock, org_id=org.id, event="notice.received", data={"notice_id": "ntc_1"})
    return org.id, secret


def test_delivery_is_signed_and_verifiable(factory: sessionmaker[Session], clock: FrozenClock,
                                           settings: Settings) -> None:
    load_all()
    with Receiver() as receiver:
        _, secret = _endpoint(factory, clock, settings, receiver.url)
        assert Worker(factory, clock, settings).drain() == 1
    [hit] = receiver.received
    signature = hit.headers["Accord-Signature"]
    assert webhooks.verify_signature(secret, signature, hit.body, now=int(clock.now().timestamp()))
    assert not webhooks.verify_signature(secret, signature, hit.body + b" ", now=int(clock.now().timestamp()))
    assert not webhooks.verify_signature("whsec_other", signature, hit.body, now=int(clock.now().timestamp()))
    assert json.loads(hit.body)["data"] == {"notice_id": "ntc_1"}
    assert hit.headers["Accord-Delivery"].startswith("job_")


def test_failing_receiver_is_retried_with_backoff_then_dead_lettered(
    factory: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    load_all()
    worker = Worker(factory, clock, settings)
    with Receiver(status=500) as receiver:
        _endpoint(factory, clock, settings, receiver.url)
        for _ in range(settings.job_max_attempts):
            assert worker.drain() == 1
            clock.advance(hours=1)  # past any backoff
        assert worker.drain() == 0
    assert len(receiver.received) == settings.job_max_attempts
    with factory() as session:
        job = session.scalars(select(Job)).one()
        assert job.state == "dead" and "answered 500" in (job.last_error or "")


def test_private_address_refused_unless_allowed(factory: sessionmaker[Session], clock: FrozenClock,
                                                settings: Settings) -> None:
    strict = settings.model_copy(update={"fetch_allow_private": False})
    with unit_of_work(factory) as session:
        org = make_org(session, clock)
        with pytest.raises(webhooks.InvalidInput, match="private"):
            webhooks.create_endpoint(session, clock, strict, TEST_ACTOR, org_id=org.id, url="http://127.0.0.1:9/x")


def _wait(predicate: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def _spawn_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ACCORD_DATABASE_URL": settings.database_url, "ACCORD_FETCH_ALLOW_PRIVATE": "true",
           "ACCORD_JOB_LEASE_SECONDS": "1", "ACCORD_WORKER_POLL_SECONDS": "0.05", "ACCORD_MODE": "test",
           "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    return subprocess.Popen([sys.executable, "-m", "accord", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_worker_killed_mid_job_loses_nothing(factory: sessionmaker[Session], settings: Settings) -> None:
    """SIGKILL while the receiver holds the request; a restarted worker delivers once the lease expires."""
    from accord.clock import SystemClock

    clock = SystemClock()
    hold = threading.Event()
    with Receiver(hold=hold) as receiver:
        _endpoint(factory, clock, settings, receiver.url)  # type: ignore[arg-type]
        first = _spawn_worker(settings)
        try:
            assert receiver.arrived.wait(30), "the first worker never delivered"
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        finally:
            first.kill()
        hold.set()
        with factory() as session:
            assert session.scalars(select(Job)).one().state == "running"
        second = _spawn_worker(settings)
        try:
            _wait(lambda: _state(factory) == "done")
        finally:
            second.terminate()
            second.wait(10)
    assert len(receiver.received) == 2  # delivered again, with the same delivery id for the receiver to drop
    assert receiver.received[0].headers["Accord-Delivery"] == receiver.received[1].headers["Accord-Delivery"]


def _state(factory: sessionmaker[Session]) -> str:
    with factory() as session:
        return session.scalars(select(Job.state)).one()
