"""Engine, declarative base and the unit of work.

A request or a job is one unit of work: services ``flush``; the edge (``unit_of_work``) commits or rolls back.
SQLite runs in WAL mode with foreign keys on; PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from accord.clock import as_utc
from accord.errors import NotFound

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores timezone-aware UTC on both databases; SQLite's naive values come back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class _RandomPool:
    """Bytes from ``os.urandom`` read 4 KiB at a time: one system call for about 340 ids instead of one each
    (a system call is dear on the sandboxed machines Accord is measured on). Reset in a forked child so that
    two processes never hand out the same bytes."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._buffer, self._position = b"", 0
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._buffer, self._position = b"", 0

    def take(self, count: int) -> bytes:
        with self._lock:
            if self._position + count > len(self._buffer):
                self._buffer, self._position = os.urandom(max(self._size, count)), 0
            start, self._position = self._position, self._position + count
            return self._buffer[start:self._position]


_random = _RandomPool()


def random_bytes(count: int) -> bytes:
    """``count`` unpredictable bytes (from the operating system's CSPRNG, buffered)."""
    return _random.take(count)


def new_id(prefix: str) -> str:
    """Opaque, URL-safe, unguessable ids such as ``org_3kTq...`` (96 random bits)."""
    return f"{prefix}_{base64.urlsafe_b64encode(random_bytes(12)).decode()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, *, pool: bool = True) -> Engine:
    """Create the engine for ``url``; SQLite files get their folder created and WAL switched on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if not pool:
        return create_engine(url, poolclass=NullPool)
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)
    event.listen(engine, "checkin", _stamp_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


# A connection that came back to the pool less than this long ago is handed out without a ping; one idle for
# longer (the database may have restarted meanwhile) is pinged first and replaced if dead. A busy server pays
# no round trip per request, a quiet one never gets a dead connection (SQLAlchemy's pessimistic recipe).
IDLE_PING_SECONDS = 10.0


def _stamp_checkin(dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    returned = record.info.get("checked_in_at")
    if returned is not None and time.monotonic() - returned < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as exc:  # any failure means the connection is unusable: the pool opens a new one
        raise DisconnectionError("the pooled connection is dead") from exc


SessionHook = Callable[[Session], object]
BEFORE_COMMIT: list[SessionHook] = []
"""Run as every unit of work commits. ``accord.audit.service`` registers here the sealing of its pending events
into the hash chain: audit builds on this module, so this module never imports it."""
AFTER_ROLLBACK: list[SessionHook] = []
"""Run after every rollback (``accord.audit.service`` forgets the events of the transaction rolled back)."""


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose audit events join the hash chain at commit and are forgotten on rollback (through the
    hooks ``accord.audit.service`` registers in ``BEFORE_COMMIT`` and ``AFTER_ROLLBACK``).

    What a transaction caches in ``session.info`` under a key starting with ``TRANSACTION_CACHE`` is dropped
    when the transaction ends, so nothing read in one transaction is trusted in the next.
    """
    factory = sessionmaker(engine, expire_on_commit=False)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_rollback", _after_rollback)
    event.listen(factory, "after_commit", _forget_transaction_caches)
    event.listen(factory, "after_rollback", _forget_transaction_caches)
    return factory


TRANSACTION_CACHE = "accord.tx."


def _forget_transaction_caches(session: Session) -> None:
    for key in [k for k in session.info if isinstance(k, str) and k.startswith(TRANSACTION_CACHE)]:
        del session.info[key]


def _before_commit(session: Session) -> None:
    for hook in BEFORE_COMMIT:
        hook(session)


def _after_rollback(session: Session) -> None:
    for hook in AFTER_ROLLBACK:
        hook(session)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception."""
    session = factory()
    try:
        yield session
    except BaseException:
        rollback_and_close(session)
        raise
    commit_and_close(session)


def commit_and_close(session: Session) -> None:
    """End a unit of work: commit (rolling back if the commit fails) and give the connection back."""
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_Row = TypeVar("_Row")


def get_owned(session: Session, model: type[_Row], ident: object, owner: str | None, *, what: str,
              by: str = "org_id") -> _Row:
    """The ``model`` row ``ident`` if ``owner`` holds it (its column ``by``), else ``NotFound("no <what> <ident>")``:
    another organisation's row is answered exactly as a missing one. ``owner`` None is the operator: every row."""
    found = session.get(model, ident)
    if found is None or (owner is not None and getattr(found, by) != owner):
        raise NotFound(f"no {what} {ident!r}")
    return found
