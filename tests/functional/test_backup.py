"""``accord backup`` and ``accord restore`` as an operator runs them: a seeded demo backed up, restored into a
fresh database of the same kind, row for row, with the audit chain intact; a non-empty database, an altered or
cut-short backup and another key are refused with one line and a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from accord.db import make_engine
from accord.models import metadata
from tests.conftest import PG_URL

KEY = "backup-key-for-the-test-" + "k" * 20


def _accord(url: str, *args: str, key: str = KEY) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCORD_DATABASE_URL": url, "ACCORD_MODE": "test", "ACCORD_BACKUP_KEY": key,
           "ACCORD_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error") and words in lines[0], result.stderr[-3000:]


def _pg_database(name: str) -> str:
    """A fresh PostgreSQL database named for this xdist worker too (two workers never share one)."""
    name = f"{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    url = make_url(PG_URL)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Makes empty databases (no tables) of one kind."""
    made: list[str] = []

    def make(name: str) -> str:
        url = (f"sqlite:///{tmp_path / name}.db" if request.param == "sqlite"
               else _pg_database(f"{make_url(PG_URL).database}_{name}"))
        made.append(url)
        return url

    yield make
    if request.param == "postgres":
        admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for url in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def _contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url, pool=False)
    with engine.connect() as connection:
        found = {table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
                 for table in metadata.sorted_tables}
        assert connection.execute(select(func.count()).select_from(metadata.tables["audit_events"])).scalar()
    engine.dispose()
    return found


def test_a_backup_of_the_demo_restores_row_for_row_with_its_audit_chain(fresh: Any, tmp_path: Path) -> None:
    source, target = fresh("bk_source"), fresh("bk_target")
    _ok(_accord(source, "db", "upgrade"))
    _ok(_accord(source, "demo", "--credentials-file", str(tmp_path / "demo.txt")))
    backup = tmp_path / "accord.backup"
    _ok(_accord(source, "backup", str(backup)))
    assert backup.stat().st_mode & 0o777 == 0o600
    assert b"demo.example" not in backup.read_bytes()  # encrypted (and compressed)

    _ok(_accord(target, "restore", str(backup)))
    before, after = _contents(source), _contents(target)
    assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
    assert sum(1 for rows in before.values() if rows) >= 20  # the demo fills most tables
    assert after == before
    verified = json.loads(_ok(_accord(target, "audit", "verify", "--json")))
    assert verified["ok"] is True
    assert verified["intact"] == json.loads(_ok(_accord(source, "audit", "verify", "--json")))["intact"] > 0
    # The restored instance goes on numbering what the database numbers: a new event joins the chain.
    _ok(_accord(target, "org", "create", "--kind", "provider", "--name", "After restore", "--country", "DE",
                "--contact-email", "contact@after.example"))
    assert json.loads(_ok(_accord(target, "audit", "verify", "--json")))["intact"] == verified["intact"] + 1

    _refused(_accord(target, "restore", str(backup)), "not empty")


def test_an_altered_backup_or_another_key_is_refused(fresh: Any, tmp_path: Path) -> None:
    source = fresh("bk_source")
    _ok(_accord(source, "db", "upgrade"))
    _ok(_accord(source, "demo", "--credentials-file", str(tmp_path / "demo.txt")))
    backup = tmp_path / "accord.backup"
    _ok(_accord(source, "backup", str(backup)))
    original = backup.read_bytes()
    altered = bytearray(original)
    altered[len(altered) // 2] ^= 0x01
    cases = {"altered": bytes(altered), "cut short": original[:-100], "appended to": original + b"\0"}
    for name, data in cases.items():
        target = fresh(f"bk_{name.replace(' ', '_')}")
        (tmp_path / name).write_bytes(data)
        _refused(_accord(target, "restore", str(tmp_path / name)), "damaged or altered")
        _ok(_accord(target, "db", "upgrade"))
        assert all(not rows for rows in _contents_or_empty(target).values()), name
    target = fresh("bk_other_key")
    _refused(_accord(target, "restore", str(backup), key="another-key-" + "x" * 30), "another key")
    _refused(_accord(target, "restore", str(backup), key="short"), "at least 32 characters")
    key_file = tmp_path / "backup.key"
    key_file.write_text(KEY + "\n")
    _ok(_accord(target, "restore", str(backup), "--key-file", str(key_file), key=""))


def _contents_or_empty(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url, pool=False)
    with engine.connect() as connection:
        found = {table.name: [tuple(row) for row in connection.execute(select(table).limit(1))]
                 for table in metadata.sorted_tables}
    engine.dispose()
    return found


@pytest.mark.postgres
def test_a_sqlite_backup_restores_into_postgresql(tmp_path: Path) -> None:
    """One format for both databases: a SQLite instance moves to PostgreSQL through a backup."""
    source, target = f"sqlite:///{tmp_path / 'source.db'}", _pg_database(f"{make_url(PG_URL).database}_bk_cross")
    try:
        _ok(_accord(source, "db", "upgrade"))
        _ok(_accord(source, "demo", "--credentials-file", str(tmp_path / "demo.txt")))
        _ok(_accord(source, "backup", str(tmp_path / "accord.backup")))
        _ok(_accord(target, "restore", str(tmp_path / "accord.backup")))
        assert _contents(target) == _contents(source)
        assert json.loads(_ok(_accord(target, "audit", "verify", "--json")))["ok"] is True
    finally:
        admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(target).database}" WITH (FORCE)'))
        admin.dispose()
