"""``accord training ...`` against a real database: a set, a golden case from a decision, answers, accuracy,
the rule refusing ``accord case next`` (one-line error, non-zero exit) until the reviewer passes; and the demo's
trainee calibration."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord import demo
from accord.cases import decisions, service
from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows import decisions as flows
from accord.identity import service as identity
from accord.identity.models import Member
from accord.identity.service import member_principal
from accord.settings import Settings
from accord.training import practice, sets
from tests.factories import TEST_ACTOR, make_org


def _decided(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> tuple[str, str, str]:
    """A provider with one decided case and one waiting; its admin's e-mail, the decision id, the org name."""
    with unit_of_work(factory) as session:
        video = make_org(session, clock, "provider")
        member = session.scalar(select(Member).where(Member.email == video.email))
        assert member is not None
        case, _ = service.open_case_from_match(session, clock, TEST_ACTOR, provider_id=video.id, signal_type="md5",
                                               value="c" * 32, urls=["https://video.example.org/v/1"])
        decision = flows.decide(session, clock, member_principal(session, member), case.id, decisions.DecisionInput(
            action="remove", ground="TCO Art. 2(7)(a)", facts="glorifies the attack"), settings=settings)
        service.open_case_from_match(session, clock, TEST_ACTOR, provider_id=video.id, signal_type="md5",
                                     value="d" * 32)
        return video.email, decision.id, video.name


def _json(cli: CliRunner, *args: str) -> object:
    result = cli.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_set_from_a_decision_answers_accuracy_and_the_rule(cli: CliRunner, factory: sessionmaker[Session],
                                                            clock: FrozenClock, settings: Settings) -> None:
    email, decision_id, org = _decided(factory, clock, settings)
    made = _json(cli, "training", "create-set", "ours", "--admin", email)
    assert isinstance(made, dict)
    golden = _json(cli, "training", "from-decision", made["id"], decision_id, "--admin", email)
    assert isinstance(golden, dict) and golden["reference_action"] == "remove"
    assert _json(cli, "training", "rule", "--admin", email, "--required", "--cases", "1")
    # The admin decided a live case before the rule: not a new reviewer. A new one is held back.
    with unit_of_work(factory) as session:
        identity.add_member(session, clock, TEST_ACTOR, org_id=_org_id(session, email), email="new@example.org",
                            name="New", role="reviewer", password="correct horse battery staple")
    refused = cli.invoke(app, ["case", "next", "--reviewer", "new@example.org", "--json"])
    assert refused.exit_code != 0 and "calibration" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    answered = _json(cli, "training", "answer", made["id"], golden["id"], "--reviewer", "new@example.org",
                     "--action", "remove")
    assert isinstance(answered, dict) and answered["correct"] and answered["calibration_passed"]
    taken = _json(cli, "case", "next", "--reviewer", "new@example.org")
    assert isinstance(taken, dict) and taken["id"]
    rows = _json(cli, "training", "accuracy", "--org", org)
    assert isinstance(rows, list) and [(r["answered"], r["accuracy"]) for r in rows] == [(1, 1.0)]
    assert _json(cli, "case", "next", "--reviewer", email) == []  # not refused (exit 0): nothing else waits


def _org_id(session: Session, email: str) -> str:
    member = session.scalar(select(Member).where(Member.email == email))
    assert member is not None
    return member.org_id


def test_demo_has_a_trainee_calibration(factory: sessionmaker[Session], clock: FrozenClock,
                                         settings: Settings) -> None:
    with unit_of_work(factory) as session:
        world = demo.seed(session, clock, settings)
        assert world is not None
        forum = world.orgs["forumnest"].id
        figures = {a.reviewer: a for a in practice.agreement(session, forum)}
        status = {ref: practice.calibration(session, forum, ref) for ref in figures}
        shared = [s for s in sets.visible_sets(session, forum) if s.visibility == "all"]
    assert len(figures) == 2 and shared
    assert sorted((a.answered, a.correct) for a in figures.values()) == [(3, 2), (6, 5)]
    assert sorted(s.passed for s in status.values()) == [False, True]
    assert all(s.required for s in status.values())
    assert next(a.kappa for a in figures.values() if a.answered == 6) == 0.7
