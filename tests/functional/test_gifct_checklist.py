"""HASH-06 over HTTP and the CLI: a provider exports its GIFCT membership checklist as JSON or Markdown."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cli import context
from accord.cli.main import app as cli
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.factories import make_org


def test_the_checklist_as_json_and_markdown(client: TestClient, factory: sessionmaker[Session],
                                            clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        video = make_org(session, clock, "provider", country="FR")
        iru = make_org(session, clock, "authority")
    before = client.get("/v1/gifct/self-assessment", headers=video.headers).json()
    assert before["summary"] == {"met": 0, "not_met": 3, "to_confirm": 1}
    client.put("/v1/organisation/contact-point", headers=video.headers,
               json={"email": "orders@video.example", "languages": ["fr"]})
    created = client.post("/v1/policies", json={"name": "Terms", "template": "small-provider-eu"},
                          headers=video.headers)
    assert created.status_code == 201, created.text
    policy_id = created.json()["id"]
    for step in ("publish", "activate"):
        done = client.post(f"/v1/policies/{policy_id}/versions/1/{step}", headers=video.headers)
        assert done.status_code == 200, done.text
    after = client.get("/v1/gifct/self-assessment", headers=video.headers).json()
    statuses = {c["id"]: c["status"] for c in after["criteria"]}
    assert statuses == {"public_prohibition": "met", "reports_and_appeals": "met",
                        "technical_solutions": "not_met", "transparency_report": "to_confirm"}
    page = client.get("/v1/gifct/self-assessment?format=markdown", headers=video.headers)
    assert page.headers["content-type"].startswith("text/markdown") and page.text.startswith("# GIFCT")
    assert client.get("/v1/gifct/self-assessment?format=pdf", headers=video.headers).status_code == 422
    assert client.get("/v1/gifct/self-assessment", headers=iru.headers).status_code == 403


def test_the_cli_prints_the_checklist(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ACCORD_MODE", "test")
    context.settings.cache_clear()
    with unit_of_work(factory) as session:
        video = make_org(session, clock, "provider")
        iru = make_org(session, clock, "authority")
    runner = CliRunner()
    as_json = runner.invoke(cli, ["policy", "gifct-checklist", "--org", video.name, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["provider_id"] == video.id
    page = runner.invoke(cli, ["policy", "gifct-checklist", "--org", video.id, "--markdown"])
    assert page.exit_code == 0 and "[ ] **Terms that publicly prohibit" in page.output
    refused = runner.invoke(cli, ["policy", "gifct-checklist", "--org", iru.id])
    assert refused.exit_code != 0
