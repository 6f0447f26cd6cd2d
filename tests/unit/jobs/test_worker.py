"""How an idle worker waits: woken by PostgreSQL's NOTIFY when a job is committed, never before the commit;
polling where there is nothing to listen to."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.jobs import service
from accord.jobs.worker import Wakeup


def _waiting(wakeup: Wakeup, seconds: float) -> tuple[threading.Thread, list[float]]:
    took: list[float] = []

    def wait() -> None:
        started = time.monotonic()
        wakeup.wait(seconds)
        took.append(time.monotonic() - started)

    thread = threading.Thread(target=wait)
    thread.start()
    return thread, took


@pytest.mark.committing  # other connections read what it committed
def test_a_committed_job_wakes_a_listening_worker_at_once(factory: sessionmaker[Session], clock: FrozenClock,
                                                          database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite workers poll")
    wakeup = Wakeup(database_url)
    try:
        wakeup.wait(0.01)  # connects and listens
        thread, took = _waiting(wakeup, 60)
        session = factory()
        try:
            service.enqueue(session, clock, "test.kind", {"n": 1})
            service.enqueue(session, clock, "test.kind", {"n": 2})  # one notification per transaction
            thread.join(0.5)
            assert thread.is_alive(), "woken before the job was committed"
            session.commit()
        finally:
            session.close()
        thread.join(30)
        assert not thread.is_alive() and took[0] < 30
    finally:
        wakeup.close()


@pytest.mark.parametrize("url", ["sqlite:///unused.db", "postgresql+psycopg://nobody@127.0.0.1:1/none"],
                         ids=["sqlite", "unreachable-postgresql"])
def test_without_a_listening_connection_the_worker_sleeps_its_poll_interval(url: str) -> None:
    wakeup = Wakeup(url)
    started = time.monotonic()
    wakeup.wait(0.05)
    assert time.monotonic() - started >= 0.05
    wakeup.close()
