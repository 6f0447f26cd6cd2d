"""The connection pool: a connection idle for a while is pinged before use and replaced when dead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from accord import db
from accord.clock import FrozenClock
from accord.errors import NotFound
from accord.jobs import service as jobs
from accord.jobs.models import Job
from tests.factories import make_org


@pytest.fixture
def pool_with_a_killed_connection(database_url: str) -> Iterator[tuple[Engine, int]]:
    """A pooled engine whose one connection, just returned to the pool, the database then killed (a restart,
    a network cut); with the killed connection's backend pid."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the pool is only used on PostgreSQL")
    engine = db.make_engine(database_url)
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as kill:
            kill.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        yield engine, pid
    finally:
        engine.dispose()
        admin.dispose()


def test_a_dead_idle_connection_is_replaced_not_handed_out(pool_with_a_killed_connection: tuple[Engine, int],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    engine, killed = pool_with_a_killed_connection
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # it has been idle long enough to be pinged
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != killed


def test_a_recently_returned_connection_is_handed_out_without_a_ping(
        pool_with_a_killed_connection: tuple[Engine, int]) -> None:
    """The trade-off, shown: within IDLE_PING_SECONDS no round trip is spent on a ping, so a connection killed
    in that window fails its first statement (and the pool then drops it) instead of being replaced."""
    engine, killed = pool_with_a_killed_connection
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    with engine.connect() as conn:  # the dead one was invalidated: the next checkout is a new connection
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != killed


def test_get_owned_answers_another_organisations_row_as_a_missing_one(session: Session,
                                                                       clock: FrozenClock) -> None:
    mine, theirs = make_org(session, clock), make_org(session, clock)
    job = jobs.enqueue(session, clock, "webhook", {}, org_id=mine.id)
    assert db.get_owned(session, Job, job.id, mine.id, what="job") is job
    assert db.get_owned(session, Job, job.id, None, what="job") is job  # the operator sees every row
    for owner, ident in ((theirs.id, job.id), (mine.id, "job_missing")):
        with pytest.raises(NotFound) as refused:
            db.get_owned(session, Job, ident, owner, what="job")
        assert refused.value.detail == f"no job {ident!r}"
    with pytest.raises(NotFound):
        db.get_owned(session, Job, job.id, mine.id, what="job", by="kind")
