"""UI sessions kept on the server, lockouts after failed logins, and a password check whose cost does not tell
which e-mail addresses are members'."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import NotAuthenticated
from accord.identity import service, sessions
from accord.identity.session_models import LoginThrottle, UiSession
from accord.jobs import registry
from accord.settings import Settings
from tests.factories import PASSWORD, OrgHandle, make_org

ADDRESS = "203.0.113.7"


@pytest.fixture
def member(factory: sessionmaker[Session], clock: FrozenClock) -> OrgHandle:
    with unit_of_work(factory) as session:
        return make_org(session, clock)


def _attempt(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, email: str, password: str,
             address: str | None = ADDRESS) -> sessions.Login | sessions.LoginRefused:
    with unit_of_work(factory) as session:
        return sessions.start_session(session, clock, settings, email=email, password=password, address=address)


def _fail(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, email: str, times: int,
          address: str | None = ADDRESS) -> None:
    for _ in range(times):
        assert isinstance(_attempt(factory, clock, settings, email, "not the password", address),
                          sessions.LoginRefused)


def test_five_failures_lock_the_account_even_against_the_right_password(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, member: OrgHandle) -> None:
    _fail(factory, clock, settings, member.email, 4, address="198.51.100.1")
    assert isinstance(_attempt(factory, clock, settings, member.email, PASSWORD, "198.51.100.1"), sessions.Login)
    _fail(factory, clock, settings, member.email, 5, address="198.51.100.2")
    refused = _attempt(factory, clock, settings, member.email, PASSWORD, address="198.51.100.3")
    assert isinstance(refused, sessions.LoginRefused)
    assert refused.retry_after == settings.login_lockout_seconds
    clock.advance(seconds=settings.login_lockout_seconds)
    assert isinstance(_attempt(factory, clock, settings, member.email, PASSWORD, "198.51.100.3"), sessions.Login)


def test_each_further_lockout_lasts_twice_as_long(factory: sessionmaker[Session], clock: FrozenClock,
                                                  settings: Settings, member: OrgHandle) -> None:
    waits = []
    for _ in range(3):
        _fail(factory, clock, settings, member.email, settings.login_max_failures, address=None)
        refused = _attempt(factory, clock, settings, member.email, PASSWORD, address=None)
        assert isinstance(refused, sessions.LoginRefused) and refused.retry_after is not None
        waits.append(refused.retry_after)
        clock.advance(seconds=refused.retry_after)
    assert waits == [60, 120, 240]
    with factory() as session:
        tags = session.scalars(select(AuditEvent.tag).where(AuditEvent.tag == "identity:login:lockout")).all()
    assert len(tags) == 3


def test_an_unknown_address_is_locked_like_a_real_one(factory: sessionmaker[Session], clock: FrozenClock,
                                                      settings: Settings, member: OrgHandle) -> None:
    _fail(factory, clock, settings, "nobody@example.org", settings.login_max_failures, address=None)
    refused = _attempt(factory, clock, settings, "nobody@example.org", "whatever", address=None)
    assert isinstance(refused, sessions.LoginRefused) and refused.retry_after == settings.login_lockout_seconds


def test_one_address_spraying_many_accounts_is_locked(factory: sessionmaker[Session], clock: FrozenClock,
                                                      settings: Settings, member: OrgHandle) -> None:
    for n in range(settings.login_max_failures):
        _fail(factory, clock, settings, f"guess{n}@example.org", 1)
    refused = _attempt(factory, clock, settings, member.email, PASSWORD)
    assert isinstance(refused, sessions.LoginRefused) and refused.retry_after is not None
    assert isinstance(_attempt(factory, clock, settings, member.email, PASSWORD, "192.0.2.9"), sessions.Login)


def test_failures_are_forgotten_after_the_window(factory: sessionmaker[Session], clock: FrozenClock,
                                                 settings: Settings, member: OrgHandle) -> None:
    _fail(factory, clock, settings, member.email, settings.login_max_failures - 1)
    clock.advance(seconds=settings.login_failure_window_seconds + 1)
    _fail(factory, clock, settings, member.email, settings.login_max_failures - 1)
    assert isinstance(_attempt(factory, clock, settings, member.email, PASSWORD), sessions.Login)


class CountingHasher(PasswordHasher):
    """Real argon2 that counts its verifications."""

    def __init__(self, **kwargs: int) -> None:
        super().__init__(**kwargs)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def counting() -> Iterator[CountingHasher]:
    cheap, hasher = service._hasher, CountingHasher(time_cost=1, memory_cost=1024, parallelism=1)
    service._hasher = hasher
    yield hasher
    service._hasher = cheap


def test_argon2_runs_once_for_unknown_and_known_addresses(factory: sessionmaker[Session], clock: FrozenClock,
                                                          settings: Settings, counting: CountingHasher) -> None:
    with unit_of_work(factory) as session:
        known = make_org(session, clock)
    for email in (known.email, "nobody@example.org"):
        before = counting.verified
        _attempt(factory, clock, settings, email, "not the password", address=None)
        assert counting.verified - before == 1, email


def _median_seconds(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, email: str) -> float:
    samples = []
    for _ in range(4):
        with factory() as session:  # rolled back: no failure is counted, so no lockout interferes
            started = time.perf_counter()
            sessions.start_session(session, clock, settings, email=email, password="not the password", address=None)
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def test_a_wrong_password_takes_as_long_for_an_unknown_address(factory: sessionmaker[Session],
                                                               clock: FrozenClock, settings: Settings) -> None:
    """With argon2's production cost, an unknown e-mail address costs what a known one does (today's code
    answered an unknown one in a fraction of a millisecond)."""
    cheap = service._hasher
    service._hasher = PasswordHasher()
    try:
        with unit_of_work(factory) as session:
            known = make_org(session, clock)
        _median_seconds(factory, clock, settings, "warm@example.org")  # make the dummy hash outside the timing
        known_s = _median_seconds(factory, clock, settings, known.email)
        unknown_s = _median_seconds(factory, clock, settings, "nobody@example.org")
    finally:
        service._hasher = cheap
    assert 0.5 < unknown_s / known_s < 2, (known_s, unknown_s)


def test_a_session_ends_at_logout_and_at_expiry(factory: sessionmaker[Session], clock: FrozenClock,
                                                settings: Settings, member: OrgHandle) -> None:
    first = _attempt(factory, clock, settings, member.email, PASSWORD)
    second = _attempt(factory, clock, settings, member.email, PASSWORD)
    assert isinstance(first, sessions.Login) and isinstance(second, sessions.Login)
    with unit_of_work(factory) as session:
        assert sessions.principal_for_session(session, clock, first.token).org_id == member.id
        sessions.end_session(session, clock, first.token)
        stored = session.scalars(select(UiSession.token_hash)).all()
    assert first.token not in stored and len(stored) == 2  # only digests are kept
    with factory() as session:
        with pytest.raises(NotAuthenticated):
            sessions.principal_for_session(session, clock, first.token)
        assert sessions.principal_for_session(session, clock, second.token).member_id is not None
        clock.advance(timedelta(hours=settings.session_max_age_hours))
        with pytest.raises(NotAuthenticated):
            sessions.principal_for_session(session, clock, second.token)
        with pytest.raises(NotAuthenticated):
            sessions.principal_for_session(session, clock, "")


def test_expired_sessions_go_when_the_member_logs_in_again(factory: sessionmaker[Session], clock: FrozenClock,
                                                           settings: Settings, member: OrgHandle) -> None:
    _attempt(factory, clock, settings, member.email, PASSWORD)
    clock.advance(timedelta(hours=settings.session_max_age_hours))
    latest = _attempt(factory, clock, settings, member.email, PASSWORD)
    assert isinstance(latest, sessions.Login)
    with factory() as session:
        assert session.scalars(select(UiSession.id)).all() == [latest.session_id]


def _purge(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> int:
    """The worker's periodic duty, as registered."""
    registry.load_all()
    every, duty = registry.DUTIES["identity.purge_logins"]
    assert every <= 24 * 3600
    with unit_of_work(factory) as session:
        return duty(registry.JobContext(session, clock, settings, "duty:identity.purge_logins"))


