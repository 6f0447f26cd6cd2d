"""Fixtures shared by the functional tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import context
from accord.clock import FrozenClock
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.settings import Settings
from tests.conftest import migrated_sqlite
from tests.factories import make_org


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The command line on the test's own database (``settings``), as an operator runs it."""
    monkeypatch.setenv("ACCORD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ACCORD_MODE", "test")
    context.settings.cache_clear()
    yield CliRunner()
    context.settings.cache_clear()


@pytest.fixture
def banks_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path) -> Iterator[CliRunner]:
    """The command line on its own (migrated) SQLite database with a coordinator "Hub" and a provider "Host"."""
    url = migrated_sqlite(sqlite_template, tmp_path / "cli.db")
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        make_org(session, FrozenClock(), "coordinator", name="Hub")
        make_org(session, FrozenClock(), "provider", name="Host")
    engine.dispose()
    monkeypatch.setenv("ACCORD_DATABASE_URL", url)
    monkeypatch.setenv("ACCORD_INDEX_SNAPSHOT_DIR", str(tmp_path / "index"))
    context.settings.cache_clear()
    yield CliRunner()
    context.settings.cache_clear()
