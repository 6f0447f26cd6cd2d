"""UI logins kept on the server: sessions that a logout revokes, lockouts after failed logins, and a password
check that costs as much for an e-mail address no member has as for a known one.

A login answers with a random token for the browser's cookie; only its SHA-256 is stored. Failed logins are
counted per e-mail address and per client address: ``login_max_failures`` in a row lock that key for
``login_lockout_seconds``, doubling with each further lockout up to ``login_lockout_max_seconds``. Addresses no
member has are counted and locked exactly like real ones, and argon2 runs against a dummy hash for them, so
neither the answer, the lockout nor the time taken tells an attacker which accounts exist.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import new_id
from accord.errors import NotAuthenticated
from accord.identity import service
from accord.identity.models import Member
from accord.identity.service import Principal, principal_for_member_id
from accord.identity.session_models import LoginThrottle, UiSession
from accord.settings import Settings

WRONG = "email or password is wrong"
# Lockouts are forgotten after a day without failures; failures after ``login_failure_window_seconds``.
_LOCKOUT_MEMORY = timedelta(days=1)


@dataclass(frozen=True)
class Login:
    """A successful login: who, and the token for the cookie (shown once, stored as a digest)."""

    principal: Principal
    token: str
    session_id: str


@dataclass(frozen=True)
class LoginRefused:
    """A refused login; ``retry_after`` (seconds) is set while the account or the address is locked."""

    detail: str
    retry_after: int | None = None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _throttle_keys(email: str, address: str | None) -> list[str]:
    keys = [f"account:{_digest(email)}"]
    if address:
        keys.append(f"address:{address[:90]}")
    return keys


# ---- the password check ------------------------------------------------------------------------------------

# One dummy hash per hasher (the tests swap in a cheaper one): made with the hasher's own cost parameters.
_DUMMY: dict[PasswordHasher, str] = {}


def _dummy_hash() -> str:
    """A hash, made by the current hasher, of a password nobody knows."""
    hasher = service._hasher
    if hasher not in _DUMMY:
        _DUMMY[hasher] = hasher.hash(secrets.token_urlsafe(24))
    return _DUMMY[hasher]


def _password_matches(member: Member | None, password: str) -> bool:
    """Run argon2 exactly once whether or not the member exists or is active."""
    usable = member is not None and member.active
    stored = member.password_hash if member is not None and usable else _dummy_hash()
    return service._password_ok(stored, password) and usable


# ---- lockouts ------------------------------------------------------------------------------------------------


def _seconds_locked(session: Session, keys: list[str], now: datetime) -> int | None:
    until = [row.locked_until for key in keys if (row := session.get(LoginThrottle, key)) is not None
             and row.locked_until is not None and row.locked_until > now]
    return math.ceil((max(until) - now).total_seconds()) if until else None


def _throttle_row(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The key's row, created if missing, locked for this transaction (two failures at once both count)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(LoginThrottle).values(key=key, failures=0, lockouts=0, last_failure_at=now)
                    .on_conflict_do_nothing())
    return session.scalars(select(LoginThrottle).where(LoginThrottle.key == key)
                           .with_for_update().execution_options(populate_existing=True)).one()


def _count_failure(row: LoginThrottle, now: datetime, settings: Settings) -> bool:
    """One more failure; True when it starts a lockout."""
    if now - row.last_failure_at > timedelta(seconds=settings.login_failure_window_seconds):
        row.failures = 0
    if now - row.last_failure_at > _LOCKOUT_MEMORY:
        row.lockouts = 0
    row.failures += 1
    row.last_failure_at = now
    if row.failures < settings.login_max_failures:
        return False
    seconds = min(settings.login_lockout_seconds * 2 ** row.lockouts, settings.login_lockout_max_seconds)
    row.locked_until = now + timedelta(seconds=seconds)
    row.lockouts += 1
    row.failures = 0
    return True


def _fail(session: Session, clock: Clock, settings: Settings, keys: list[str], member: Member | None) -> None:
    now = clock.now()
    for key in keys:
        row = _throttle_row(session, key, now)
        if _count_failure(row, now, settings):
            assert row.locked_until is not None  # a lockout just began
            record(session, clock, Actor("public:login", None), Event.IDENTITY_LOGIN_LOCKOUT,
                   subject=key.split(":", 1)[0], org_id=member.org_id if member is not None else None,
                   payload={"key": key.split(":", 1)[0], "member_id": member.id if member is not None else None,
                            "until": row.locked_until.isoformat(), "lockouts": row.lockouts})


def _forget_failures(session: Session, key: str) -> None:
    row = session.get(LoginThrottle, key)
    if row is not None:
        row.failures, row.lockouts, row.locked_until = 0, 0, None


def purge_expired(session: Session, clock: Clock, settings: Settings) -> int:
    """Delete the throttle rows that no longer hold anything (no lockout running, failures and lockouts both
    forgotten: a row then counts exactly like a missing one) and the sessions that have expired. Returns how
    many rows went. The worker runs it as a periodic duty (``identity/jobs.py``)."""
    now = clock.now()
    forgotten = now - max(_LOCKOUT_MEMORY, timedelta(seconds=settings.login_failure_window_seconds))
    throttles = session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < forgotten,
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until <= now)))
    ended = session.execute(delete(UiSession).where(UiSession.expires_at <= now))
    return int(getattr(throttles, "rowcount", 0)) + int(getattr(ended, "rowcount", 0))


# ---- sessions ------------------------------------------------------------------------------------------------


def start_session(session: Session, clock: Clock, settings: Settings, *, email: str, password: str,
                  address: str | None) -> Login | LoginRefused:
    """Check a member's password and open a session, unless the e-mail or the client address is locked.

    The caller commits either way: a refusal has counted the failure."""
    email = email.strip().lower()
    keys = _throttle_keys(email, address)
    locked = _seconds_locked(session, keys, clock.now())
    if locked is not None:
        return LoginRefused(f"too many failed logins; try again in {math.ceil(locked / 60)} min", locked)
    member = session.scalar(select(Member).where(Member.email == email))
    if not _password_matches(member, password):
        _fail(session, clock, settings, keys, member)
        return LoginRefused(WRONG)
    assert member is not None  # a matching password means a member
    _forget_failures(session, keys[0])  # the address keeps its count: one good login must not reset a spray
    return _open(session, clock, settings, member)


def _open(session: Session, clock: Clock, settings: Settings, member: Member) -> Login:
    now = clock.now()
    member.last_login_at = now
    # The member's ended sessions go as a new one starts (their start and end stay in the audit trail).
    session.execute(delete(UiSession).where(UiSession.member_id == member.id, UiSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    row = UiSession(id=new_id("ses"), token_hash=_digest(token), org_id=member.org_id, member_id=member.id,
                    created_at=now, expires_at=now + timedelta(hours=settings.session_max_age_hours))
    session.add(row)
    session.flush()
    record(session, clock, Actor(f"member:{member.id}", member.org_id), Event.IDENTITY_SESSION_START,
           subject=row.id, org_id=member.org_id, payload={"expires_at": row.expires_at.isoformat()})
    return Login(service.member_principal(session, member), token, row.id)


def _live(session: Session, clock: Clock, token: str) -> UiSession:
    row = session.scalar(select(UiSession).where(UiSession.token_hash == _digest(token))) if token else None
    if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
        raise NotAuthenticated("please log in")
    return row


def principal_for_session(session: Session, clock: Clock, token: str) -> Principal:
    """The member a live session belongs to; NotAuthenticated for an unknown, expired or revoked one."""
    return principal_for_member_id(session, _live(session, clock, token).member_id)


def end_session(session: Session, clock: Clock, token: str) -> None:
    """Logout: the session is revoked on the server, so a copy of the cookie opens nothing afterwards."""
    row = _live(session, clock, token)
    row.revoked_at = clock.now()
    record(session, clock, Actor(f"member:{row.member_id}", row.org_id), Event.IDENTITY_SESSION_END,
           subject=row.id, org_id=row.org_id)