def test_forgotten_throttles_and_ended_sessions_are_purged(factory: sessionmaker[Session], clock: FrozenClock,
                                                           settings: Settings, member: OrgHandle) -> None:
    settings = settings.model_copy(update={"session_max_age_hours": 48})
    login = _attempt(factory, clock, settings, member.email, PASSWORD)
    assert isinstance(login, sessions.Login)
    _fail(factory, clock, settings, "nobody@example.org", settings.login_max_failures, address="198.51.100.9")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(LoginThrottle)) == 2
    assert _purge(factory, clock, settings) == 0  # a lockout is running
    clock.advance(hours=23)
    assert _purge(factory, clock, settings) == 0  # lockouts are remembered for a day: the next one would double
    clock.advance(hours=1, seconds=1)
    assert _purge(factory, clock, settings) == 2  # the two throttles; the session lasts longer
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(LoginThrottle)) == 0
        assert session.get(UiSession, login.session_id) is not None
    clock.advance(hours=24)
    assert _purge(factory, clock, settings) == 1
    with factory() as session:
        assert session.get(UiSession, login.session_id) is None
    # A purged row counted exactly like a forgotten one: the next lockout is the first again.
    _fail(factory, clock, settings, "nobody@example.org", settings.login_max_failures, address=None)
    refused = _attempt(factory, clock, settings, "nobody@example.org", "whatever", address=None)
    assert isinstance(refused, sessions.LoginRefused) and refused.retry_after == settings.login_lockout_seconds


def test_a_running_lockout_is_not_purged_however_old_its_failures(factory: sessionmaker[Session],
                                                                 clock: FrozenClock, settings: Settings) -> None:
    long = settings.model_copy(update={"login_lockout_seconds": 3 * 86400, "login_lockout_max_seconds": 3 * 86400})
    _fail(factory, clock, long, "nobody@example.org", long.login_max_failures, address=None)
    clock.advance(days=2)
    assert _purge(factory, clock, long) == 0
    refused = _attempt(factory, clock, long, "nobody@example.org", "whatever", address=None)
    assert isinstance(refused, sessions.LoginRefused) and refused.retry_after == 86400
    clock.advance(days=1)
    assert _purge(factory, clock, long) == 1
