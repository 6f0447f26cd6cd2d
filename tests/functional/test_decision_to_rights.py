"""Order to action, last step: a removal preserves the content's data and tells the uploader (TCO Art. 6, 11)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.cases import decisions, intake
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows import decisions as flows
from accord.identity.service import authenticate_key
from accord.jobs.models import Job
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.rights.models import PreservedItem, UserNotice
from accord.settings import Settings
from tests.factories import TEST_ACTOR, make_org


def _decide(factory: sessionmaker[Session], clock: FrozenClock, action: str, uploader: str | None) -> str:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
        case, _ = intake.open_or_join(session, clock, TEST_ACTOR, provider_id=org.id, source="user_report",
                                      content_keys=["https://host.example/v/1"], urls=["https://host.example/v/1"],
                                      title="video 1")
        case.uploader_ref = uploader
        principal = authenticate_key(session, clock, org.key)
        decision = flows.decide(session, clock, principal, case.id, decisions.DecisionInput(
            action=action, ground="Terms 4.2 (terrorist content)", facts="Glorifies an attack.",
            ground_kind="terms"))
        return decision.id


def _count(factory: sessionmaker[Session], model: type[PreservedItem] | type[UserNotice], decision_id: str) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(model.decision_id == decision_id)) or 0


def test_removal_is_preserved_and_the_uploader_told(factory: sessionmaker[Session], clock: FrozenClock,
                                                    settings: Settings) -> None:
    load_all()
    decision_id = _decide(factory, clock, "remove", "uploader-42@example.org")
    worker = Worker(factory, clock, settings)
    assert worker.drain() >= 1
    assert _count(factory, PreservedItem, decision_id) == 1
    assert _count(factory, UserNotice, decision_id) == 1
    with factory() as session:
        notice = session.scalars(select(UserNotice).where(UserNotice.decision_id == decision_id)).one()
        assert notice.state == "sent" and "Terms 4.2" in notice.text and "Glorifies" in notice.text
        job = session.scalars(select(Job).where(Job.kind == "rights.after_decision")).one()
        job.state = "pending"  # a retried job (say, after a worker died) must not preserve or notify twice
        session.commit()
    worker.drain()
    assert _count(factory, PreservedItem, decision_id) == 1
    assert _count(factory, UserNotice, decision_id) == 1


def test_no_action_keeps_nothing(factory: sessionmaker[Session], clock: FrozenClock) -> None:
    decision_id = _decide(factory, clock, "no_action", "uploader-43@example.org")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == "rights.after_decision")) == 0
    assert _count(factory, PreservedItem, decision_id) == 0
