"""Group commit of notice intake: each submission its own answer, one transaction per group, deconfliction inside
a group, and a failed group retried one notice at a time so that only the culprit fails."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.audit.service import verify
from accord.cases.models import Case
from accord.clock import FrozenClock
from accord.errors import Conflict, DomainError, InvalidInput, NotAuthenticated, PermissionDenied
from accord.notices import intake, kinds
from accord.notices import service as notices
from accord.notices.models import Notice
from accord.settings import Settings
from tests.factories import OrgHandle, make_org
from tests.unit.notices.helpers import payload


@pytest.fixture
def world(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with factory.begin() as session:
        return {"iru": make_org(session, clock, "authority", country="FR"),
                "iru2": make_org(session, clock, "authority", country="FR"),
                "host": make_org(session, clock, "provider", country="FR"),
                "other": make_org(session, clock, "provider", country="FR")}


def _submission(token: str | None, data: dict[str, Any]) -> intake.Submission:
    try:
        clean: kinds.CleanNotice | DomainError = kinds.validate(data)
    except DomainError as exc:
        clean = exc
    return intake.Submission(token, clean)


def _count(factory: sessionmaker[Session], model: type[Any]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_each_submission_gets_its_own_answer_and_refusals_leave_nothing(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, world: dict[str, OrgHandle]) -> None:
    iru, host = world["iru"], world["host"]
    group = [
        _submission(iru.key, payload("removal_order", host.id, "https://v.example/1")),
        _submission("acc_nope_nope", payload("removal_order", host.id, "https://v.example/2")),
        _submission(iru.key, {**payload("removal_order", host.id, "https://v.example/3"), "tco_types": ["nope"]}),
        _submission(iru.key, payload("removal_order", world["other"].id, "https://v.example/4", emergency=False)),
        _submission(host.key, payload("removal_order", world["other"].id, "https://v.example/5")),
        _submission(None, payload("user_report", host.id, "https://v.example/6")),
    ]
    with factory.begin() as session:
        answers = intake.receive_group(session, clock, settings, group)
    kinds_of = [type(a) for a in answers]
    assert kinds_of == [intake.Accepted, NotAuthenticated, InvalidInput, Conflict, PermissionDenied, intake.Accepted]
    first, report = answers[0], answers[5]
    assert isinstance(first, intake.Accepted) and first.principal is not None
    assert first.principal.org_id == iru.id and first.notice.deadline_at is not None
    assert isinstance(report, intake.Accepted) and report.principal is None
    assert isinstance(answers[2], InvalidInput) and answers[2].field == "tco_types"
    assert _count(factory, Notice) == 2 and _count(factory, Case) == 2
    with factory() as session:
        assert verify(session)[1] is None


def test_a_bad_key_is_refused_before_a_bad_body(factory: sessionmaker[Session], clock: FrozenClock,
                                                settings: Settings, world: dict[str, OrgHandle]) -> None:
    bad = _submission("acc_nope_nope", {"kind": "removal_order"})
    with factory.begin() as session:
        [answer] = intake.receive_group(session, clock, settings, [bad])
    assert isinstance(answer, NotAuthenticated)


def test_two_authorities_on_one_url_in_one_group_make_one_case(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, world: dict[str, OrgHandle]) -> None:
    url = "https://video.example.org/watch/77?utm_source=x"
    group = [_submission(world["iru"].key, payload("removal_order", world["host"].id, url)),
             _submission(world["iru2"].key, payload("removal_order", world["host"].id,
                                                    "https://VIDEO.example.org/watch/77"))]
    with factory.begin() as session:
        answers = intake.receive_group(session, clock, settings, group)
    ids = {a.notice.case_id for a in answers if isinstance(a, intake.Accepted)}
    assert len(ids) == 1 and _count(factory, Case) == 1 and _count(factory, Notice) == 2


def test_waiting_submissions_are_committed_as_one_group(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, world: dict[str, OrgHandle]) -> None:
    committer = intake.GroupIntake(factory, clock, settings)
    futures = []
    with committer._ready:  # the writer cannot take anything until all ten are waiting
        for n in range(10):
            data = payload("removal_order", world["host"].id, f"https://v.example/g/{n}", reference=f"G-{n}")
            futures.append(committer.submit(world["iru"].key, kinds.validate(data)))
    answers = [f.result(timeout=30) for f in futures]
    assert [a.notice.reference for a in answers] == [f"G-{n}" for n in range(10)]
    assert (committer.groups, committer.notices) == (1, 10)
    with factory() as session:
        events = session.scalars(select(AuditEvent.tag).where(AuditEvent.tag == "notices:notice:receive")).all()
        assert len(events) == 10 and verify(session)[1] is None


def test_a_group_that_fails_is_retried_one_by_one(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, world: dict[str, OrgHandle],
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = notices.receive_clean

    def flaky(session: Session, *args: Any, **kwargs: Any) -> Notice:
        notice = real(session, *args, **kwargs)
        if notice.reference == "BROKEN":
            raise RuntimeError("the database went away")
        return notice

    monkeypatch.setattr(intake, "receive_clean", flaky)
    committer = intake.GroupIntake(factory, clock, settings)
    refs = ["A", "BROKEN", "C"]
    with committer._ready:
        futures = [committer.submit(world["iru"].key, kinds.validate(
            payload("removal_order", world["host"].id, f"https://v.example/r/{r}", reference=r))) for r in refs]
    assert futures[0].result(timeout=30).notice.reference == "A"
    with pytest.raises(RuntimeError, match="went away"):
        futures[1].result(timeout=30)
    assert futures[2].result(timeout=30).notice.reference == "C"
    with factory() as session:
        assert sorted(session.scalars(select(Notice.reference))) == ["A", "C"]
        assert verify(session)[1] is None


def test_concurrent_senders_are_all_answered(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, world: dict[str, OrgHandle]) -> None:
    committer = intake.GroupIntake(factory, clock, settings, max_group=4)
    results: list[str] = []
    lock = threading.Lock()

    def send(thread: int) -> None:
        for n in range(5):
            data = payload("referral", world["host"].id, f"https://v.example/c/{thread}/{n}")
            notice = committer.submit(world["iru"].key, kinds.validate(data)).result(timeout=60).notice
            with lock:
                results.append(notice.id)

    threads = [threading.Thread(target=send, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 30 and committer.notices == 30 and committer.groups <= 30
    assert _count(factory, Notice) == 30


def test_the_writer_ends_when_idle_and_a_new_one_starts(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, world: dict[str, OrgHandle]) -> None:
    committer = intake.GroupIntake(factory, clock, settings, idle_seconds=0.01)
    data = payload("referral", world["host"].id)
    committer.submit(world["iru"].key, kinds.validate(data)).result(timeout=30)
    writers = [t for t in threading.enumerate() if t.name == "accord-intake"]
    for writer in writers:
        writer.join(timeout=10)
    assert not committer._running
    again = committer.submit(world["iru"].key, kinds.validate({**data, "urls": ["https://v.example/2"]}))
    assert again.result(timeout=30).notice.status == "received"
