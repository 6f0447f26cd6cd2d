"""The Transparency Database client against a local server that answers as the Database documents."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import InvalidInput
from accord.jobs import registry
from accord.jobs.worker import Worker
from accord.rights import profile
from accord.settings import Settings
from accord.transparency import tdb
from accord.transparency.models import Submission
from tests.factories import TEST_ACTOR, make_org
from tests.tdb_server import LocalDatabase
from tests.unit.transparency import decided

TOKEN = "X|test-token-for-the-local-database"


@pytest.fixture
def database() -> Iterator[LocalDatabase]:
    with LocalDatabase(TOKEN) as server:
        yield server


@pytest.fixture
def configured(settings: Settings, database: LocalDatabase) -> Settings:
    return settings.model_copy(update={"tdb_url": database.url, "tdb_token": SecretStr(TOKEN),
                                       "tdb_retry_base_seconds": 60.0})


@pytest.fixture
def provider(session: Session, clock: FrozenClock) -> str:
    return make_org(session, clock, "provider").id


def _submit(session: Session, clock: FrozenClock, settings: Settings, provider: str) -> tdb.SubmitReport:
    return tdb.submit(session, clock, settings, TEST_ACTOR, provider_id=provider)


def _states(session: Session, provider: str) -> dict[str, str]:
    return {s.puid: s.state for s in session.scalars(select(Submission).where(Submission.provider_id == provider))}


def test_batches_of_at_most_one_hundred_are_accepted_once(session: Session, clock: FrozenClock, provider: str,
                                                         configured: Settings, database: LocalDatabase) -> None:
    made = decided.statements(session, clock, provider, 130)
    report = _submit(session, clock, configured, provider)
    assert database.database.calls == [100, 30]
    assert report.accepted == 130 and report.pending == 0 and report.calls == 2
    submissions = session.scalars(select(Submission).where(Submission.provider_id == provider)).all()
    assert {s.puid for s in submissions} == {s.body["puid"] for s in made if s.body} == set(database.database.stored)
    assert all(s.tdb_uuid == database.database.stored[s.puid] for s in submissions)
    again = _submit(session, clock, configured, provider)
    assert database.database.calls == [100, 30] and again.calls == 0 and again.accepted == 0


def test_a_duplicate_puid_counts_as_already_submitted(session: Session, clock: FrozenClock, provider: str,
                                                      configured: Settings, database: LocalDatabase) -> None:
    made = decided.statements(session, clock, provider, 3)
    first = made[0].body
    assert first is not None
    database.database.stored[first["puid"]] = "uuid-from-a-call-whose-answer-was-lost"
    report = _submit(session, clock, configured, provider)
    assert report.duplicates == 1 and report.accepted == 2 and report.pending == 0
    assert database.database.calls == [3, 2]
    duplicate = session.get(Submission, made[0].id)
    assert duplicate is not None and duplicate.state == "accepted" and duplicate.duplicate


def test_a_refused_statement_is_rejected_with_its_errors_and_the_others_go_through(
        session: Session, clock: FrozenClock, provider: str, configured: Settings, database: LocalDatabase) -> None:
    made = decided.statements(session, clock, provider, 3)
    broken = made[1]
    assert broken.body is not None
    broken.body = {**broken.body, "content_language": "XX"}  # a body the Database's rules refuse
    session.flush()
    report = _submit(session, clock, configured, provider)
    assert report.rejected == 1 and report.accepted == 2
    rejected = session.get(Submission, broken.id)
    assert rejected is not None and rejected.state == "rejected" and "content_language" in rejected.errors
    assert broken.body["puid"] not in database.database.stored
    rows = tdb.statuses(session, provider, state="rejected")
    assert [r["statement_id"] for r in rows] == [broken.id] and rows[0]["errors"]["content_language"]
    calls = list(database.database.calls)
    _submit(session, clock, configured, provider)
    assert database.database.calls == calls  # a rejected statement is not posted again on its own


def test_an_unavailable_database_is_retried_with_backoff(session: Session, clock: FrozenClock, provider: str,
                                                         configured: Settings, database: LocalDatabase) -> None:
    decided.statements(session, clock, provider, 2)
    database.database.fail_next = 2
    first = _submit(session, clock, configured, provider)
    assert first.pending == 2 and first.errors and "503" in first.errors[0]
    waiting = _submit(session, clock, configured, provider)
    assert waiting.calls == 0  # the wait is not over
    clock.advance(seconds=61)
    second = _submit(session, clock, configured, provider)
    assert second.calls == 1 and second.pending == 2  # failed again: now it waits two minutes
    clock.advance(seconds=61)
    assert _submit(session, clock, configured, provider).calls == 0
    clock.advance(seconds=60)
    third = _submit(session, clock, configured, provider)
    assert third.accepted == 2 and third.pending == 0
    assert set(_states(session, provider).values()) == {"accepted"}


def test_a_wrong_token_leaves_everything_pending(session: Session, clock: FrozenClock, provider: str,
                                                 configured: Settings, database: LocalDatabase) -> None:
    decided.statements(session, clock, provider, 1)
    wrong = configured.model_copy(update={"tdb_token": SecretStr("X|wrong")})
    report = _submit(session, clock, wrong, provider)
    assert report.pending == 1 and "401" in report.errors[0] and database.database.stored == {}
    assert _submit(session, clock, configured, provider).accepted == 1  # no wait once the token is right


def test_backoff_doubles_up_to_six_hours() -> None:
    assert [tdb.backoff(n, 60).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert tdb.backoff(30, 60) == timedelta(hours=6)


def test_without_a_configured_database_nothing_is_posted(session: Session, clock: FrozenClock, provider: str,
                                                         settings: Settings) -> None:
    with pytest.raises(InvalidInput):
        _submit(session, clock, settings, provider)


def test_a_micro_or_small_provider_is_exempt_and_told_why(session: Session, clock: FrozenClock, provider: str,
                                                          configured: Settings, database: LocalDatabase) -> None:
    decided.statements(session, clock, provider, 2)
    profile.set_micro_small(session, clock, TEST_ACTOR, org_id=provider, micro_small=True)
    report = _submit(session, clock, configured, provider)
    assert report.exempt is not None and "Art. 19(1)" in report.exempt and "24(5)" in report.exempt
    assert database.database.calls == [] and _states(session, provider) == {}
    assert {r["state"] for r in tdb.statuses(session, provider)} == {"exempt"}


def test_each_call_is_audited(session: Session, clock: FrozenClock, provider: str, configured: Settings,
                              database: LocalDatabase) -> None:
    made = decided.statements(session, clock, provider, 2)
    _submit(session, clock, configured, provider)
    events = session.scalars(select(AuditEvent).where(AuditEvent.tag == "transparency:statements:submit")).all()
    assert len(events) == 1 and sorted(events[0].payload["accepted"]) == sorted(s.id for s in made)


def test_the_worker_duty_submits_what_is_pending(factory: sessionmaker[Session], clock: FrozenClock,
                                                 configured: Settings, database: LocalDatabase) -> None:
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider").id
        decided.statements(session, clock, provider, 3)
    registry.load_all()
    worker = Worker(factory, clock, configured)
    worker.run_duties(0.0)
    assert database.database.calls == [3]
    with unit_of_work(factory) as session:
        assert set(_states(session, provider).values()) == {"accepted"}
    worker.run_duties(301.0)
    assert database.database.calls == [3]
