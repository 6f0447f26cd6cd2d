"""Bulk ingest on the user's path: ``accord bank import`` (in-process and as a process killed mid-import) and
``POST /v1/banks/{name}/entries`` with a CSV body, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.banks import ingest
from accord.banks.models import BankChange, BankEntry
from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.factories import OrgHandle, make_org
from tests.unit.banks.helpers import PDQ_A

PROBLEM = "application/problem+json"
SRC = Path(__file__).resolve().parents[2] / "src"


def hashes(count: int, seed: int = 16) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.getrandbits(256):064x}" for _ in range(count)]


def write_csv(path: Path, values: list[str], *extra: str) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("signal_type,signal_value,labels\n")
        out.writelines(f"pdq,{value},glorification_of_terrorist_acts\n" for value in values)
        out.writelines(extra)
    return path


def stored(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(BankEntry.value)))


def import_events(factory: sessionmaker[Session], import_id: str) -> list[int]:
    with factory() as session:
        query = select(AuditEvent).where(AuditEvent.tag == Event.BANKS_IMPORT_CHUNK.value,
                                         AuditEvent.subject == import_id)
        return sorted(int(e.payload["chunk"]) for e in session.scalars(query))


@pytest.fixture
def hub(factory: sessionmaker[Session], clock: FrozenClock) -> OrgHandle:
    with unit_of_work(factory) as session:
        return make_org(session, clock, "coordinator", name="Hub")


# ---- the command line --------------------------------------------------------------------------------


def test_import_streams_refuses_lines_and_leaves_verifiable_chunks(
        cli: CliRunner, hub: OrgHandle, factory: sessionmaker[Session], tmp_path: Path) -> None:
    assert cli.invoke(app, ["bank", "create", "bulk"]).exit_code == 0
    values = hashes(12)
    csv_file = write_csv(tmp_path / "list.csv", values[:6], "pdq,abc,\n", *(f"pdq,{v},\n" for v in values[6:]),
                         f"pdq,{values[0]},\n", "sha256,zz,\n")
    answer = cli.invoke(app, ["bank", "import", "bulk", str(csv_file), "--chunk-size", "5", "--json"])
    assert answer.exit_code == 0, answer.output
    summary = json.loads(answer.stdout)
    assert {k: summary[k] for k in ("added", "duplicates", "refused", "chunks")} == {
        "added": 12, "duplicates": 1, "refused": 2, "chunks": 3}
    assert "line 8: a pdq hash has 64 hex digits, not 3" in answer.stderr
    assert re.search(r"line 16: .*sha256", answer.stderr), answer.stderr
    assert sorted(stored(factory)) == sorted(values)
    verified = cli.invoke(app, ["bank", "verify-import", summary["import_id"], "--json"])
    assert verified.exit_code == 0 and [c["ok"] for c in json.loads(verified.stdout)] == [True, True, True]
    chain = cli.invoke(app, ["audit", "verify"])
    assert chain.exit_code == 0, chain.output


def test_import_resumes_after_a_chunk_fails_without_duplicates(
        cli: CliRunner, hub: OrgHandle, factory: sessionmaker[Session], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli.invoke(app, ["bank", "create", "bulk"]).exit_code == 0
    values = hashes(20, seed=2)
    csv_file = write_csv(tmp_path / "list.csv", values)
    real, calls = ingest.write_chunk, []

    def crash_on_third(*args: object, **kwargs: object) -> ingest.ChunkResult:
        calls.append(1)
        if len(calls) == 3:
            raise ConnectionError("the database went away")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "write_chunk", crash_on_third)
    broken = cli.invoke(app, ["bank", "import", "bulk", str(csv_file), "--chunk-size", "4"])
    assert isinstance(broken.exception, ConnectionError)
    import_id = re.findall(r"--resume (imp_\S+)\)", broken.stderr)[0]
    assert len(stored(factory)) == 8, "the two chunks committed before the failure stay"
    monkeypatch.setattr(ingest, "write_chunk", real)
    resumed = cli.invoke(app, ["bank", "import", "bulk", str(csv_file), "--chunk-size", "4", "--resume", import_id,
                               "--json"])
    assert resumed.exit_code == 0, resumed.output
    summary = json.loads(resumed.stdout)
    assert (summary["import_id"], summary["added"], summary["duplicates"], summary["chunks"]) == (import_id, 20, 0, 5)
    assert sorted(stored(factory)) == sorted(values)
    assert import_events(factory, import_id) == [1, 2, 3, 4, 5]
    other = cli.invoke(app, ["bank", "import", "bulk", str(csv_file), "--resume", "imp_nothing-of-the-kind"])
    assert other.exit_code == 0, "an import that committed nothing starts from its first line"


def test_a_killed_import_process_resumes_where_it_stopped(
        settings: Settings, hub: OrgHandle, factory: sessionmaker[Session], tmp_path: Path) -> None:
    env = {**os.environ, "ACCORD_DATABASE_URL": settings.database_url, "ACCORD_MODE": "test",
           "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}

    def accord(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "accord", *args], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    created = accord("bank", "create", "bulk")
    assert created.wait(timeout=120) == 0, created.communicate()
    values = hashes(30_000, seed=3)
    csv_file = write_csv(tmp_path / "list.csv", values)
    first = accord("bank", "import", "bulk", str(csv_file), "--chunk-size", "200")
    import_id = _import_id_once_two_chunks_committed(first, factory)
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL
    committed = import_events(factory, import_id)
    assert 2 <= len(committed) < 150, "killed part-way"
    assert len(stored(factory)) == 200 * len(committed), "whole chunks only"
    second = accord("bank", "import", "bulk", str(csv_file), "--chunk-size", "200", "--resume", import_id, "--json")
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    assert json.loads(out)["added"] == 30_000
    assert import_events(factory, import_id) == list(range(1, 151))
    assert sorted(stored(factory)) == sorted(values)
    with factory() as session:
        entry_ids = list(session.scalars(select(BankChange.entry_id)))
        assert len(entry_ids) == len(set(entry_ids)) == 30_000, "one change-log row per entry"
        assert all(check.ok for check in ingest.verify_import(session, hub.id, import_id))


def _import_id_once_two_chunks_committed(child: subprocess.Popen[str], factory: sessionmaker[Session]) -> str:
    assert child.stderr is not None
    line = child.stderr.readline()  # "import imp_... (if interrupted: --resume imp_...)"
    import_id = line.split()[1]
    deadline = time.monotonic() + 300
    while len(import_events(factory, import_id)) < 2:
        assert child.poll() is None, "the import ended before it could be interrupted"
        assert time.monotonic() < deadline, "no chunk committed"
        time.sleep(0.02)
    return import_id


# ---- the API -----------------------------------------------------------------------------------------


def test_api_bulk_form_imports_a_csv_body(client: TestClient, hub: OrgHandle) -> None:
    assert client.post("/v1/banks", json={"name": "bulk"}, headers=hub.headers).status_code == 201
    values = hashes(7, seed=4)
    body = "".join(f"pdq,{v},imminent_credible_threat\n" for v in values).encode()
    answer = client.post("/v1/banks/bulk/entries", content=body, headers={**hub.headers, "Content-Type": "text/csv"})
    assert answer.status_code == 201, answer.text
    summary = answer.json()
    assert {k: summary[k] for k in ("added", "duplicates", "lines", "chunks")} == {
        "added": 7, "duplicates": 0, "lines": 7, "chunks": 1}
    again = client.post("/v1/banks/bulk/entries", content=body, headers={**hub.headers, "Content-Type": "text/csv"})
    assert (again.json()["added"], again.json()["duplicates"]) == (0, 7), "a retried request adds nothing twice"
    listed = client.get("/v1/banks/bulk/entries", headers=hub.headers).json()["entries"]
    assert sorted(e["value"] for e in listed) == sorted(values)
    assert {tuple(e["labels"]) for e in listed} == {("imminent_credible_threat",)}


@pytest.mark.parametrize(("body", "words"), [
    (b"pdq,%s,\npdq,123,\nmd5,xyz,\n", "2 line(s) refused"),
    (b"pdq,%s,not_a_gifct_label\n", "label"),
    (b"signal_type,signal_value,labels\n", "no rows"),
    (b"pdq,%s,\n\xff\xfe\n", "UTF-8"),
])
def test_api_bulk_form_refuses_bad_input_whole_and_keeps_what_was_stored(
        client: TestClient, hub: OrgHandle, factory: sessionmaker[Session], body: bytes, words: str) -> None:
    assert client.post("/v1/banks", json={"name": "bulk"}, headers=hub.headers).status_code == 201
    kept = client.post("/v1/banks/bulk/entries", headers=hub.headers,
                       json={"signals": [{"type": "pdq", "value": PDQ_A}]})
    assert kept.status_code == 201
    fresh = hashes(1, seed=5)[0]
    answer = client.post("/v1/banks/bulk/entries", content=body.replace(b"%s", fresh.encode()),
                         headers={**hub.headers, "Content-Type": "text/csv"})
    assert answer.status_code == 422 and answer.headers["content-type"].startswith(PROBLEM), answer.text
    problem = answer.json()
    assert problem["type"].endswith("invalid-input") and words in problem["detail"], problem
    assert stored(factory) == [PDQ_A], "nothing added, nothing lost"
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.tag == Event.BANKS_IMPORT_CHUNK.value)) == 0


def test_api_bulk_refusal_lists_every_refused_line(client: TestClient, hub: OrgHandle) -> None:
    assert client.post("/v1/banks", json={"name": "bulk"}, headers=hub.headers).status_code == 201
    good = hashes(3, seed=6)
    body = f"pdq,{good[0]},\npdq,{good[1]}0,\npdq,{good[2]},\nvideo_md5,nope,\n".encode()
    answer = client.post("/v1/banks/bulk/entries", content=body, headers={**hub.headers, "Content-Type": "text/csv"})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["line 2", "line 4"]
    assert answer.json()["refused"] == 2


def test_api_bulk_form_into_a_bank_out_of_sight_is_not_found(
        client: TestClient, hub: OrgHandle, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    assert client.post("/v1/banks", json={"name": "private"}, headers=hub.headers).status_code == 201
    with unit_of_work(factory) as session:
        stranger = make_org(session, clock)
    answer = client.post("/v1/banks/private/entries", content=f"pdq,{PDQ_A},\n".encode(),
                         headers={**stranger.headers, "Content-Type": "text/csv"})
    assert answer.status_code == 404 and answer.headers["content-type"].startswith(PROBLEM)
    assert stored(factory) == []

