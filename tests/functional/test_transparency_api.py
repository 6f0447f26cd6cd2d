"""Transparency over HTTP and the CLI: report formats, statement export, flagger figures and the report page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cli import context
from accord.cli.main import app as cli_app
from accord.clock import FrozenClock
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.transparency.sor_rules import validate_statement
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import ui_login
from tests.unit.transparency import history


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        handles = {"provider": make_org(session, clock, "provider"), "flagger": make_org(session, clock,
                                                                                       "trusted_flagger")}
        clock.set(datetime(2026, 4, 1, tzinfo=UTC))
        for outcome in ("removed", "removed", "no_action"):
            history.notice(session, clock, provider_id=handles["provider"].id, issuer_id=handles["flagger"].id,
                           kind="trusted_flagger_notice", issuer_kind="trusted_flagger", outcome=outcome)
        for _ in range(3):
            history.decision(session, clock, handles["provider"].id)
    return handles


def test_report_in_three_formats(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    headers = orgs["provider"].headers
    data = client.get("/v1/transparency/report", params={"year": 2026}, headers=headers)
    assert data.status_code == 200 and data.json()["tco_art7"]["a_measures"]["decisions"] == 3
    csv = client.get("/v1/transparency/report", params={"year": 2026, "format": "csv"}, headers=headers)
    assert csv.headers["content-type"].startswith("text/csv") and "tco_art7.a_measures.decisions,3" in csv.text
    html = client.get("/v1/transparency/report", params={"year": 2026, "format": "html"}, headers=headers)
    assert "data:image/png;base64," in html.text
    bad = client.get("/v1/transparency/report", params={"year": 2026, "format": "pdf"}, headers=headers)
    assert bad.status_code == 422


def test_statements_as_json_lines(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    response = client.get("/v1/transparency/statements", headers=orgs["provider"].headers)
    lines = response.text.splitlines()
    assert len(lines) == 3
    assert all(validate_statement(json.loads(line)) == [] for line in lines)
    assert client.get("/v1/transparency/statements", headers=orgs["flagger"].headers).text == ""


def test_flagger_figures_for_the_provider_and_for_the_flagger(client: TestClient,
                                                              orgs: dict[str, OrgHandle]) -> None:
    [seen] = client.get("/v1/transparency/flaggers", headers=orgs["provider"].headers).json()
    assert (seen["flagger_id"], seen["notices"], seen["acted_on"]) == (orgs["flagger"].id, 3, 2)
    [own] = client.get("/v1/transparency/flaggers", headers=orgs["flagger"].headers).json()
    assert (own["provider_id"], own["notices"]) == (orgs["provider"].id, 3)
    threshold = client.put("/v1/transparency/flaggers/alert-threshold", headers=orgs["provider"].headers,
                           json={"below": 0.9})
    assert threshold.status_code == 200
    [again] = client.get("/v1/transparency/flaggers", headers=orgs["provider"].headers).json()
    assert again["alert"] is (again["acted_on_interval"][1] < 0.9)


def test_the_report_page_shows_charts(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    ui_login(client, orgs["provider"].email, PASSWORD)
    page = client.get("/ui/transparency", params={"year": 2026})
    assert page.status_code == 200 and page.text.count("data:image/png;base64,") >= 2
    assert "no data yet" in page.text  # a chart without figures is said, not drawn as empty axes
    assert 'alt="Restrictions per month — ' in page.text  # the alt text states the figures
    assert f"<td>{orgs['flagger'].name}</td>" in page.text  # flaggers by name, not by id
    ui_login(client, orgs["flagger"].email, PASSWORD)
    own = client.get("/ui/transparency")
    assert own.status_code == 200 and f"<td>{orgs['provider'].name}</td>" in own.text


runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ACCORD_DATABASE_URL", url)
    context.settings.cache_clear()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        provider = make_org(session, clock, "provider", name="Tiny Host")
        clock.set(datetime(2026, 5, 1, tzinfo=UTC))
        for _ in range(150):
            history.decision(session, clock, provider.id)
        history.decision(session, clock, provider.id, action="no_action")
    engine.dispose()
    yield url
    context.settings.cache_clear()


def test_cli_report_and_sor_export(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(cli_app, ["report", "transparency", "--year", "2026", "--format", "html",
                                     "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "data:image/png;base64," in out.read_text()
    as_json = runner.invoke(cli_app, ["report", "transparency", "--year", "2026", "--org", "Tiny Host"])
    assert json.loads(as_json.stdout)["tco_art7"]["a_measures"]["decisions"] == 151
    lines_file = tmp_path / "sor.jsonl"
    exported = runner.invoke(cli_app, ["sor", "export", "--since", "2026-01-01", "--out", str(lines_file)])
    assert exported.exit_code == 0, exported.output
    lines = lines_file.read_text().splitlines()
    assert len(lines) == 150 and all(validate_statement(json.loads(line)) == [] for line in lines)
    later = runner.invoke(cli_app, ["sor", "export", "--since", "2026-06-01"])
    assert later.exit_code == 0 and later.stdout == ""
    refused = runner.invoke(cli_app, ["report", "transparency", "--year", "2026", "--format", "pdf"])
    assert refused.exit_code != 0
