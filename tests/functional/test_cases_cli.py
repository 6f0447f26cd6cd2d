"""``accord case list|next|decide`` against a real database, and the demo seeder's review data."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord import demo
from accord.cases import quality, service
from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.factories import TEST_ACTOR, make_org


def test_list_next_and_decide(cli: CliRunner, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        video = make_org(session, clock, "provider")
        case, _ = service.open_case_from_match(session, clock, TEST_ACTOR, provider_id=video.id,
                                               signal_type="md5", value="f" * 32)
    listed = cli.invoke(app, ["case", "list", "--org", video.name, "--json"])
    assert listed.exit_code == 0, listed.output
    assert [row["id"] for row in json.loads(listed.output)] == [case.id]
    taken = cli.invoke(app, ["case", "next", "--reviewer", video.email, "--json"])
    assert taken.exit_code == 0 and json.loads(taken.output)["id"] == case.id
    refused = cli.invoke(app, ["case", "decide", case.id, "--reviewer", video.email, "--action", "disable",
                               "--ground", "Terms §2", "--facts", "x", "--json"])
    assert refused.exit_code != 0
    decided = cli.invoke(app, ["case", "decide", case.id, "--reviewer", video.email, "--action", "disable",
                               "--country", "DE", "--ground", "Terms §2", "--facts", "banned emblem", "--json"])
    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.output)["statement_id"].startswith("sor_")
    empty = cli.invoke(app, ["case", "next", "--reviewer", video.email, "--json"])
    assert empty.exit_code == 0 and json.loads(empty.output) == []


def test_demo_has_queues_waiting_cases_and_quality_figures(factory: sessionmaker[Session], clock: FrozenClock,
                                                           settings: Settings) -> None:
    with unit_of_work(factory) as session:
        world = demo.seed(session, clock, settings)
        assert world is not None
        org_id = world.orgs["smallvideo"].id
        waiting = service.list_cases(session, clock, org_id)
        figures = quality.agreement(session, org_id)
    assert len(waiting) >= 5
    assert figures["overall"]["count"] == 6 and figures["overall"]["kappa"] is not None
