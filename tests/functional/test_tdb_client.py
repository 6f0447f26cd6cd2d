"""The Transparency Database client end to end: ``python -m accord sor submit`` and ``sor status`` as
subprocesses against a local server answering as the Database documents, then the API and the UI showing each
statement's submission status and the Database's errors for a refused one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.cases.models import Statement
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import ui_login
from tests.tdb_server import LocalDatabase
from tests.unit.transparency import decided

TOKEN = "X|cli-token"


@pytest.fixture
def database() -> Iterator[LocalDatabase]:
    with LocalDatabase(TOKEN) as server:
        yield server


def _accord(settings: Settings, database: LocalDatabase, *args: str,
            token: str = TOKEN) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCORD_DATABASE_URL": settings.database_url, "ACCORD_MODE": "test",
           "ACCORD_TDB_URL": database.url, "ACCORD_TDB_TOKEN": token,
           "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    return subprocess.run([sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def provider(factory: sessionmaker[Session], clock: FrozenClock) -> tuple[OrgHandle, str]:
    """A provider with three statements; the second has a body the Database refuses."""
    with unit_of_work(factory) as session:
        handle = make_org(session, clock, "provider", name="Videos")
        made = decided.statements(session, clock, handle.id, 3)
        broken = session.get(Statement, made[1].id)
        assert broken is not None and broken.body is not None
        broken.body = {**broken.body, "territorial_scope": ["US"]}
        return handle, broken.id


def test_cli_submits_records_and_never_resubmits(settings: Settings, database: LocalDatabase,
                                                 provider: tuple[OrgHandle, str]) -> None:
    handle, broken = provider
    refused = _accord(settings, database, "sor", "submit", "--org", handle.name, token="X|wrong")
    assert refused.returncode == 1 and "401" in refused.stderr and database.database.stored == {}
    done = _accord(settings, database, "sor", "submit", "--org", handle.name, "--json")
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert (report["accepted"], report["rejected"], report["pending"]) == (2, 1, 0)
    status = _accord(settings, database, "sor", "status", "--org", handle.name, "--state", "rejected", "--json")
    [row] = json.loads(status.stdout)
    assert row["statement_id"] == broken and "territorial_scope" in row["errors"]
    calls = list(database.database.calls)
    again = _accord(settings, database, "sor", "submit", "--org", handle.name)
    assert again.returncode == 0 and database.database.calls == calls
    assert "0 accepted" in again.stderr
    bad = _accord(settings, database, "sor", "status", "--org", handle.name, "--state", "lost")
    assert bad.returncode != 0 and bad.stderr.strip().startswith("error (state)")


def test_since_leaves_older_statements_waiting(settings: Settings, database: LocalDatabase,
                                               provider: tuple[OrgHandle, str]) -> None:
    handle, _ = provider
    done = _accord(settings, database, "sor", "submit", "--org", handle.name, "--since", "2100-01-01", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["pending"] == 3 and database.database.calls == []


def test_api_and_ui_show_each_statement_with_its_status(client: TestClient, settings: Settings,
                                                        database: LocalDatabase,
                                                        provider: tuple[OrgHandle, str],
                                                        factory: sessionmaker[Session], clock: FrozenClock) -> None:
    handle, broken = provider
    waiting = client.get("/v1/transparency/submissions", headers=handle.headers)
    assert waiting.status_code == 200 and {r["state"] for r in waiting.json()} == {"pending"}
    assert _accord(settings, database, "sor", "submit", "--org", handle.name).returncode == 0
    rows = client.get("/v1/transparency/submissions", headers=handle.headers).json()
    assert sorted(r["state"] for r in rows) == ["accepted", "accepted", "rejected"]
    assert all(r["tdb_uuid"] in database.database.stored.values() for r in rows if r["state"] == "accepted")
    rejected = client.get("/v1/transparency/submissions?state=rejected", headers=handle.headers).json()
    assert [r["statement_id"] for r in rejected] == [broken]
    bad = client.get("/v1/transparency/submissions?state=lost", headers=handle.headers)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    with unit_of_work(factory) as session:
        other = make_org(session, clock, "provider")
    assert client.get("/v1/transparency/submissions", headers=other.headers).json() == []
    login = ui_login(client, handle.email, PASSWORD, follow_redirects=False)
    assert login.status_code == 303
    page = client.get("/ui/transparency/statements?state=rejected").text
    assert broken in page and "territorial_scope" in page and "rejected" in page
    assert len(re.findall(r'class="sor-accepted"', client.get("/ui/transparency/statements").text)) == 2
