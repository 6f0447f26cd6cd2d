"""``accord policy`` and ``accord incident`` with --json, against a migrated SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import context
from accord.cli.main import app

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ACCORD_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    context.settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield
    context.settings.cache_clear()


def _json(*args: str) -> object:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_policy_and_incident_commands(cli_db: None, tmp_path: Path) -> None:
    _json("org", "create", "--kind", "provider", "--name", "Tiny Host", "--country", "DE")
    _json("org", "create", "--kind", "coordinator", "--name", "Hub")
    policy = _json("policy", "create", "--org", "Tiny Host", "--name", "TVEC", "--template", "small-provider-eu-de")
    assert isinstance(policy, dict)
    _json("policy", "publish", "--org", "Tiny Host", policy["id"], "1")
    _json("policy", "activate", "--org", "Tiny Host", policy["id"], "1")
    resolution = _json("policy", "resolve", "--org", "Tiny Host", "glorification", "--country", "DE")
    assert isinstance(resolution, dict) and resolution["countries"] == ["DE"] and resolution["version"] == 1
    versions = _json("policy", "versions", "--org", "Tiny Host", policy["id"])
    assert isinstance(versions, list) and [v["state"] for v in versions] == ["published"]
    guide = _json("policy", "jurisdictions")
    assert isinstance(guide, list) and [j["code"] for j in guide] == ["EU", "DE", "FR"]
    incident = _json("incident", "declare", "--org", "Hub", "--title", "Drill", "--level", "incident",
                     "--criterion", "ongoing_event", "--drill")
    assert isinstance(incident, dict) and incident["drill"] is True
    listed = _json("incident", "list", "--state", "active")
    assert isinstance(listed, list) and [i["id"] for i in listed] == [incident["id"]]
    concluded = _json("incident", "conclude", "--org", "Hub", incident["id"])
    assert isinstance(concluded, dict) and concluded["state"] == "concluded"
    refused = runner.invoke(app, ["incident", "declare", "--org", "Tiny Host", "--title", "X", "--level",
                                  "incident", "--criterion", "ongoing_event"])
    assert refused.exit_code == 3 and "only a coordinator" in refused.output
