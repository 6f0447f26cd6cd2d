"""Art. 21 disputes through the API and the CLI, counted in the DSA report in the harmonised template's layout
(``GET /v1/transparency/report?format=dsa-template`` and ``accord report transparency --format dsa-template``)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.factories import make_org
from tests.unit.transparency import decided


def _accord(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACCORD_DATABASE_URL": settings.database_url, "ACCORD_MODE": "test",
           "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    return subprocess.run([sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_disputes_are_recorded_and_reported(client: TestClient, settings: Settings, factory: sessionmaker[Session],
                                            clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider", name="Videos")
        other = make_org(session, clock, "provider", name="Forum")
        decision_ids = [s.decision_id for s in decided.statements(session, clock, provider.id, 2)]
    year = str(clock.now().year)
    filed = client.post("/v1/disputes", headers=provider.headers, json={
        "decision_id": decision_ids[0], "body_name": "Appeals Centre Europe", "certified_by": "IE"})
    assert filed.status_code == 201, filed.text
    dispute_id = filed.json()["id"]
    assert client.post("/v1/disputes", headers=other.headers, json={
        "decision_id": decision_ids[0], "body_name": "x", "certified_by": "IE"}).status_code == 404
    assert client.post(f"/v1/disputes/{dispute_id}/outcome", headers=other.headers,
                       json={"outcome": "upheld"}).status_code == 404
    bad = client.post(f"/v1/disputes/{dispute_id}/outcome", headers=provider.headers, json={"outcome": "won"})
    assert bad.status_code == 422 and bad.json()["field"] == "outcome"
    decided_ = client.post(f"/v1/disputes/{dispute_id}/outcome", headers=provider.headers,
                           json={"outcome": "reversed", "note": "The body found the video was news reporting."})
    assert decided_.status_code == 200 and decided_.json()["outcome"] == "reversed"
    assert [d["id"] for d in client.get("/v1/disputes", headers=provider.headers).json()] == [dispute_id]
    assert client.get("/v1/disputes", headers=other.headers).json() == []
    cli = _accord(settings, "dispute", "file", decision_ids[1], "--body", "User Rights", "--certified-by", "DE",
                  "--org", "Videos", "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["certified_by"] == "DE"
    wrong = _accord(settings, "dispute", "file", decision_ids[1], "--body", "x", "--certified-by", "DE",
                    "--org", "Forum")
    assert wrong.returncode != 0 and wrong.stderr.startswith("error")

    report = client.get(f"/v1/transparency/report?year={year}&format=dsa-template", headers=provider.headers)
    assert report.status_code == 200 and report.headers["content-type"].startswith("application/json")
    [appeals] = [s for s in report.json()["sections"] if s["section"] == 7]
    rows = {(r["row"], r["breakdown"]): r["value"] for r in appeals["rows"]}
    assert rows[("Number of disputes submitted to out-of-court dispute settlement bodies", "")] == 2
    assert rows[("Outcome of the disputes", "reversed")] == 1
    table = _accord(settings, "report", "transparency", "--year", year, "--format", "dsa-template-csv",
                    "--org", "Videos")
    assert table.returncode == 0, table.stderr
    lines = list(csv.DictReader(io.StringIO(table.stdout)))
    assert {line["section"] for line in lines} == {str(n) for n in range(1, 12)}
    as_csv = client.get(f"/v1/transparency/report?year={year}&format=dsa-template-csv", headers=provider.headers)
    assert as_csv.headers["content-type"].startswith("text/csv")
