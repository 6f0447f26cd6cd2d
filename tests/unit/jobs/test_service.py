from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs import service
from accord.jobs.models import Job


def test_backoff_doubles_then_dead_letters(session: Session, clock: FrozenClock) -> None:
    job = service.enqueue(session, clock, "test.kind", {"x": 1}, max_attempts=3)
    delays = []
    for _ in range(3):
        claimed = service.claim(session, clock, "w1", lease_seconds=30)
        assert claimed is not None and claimed.id == job.id
        service.fail(session, clock, claimed, "boom", backoff_base=2.0)
        if job.state == "pending":
            delays.append((job.run_after - clock.now()).total_seconds())
            assert service.claim(session, clock, "w1", 30) is None, "claimed before its backoff ran out"
            clock.set(job.run_after)
    assert delays == [2.0, 4.0]
    assert job.state == "dead" and job.last_error == "boom"
    assert session.query(AuditEvent).filter(AuditEvent.tag == "jobs:job:dead_letter").count() == 1


def test_expired_lease_is_claimed_again(session: Session, clock: FrozenClock) -> None:
    service.enqueue(session, clock, "test.kind", {})
    first = service.claim(session, clock, "dead-worker", lease_seconds=60)
    assert first is not None
    assert service.claim(session, clock, "w2", 60) is None
    clock.advance(seconds=61)
    again = service.claim(session, clock, "w2", 60)
    assert again is not None and again.id == first.id and again.attempts == 2


def test_retry_dead_resets_attempts(session: Session, clock: FrozenClock) -> None:
    job = service.enqueue(session, clock, "test.kind", {}, max_attempts=1)
    claimed = service.claim(session, clock, "w", 30)
    assert claimed is not None
    service.fail(session, clock, claimed, "nope", 1.0)
    assert job.state == "dead"
    service.retry_dead(session, clock, service.Actor.system(), job.id, None)
    assert (job.state, job.attempts) == ("pending", 0)


@pytest.mark.usefixtures("database_url")
@pytest.mark.committing  # other connections read what it committed
def test_two_workers_never_claim_the_same_job(factory: sessionmaker[Session], clock: FrozenClock,
                                              database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED concurrency is a PostgreSQL property; SQLite has one writer")
    with unit_of_work(factory) as session:
        for i in range(2):
            service.enqueue(session, clock, "test.kind", {"i": i})
    first, second, third = factory(), factory(), factory()
    try:
        a = service.claim(first, clock, "w1", 30)
        b = service.claim(second, clock, "w2", 30)  # runs while the first transaction holds its row lock
        assert a is not None and b is not None and a.id != b.id
        assert service.claim(third, clock, "w3", 30) is None
    finally:
        for session in (first, second, third):
            session.close()


def test_stats_count_states(session: Session, clock: FrozenClock) -> None:
    service.enqueue(session, clock, "a", {})
    service.enqueue(session, clock, "b", {})
    job = session.query(Job).first()
    assert job is not None
    stats = service.stats(session, clock)
    assert stats.by_state == {"pending": 2} and stats.due == 2
