"""``accord notice send|import|list`` against a real database, and the demo seeder's notices."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cases.models import Decision, Statement
from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.demo import DemoWorld
from accord.demo import flows as flows_demo
from accord.demo import notices as demo
from accord.identity.models import Organisation
from accord.notices.models import Notice
from accord.rights.models import PreservedItem, UserNotice
from accord.settings import Settings
from tests.factories import make_org


def test_send_list_and_import(cli: CliRunner, factory: sessionmaker[Session], clock: FrozenClock,
                              tmp_path: Path) -> None:
    with unit_of_work(factory) as session:
        iru = make_org(session, clock, "authority")
        video = make_org(session, clock, "provider")
    sent = cli.invoke(app, ["notice", "send", "--as", iru.name, "--provider", video.name, "--url",
                            "https://v.example/1", "--reasons", "Incites", "--tco-type", "incitement",
                            "--legal-basis", "TCO Art. 3", "--redress-body", "Court", "--emergency-reason", "Now",
                            "--reference", "R-1", "--json"])
    assert sent.exit_code == 0, sent.output
    notice = json.loads(sent.output)
    assert notice["kind"] == "removal_order" and notice["deadline_at"]
    listed = json.loads(cli.invoke(app, ["notice", "list", "--as", video.id, "--json"]).output)
    assert [n["id"] for n in listed] == [notice["id"]]
    file = tmp_path / "day.jsonl"
    good = {"kind": "referral", "provider_id": video.id, "urls": ["https://v.example/2"], "reasons": "R",
            "clause": "4.2"}
    file.write_text(json.dumps(good) + "\n" + json.dumps({**good, "clause": ""}) + "\n")
    imported = cli.invoke(app, ["notice", "import", str(file), "--as", iru.id, "--json"])
    assert imported.exit_code == 2
    report = json.loads(imported.output)
    assert report["accepted"] == 1 and report["lines"][1]["field"] == "clause"
    with factory() as session:
        assert len(session.scalars(select(Notice)).all()) == 2


def test_refused_send_is_one_line_on_stderr(cli: CliRunner, factory: sessionmaker[Session],
                                            clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        ngo = make_org(session, clock, "trusted_flagger")
        video = make_org(session, clock, "provider")
    result = cli.invoke(app, ["notice", "send", "--as", ngo.id, "--provider", video.id, "--kind", "trusted_flag",
                              "--url", "nope", "--reasons", "x"])
    assert result.exit_code != 0


def test_demo_notices_count_down_breach_and_answer(factory: sessionmaker[Session], clock: FrozenClock,
                                                   settings: Settings) -> None:
    world = DemoWorld()
    with unit_of_work(factory) as session:
        for slug, kind, country in (("iru", "authority", "FR"), ("smallvideo", "provider", "DE"),
                                    ("forumnest", "provider", "IE"), ("civicwatch", "trusted_flagger", "NL"),
                                    ("hub", "coordinator", "BE")):
            world.orgs[slug] = session.get_one(Organisation, make_org(session, clock, kind, country=country).id)
        demo.seed(session, clock, settings, world)
        flows_demo.seed(session, clock, settings, world)  # the order answered directly, with its legal record
    with factory() as session:
        notices = session.scalars(select(Notice)).all()
        assert {n.kind for n in notices} == {"removal_order", "referral", "trusted_flag", "user_report", "alert"}
        running = [n for n in notices if n.binding and n.status == "received" and n.breached_at is None]
        assert len(running) == 3 and all(n.deadline_at and n.deadline_at > clock.now() for n in running)
        assert sum(1 for n in notices if n.breached_at) == 1
        [answered] = [n for n in notices if n.outcome == "removed" and n.binding]
        decision = session.scalars(select(Decision).where(Decision.case_id == answered.case_id)).one()
        statement = session.get_one(Statement, decision.statement_id)
        assert statement.elements["legal_ground"]["reference"].endswith(answered.reference)
        assert session.scalars(select(PreservedItem).where(PreservedItem.decision_id == decision.id)).one()
        told = session.scalars(select(UserNotice).where(UserNotice.decision_id == decision.id)).one()
        assert told.state == "held" and told.nondisclosure_until == answered.nondisclosure_until
