"""``accord campaign create|import|report`` against the test databases: validation and idempotent imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.audit.models import AuditEvent
from accord.cli import context
from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.factories import OrgHandle, make_org

runner = CliRunner()
HEADER = "date,variant,segment,impressions,clicks,watch_seconds,get_help_clicks\n"
ROWS = (
    "2026-03-02,control,fr-fr,1000,20,600,2\n"
    "2026-03-02,peer,fr-fr,1000,31,900.5,4\n"
    "2026-03-03,control,fr-fr,1200,25,700,3\n"
    "2026-03-03,peer,fr-fr,1100,35,1000,5\n"
)


@pytest.fixture
def cli(settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the CLI at the test database and the frozen clock."""
    monkeypatch.setattr(context, "settings", lambda: settings)
    monkeypatch.setattr(context, "clock", lambda: clock)


@pytest.fixture
def org(factory: sessionmaker[Session], clock: FrozenClock) -> OrgHandle:
    with unit_of_work(factory) as session:
        return make_org(session, clock, "civil_society", name="Voices CLI")


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _create(org: OrgHandle) -> str:
    code, out, err = invoke("campaign", "create", "--org", org.name, "--name", "CLI campaign",
                            "--goal", "more get-help clicks", "--variant", "control:official:text:control",
                            "--variant", "peer:peer:story", "--segment", "fr-fr:FR:fr", "--json")
    assert code == 0, err
    return str(json.loads(out)["id"])


def test_create_from_options_and_from_a_json_file(cli: None, org: OrgHandle, tmp_path: Path) -> None:
    assert _create(org).startswith("cmp_")
    spec = tmp_path / "campaign.json"
    spec.write_text(json.dumps({
        "name": "From a file", "goal": "g",
        "variants": [{"key": "control", "control": True, "messenger": "peer", "format": "text"},
                     {"key": "former", "messenger": "former_extremist", "format": "video"}],
        "segments": [{"key": "fr-ar", "country": "FR", "language": "ar"}],
    }))
    code, out, err = invoke("campaign", "create", str(spec), "--org", org.id, "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == "From a file"
    code, out, _ = invoke("campaign", "list", "--org", org.id, "--json")
    assert {c["name"] for c in json.loads(out)} == {"CLI campaign", "From a file"}


def test_targeting_is_refused_on_one_line(cli: None, org: OrgHandle, tmp_path: Path) -> None:
    spec = tmp_path / "bad.json"
    spec.write_text(json.dumps({
        "name": "Bad", "variants": [{"key": "c", "control": True, "messenger": "peer", "format": "text"},
                                    {"key": "v", "messenger": "peer", "format": "video"}],
        "segments": [{"key": "s", "country": "FR", "religion": "muslim"}],
    }))
    code, _, err = invoke("campaign", "create", str(spec), "--org", org.id)
    assert code == 2
    assert err.startswith("error (segments[0].religion):")


def test_import_is_idempotent_and_audited_once(cli: None, org: OrgHandle, tmp_path: Path,
                                               factory: sessionmaker[Session]) -> None:
    campaign = _create(org)
    figures = tmp_path / "figures.csv"
    figures.write_text(HEADER + ROWS)
    code, out, err = invoke("campaign", "import", campaign, str(figures), "--json")
    assert code == 0, err
    assert json.loads(out) == {"inserted": 4, "updated": 0, "unchanged": 0}
    code, out, _ = invoke("campaign", "import", campaign, str(figures), "--json")
    assert json.loads(out) == {"inserted": 0, "updated": 0, "unchanged": 4}
    figures.write_text(HEADER + ROWS.replace("1100,35", "1100,36"))
    code, out, _ = invoke("campaign", "import", campaign, str(figures), "--json")
    assert json.loads(out) == {"inserted": 0, "updated": 1, "unchanged": 3}
    with factory() as session:
        tags = list(session.scalars(select(AuditEvent.tag).where(AuditEvent.tag.like("narratives:figure%"))))
    assert sorted(tags) == ["narratives:figure:update", "narratives:figures:import", "narratives:figures:import"]


def test_import_lists_every_problem_and_stores_nothing(cli: None, org: OrgHandle, tmp_path: Path,
                                                       factory: sessionmaker[Session]) -> None:
    campaign = _create(org)
    figures = tmp_path / "bad.csv"
    figures.write_text(HEADER + "2026-03-02,control,fr-fr,10,11,0,0\n2026-03-02,ghost,fr-fr,10,1,0,0\n"
                       "2026-02-30,peer,fr-fr,10,1,0,0\n")
    code, _, err = invoke("campaign", "import", campaign, str(figures))
    assert code == 2
    assert "line 2, clicks" in err and "line 3, variant" in err and "line 4, date" in err
    with factory() as session:
        count = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.tag == "narratives:figures:import"))
    assert count == 0


def test_report_prints_the_impact(cli: None, org: OrgHandle, tmp_path: Path) -> None:
    campaign = _create(org)
    figures = tmp_path / "figures.csv"
    figures.write_text(HEADER + ROWS)
    invoke("campaign", "import", campaign, str(figures))
    code, out, err = invoke("campaign", "report", campaign, "--json")
    assert code == 0, err
    report = json.loads(out)
    peer = next(c for c in report["cells"] if c["variant"] == "peer")
    assert peer["clicks"] == 66 and peer["impressions"] == 2100
    assert 0.5 < peer["p_beats_control"] < 1
    assert report["allocation"]["shares"]["control"] == pytest.approx(0.5)
    code, out, _ = invoke("campaign", "report", campaign)
    assert code == 0 and "stop rules" in out
    assert invoke("campaign", "report", "cmp_missing")[0] == 4
