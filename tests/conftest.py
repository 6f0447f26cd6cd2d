"""Test setup: every database test runs on SQLite and on PostgreSQL.

PostgreSQL: one database per xdist worker (created here), migrated once with Alembic. A test of services runs in
one transaction rolled back at its end (``factory``); a test of the app, whose threads commit through their own
connections, or one marked ``committing`` commits for real, and the tables it wrote are emptied after it
(``PostgresReset``). SQLite: a copy per test of a file the migrations built once per session.
The clock is a FrozenClock; nothing sleeps to make time pass.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from accord.app import create_app
from accord.clock import FrozenClock
from accord.db import make_engine, make_sessionmaker
from accord.migrate import upgrade
from accord.models import metadata
from accord.settings import Settings

ROLLED_BACK = pytest.StashKey[bool]()
PG_URL = os.environ.get("ACCORD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/accord_test")
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# The suite's clients send thousands of requests (and wrong keys, on purpose) from one address: API rate limits
# out of their way. tests/functional/test_rate_limits.py lowers them where it tests them.
UNLIMITED: dict[str, Any] = {
    **{f"rate_limit_{kind}_per_{per}": 1_000_000 for kind in ("intake", "match", "reads", "writes")
       for per in ("key", "address")},
    "rate_limit_auth_failures_per_address": 1_000_000,
}


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Real argon2, with the smallest cost parameters: production's cost makes each member take ~0.4 s."""
    from argon2 import PasswordHasher

    from accord.identity import service

    production = service._hasher
    service._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    service._hasher = production


@pytest.fixture(autouse=True, scope="session")
def _pdq_search_loaded() -> None:
    """numba compiles the PDQ search loop on its first use in a process (seconds of CPU on a fresh clone, then
    loaded from its cache): done once per test process here, before any test's clock or browser timeout runs, as
    the API does at start-up (``accord.web.api.matching``)."""
    from accord.matching import pdq

    pdq.warm_up()


@pytest.fixture(autouse=True, scope="session")
def _audit_payloads_checked() -> Iterator[None]:
    """Every event the suite records has the payload keys its catalogue entry names (accord.audit.catalogue)."""
    from accord.audit import catalogue

    catalogue.check_payloads(True)
    yield
    catalogue.check_payloads(False)


def _worker_pg_url() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = make_url(PG_URL)
    return url.set(database=f"{url.database}_{worker}" if worker else url.database).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """Create (or reset) this worker's PostgreSQL database and migrate it to head."""
    url = make_url(_worker_pg_url())
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        # A commit need not wait for the WAL flush: a test database is thrown away, never recovered after a
        # server crash (the suite's crash tests kill the app's processes, not PostgreSQL).
        conn.execute(text(f'ALTER DATABASE "{url.database}" SET synchronous_commit = off'))
    admin.dispose()
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    return rendered


def _written_tables_probe() -> str:
    """One query naming every table that holds at least one row."""
    return " UNION ALL ".join(f"(SELECT '{t.name}' FROM \"{t.name}\" LIMIT 1)" for t in metadata.sorted_tables)


def _sequences(engine: Engine) -> dict[str, list[str]]:
    """table → the sequences it owns (``bigserial`` / identity columns), so that a reset restarts them."""
    owned: dict[str, list[str]] = defaultdict(list)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT d.refobjid::regclass::text, s.oid::regclass::text FROM pg_class s "
            "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "WHERE s.relkind = 'S'"
        ))
        for table, sequence in rows:
            owned[table.strip('"')].append(sequence)
    return dict(owned)


class PostgresReset:
    """Empties what a test wrote, and only that: one query finds the tables holding a row, which are emptied
    with ``DELETE`` (children first) and have their sequences restarted. Measured (2026-12-08) on the 40
    PostgreSQL tests of the notices and banks API: the reset cost 9.8 s in all when every table was truncated,
    5.6 s truncating the written ones (each TRUNCATE makes and syncs new files), 1.5 s deleting their rows. On a
    loaded machine, after ``make_orgs``: TRUNCATE of every table 1.39 s, this 0.07 s (0.05 s without the WAL
    flush at commit)."""

    def __init__(self, url: str) -> None:
        engine = make_engine(url, pool=False)
        self.sequences = _sequences(engine)
        engine.dispose()
        self.probe = _written_tables_probe()

    def __call__(self, engine: Engine) -> None:
        with engine.begin() as conn:
            written = set(conn.execute(text(self.probe)).scalars())
            for table in reversed(metadata.sorted_tables):
                if table.name in written:
                    conn.execute(table.delete())
                    for sequence in self.sequences.get(table.name, []):
                        conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


@pytest.fixture(scope="session")
def postgres_reset(postgres_url: str) -> PostgresReset:
    return PostgresReset(postgres_url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database built once per session by the migrations (as production builds it), copied per test."""
    path = tmp_path_factory.mktemp("template") / "accord.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:  # fold the write-ahead log into the file: the copy is the file alone
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def migrated_sqlite(template: Path, path: Path) -> str:
    """A fresh migrated SQLite database at ``path`` (a copy of the session's template); returns its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield migrated_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "accord.db")
        return
    url = request.getfixturevalue("postgres_url")
    reset = request.getfixturevalue("postgres_reset")
    yield url
    if request.node.stash.get(ROLLED_BACK, False):
        return  # its transaction was rolled back (the ``factory`` fixture)
    engine = make_engine(url, pool=False)
    reset(engine)
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        mode="test", database_url=database_url, fetch_allow_private=True, log_json=False,
        job_backoff_base_seconds=1.0, index_snapshot_dir=tmp_path / "index", **UNLIMITED,
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


# Fixtures whose app commits through its own engine, from request threads and writer threads.
_COMMITTING_FIXTURES = {"app", "client", "live_server"}
_UNIT = Path(__file__).parent / "unit"


def rolled_back(request: pytest.FixtureRequest, engine: Engine) -> bool:
    """Whether this test runs inside one transaction rolled back at its end: on PostgreSQL, a test of services
    under tests/unit without the app (whose threads commit through their own connections) and not marked
    ``committing``. Functional tests commit for real: many read through another door (an app built in the test,
    the command line in-process, a worker), and 32 of them failed on a rolled-back connection."""
    return (engine.dialect.name == "postgresql" and Path(request.node.path).is_relative_to(_UNIT)
            and not _COMMITTING_FIXTURES & set(request.fixturenames)
            and request.node.get_closest_marker("committing") is None)


@pytest.fixture
def factory(engine: Engine, request: pytest.FixtureRequest) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test's database. In a service test on PostgreSQL they share one connection whose
    transaction is rolled back at the end: a unit of work's commit releases a savepoint instead (tests/unit on
    PostgreSQL, 338 tests on a loaded machine: 192 s, against 239 s emptying the written tables after each)."""
    if not rolled_back(request, engine):
        yield make_sessionmaker(engine)
        return
    with engine.connect() as connection:
        outer = connection.begin()
        factory = make_sessionmaker(engine)
        factory.configure(bind=connection, join_transaction_mode="create_savepoint")
        request.node.stash[ROLLED_BACK] = True
        yield factory
        outer.rollback()


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for service tests; the test commits when it wants the effect visible."""
    with factory() as session:
        yield session
        session.rollback()


@pytest.fixture
def app(settings: Settings, clock: FrozenClock) -> Iterator[FastAPI]:
    app = create_app(settings, clock)
    yield app
    app.state.accord.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """The app served by a real uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server
