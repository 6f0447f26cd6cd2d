"""The connection pool: a connection idle for a while is pinged before use and replaced when dead."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from accord import db


def test_a_dead_idle_connection_is_replaced_not_handed_out(database_url: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the pool is only used on PostgreSQL")
    engine = db.make_engine(database_url)
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as kill:  # the database drops the idle connection (a restart, a network cut)
            kill.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # it has been idle long enough to be pinged
        with engine.connect() as conn:
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
    finally:
        engine.dispose()
        admin.dispose()


def test_a_recently_returned_connection_is_handed_out_without_a_ping(database_url: str) -> None:
    """The trade-off, shown: within IDLE_PING_SECONDS no round trip is spent on a ping, so a connection killed
    in that window fails its first statement (and the pool then drops it) instead of being replaced."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the pool is only used on PostgreSQL")
    engine = db.make_engine(database_url)
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as kill:
            kill.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        with pytest.raises(OperationalError), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        with engine.connect() as conn:  # the dead one was invalidated: the next checkout is a new connection
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != first
    finally:
        engine.dispose()
        admin.dispose()
