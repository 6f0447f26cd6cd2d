"""API keys authenticated from a short-lived in-process cache.

Every ``/v1`` request authenticates its bearer key. Reading the key and its organisation costs a round trip
and a transaction, which is most of what a miss on ``POST /v1/match`` would otherwise cost. So a process
remembers each key it has authenticated for ``api_key_cache_seconds`` (5 s by default; 0 turns caching off).

Revocation must still reach every process at once:

- in the process that revokes, the commit that sets ``revoked_at`` (or changes the scopes) bumps the
  process-wide key *generation*, and every cached key of an older generation is read again;
- on PostgreSQL, a trigger on ``api_keys`` (migration 0018) NOTIFYs ``accord_api_keys`` in the revoking
  transaction, whichever process or tool revokes (the API, the CLI, SQL); each web process LISTENs on a
  connection of its own and bumps its generation when the notification arrives, milliseconds after the commit;
- on SQLite there is no such broadcast: another process (``accord keys revoke`` from a shell) refuses the key
  within ``api_key_cache_seconds`` at most, once its cached entry expires.

A key read while a revocation commits is only cached when the generation did not move during the read, so a
cache never keeps a principal older than the last notification it saw. Only valid keys are cached.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Mapper, Session, object_session, sessionmaker
from sqlalchemy.orm.attributes import get_history

from accord.clock import Clock
from accord.db import unit_of_work
from accord.identity.models import ApiKey
from accord.identity.service import Principal, authenticate_key

CHANNEL = "accord_api_keys"
"""The PostgreSQL NOTIFY channel a change to a key's revocation or scopes is announced on."""
_CHANGED = "accord.keycache.changed"
_RECONNECT_SECONDS = 1.0
_READY_SECONDS = 2.0
log = logging.getLogger(__name__)

_counter = itertools.count(1)
_generation = [0]
_bumped = threading.Condition()


def generation() -> int:
    """The process's key generation: it moves whenever some key may have been revoked."""
    return _generation[0]


def bump() -> None:
    """Forget every cached key of this process (``next`` on a count is atomic under the GIL)."""
    with _bumped:
        _generation[0] = next(_counter)
        _bumped.notify_all()


def wait_for_bump(seen: int, timeout: float) -> bool:
    """Block until the generation moves past ``seen`` (a notification arrived) or ``timeout`` passes."""
    with _bumped:
        return _bumped.wait_for(lambda: _generation[0] != seen, timeout)


@event.listens_for(ApiKey, "after_update")
def _key_updated(_mapper: Mapper[Any], _connection: Any, key: ApiKey) -> None:
    if get_history(key, "revoked_at").has_changes() or get_history(key, "scopes").has_changes():
        session = object_session(key)
        if session is not None:
            session.info[_CHANGED] = True


@event.listens_for(ApiKey, "after_delete")
def _key_deleted(_mapper: Mapper[Any], _connection: Any, key: ApiKey) -> None:
    session = object_session(key)
    if session is not None:
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        bump()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


@dataclass(frozen=True, slots=True)
class _Cached:
    principal: Principal
    expires: datetime
    generation: int


class KeyCache:
    """One app's cache of authenticated keys: ``cached`` answers without I/O, ``authenticate`` reads."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock, ttl_seconds: float, database_url: str) -> None:
        self._factory = factory
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_seconds)
        self._entries: dict[str, _Cached] = {}
        self._listener = _listener_for(database_url) if ttl_seconds > 0 else None

    def cached(self, token: str) -> Principal | None:
        """The principal of ``token`` if this process authenticated it recently and nothing was revoked since."""
        found = self._entries.get(token)
        if found is None or found.generation != _generation[0] or self._clock.now() >= found.expires:
            return None
        return found.principal

    def authenticate(self, token: str) -> Principal:
        """Read the key (in its own short transaction, which also stamps ``last_used_at`` once a minute) and
        remember it; raises ``NotAuthenticated`` for an unknown, malformed or revoked key."""
        if self._listener is not None:
            self._listener.ensure_started()
        seen = _generation[0]
        with unit_of_work(self._factory) as session:
            principal = authenticate_key(session, self._clock, token)
        if self._ttl and _generation[0] == seen and (self._listener is None or self._listener.listening):
            self._entries[token] = _Cached(principal, self._clock.now() + self._ttl, seen)
        return principal


class _Listener:
    """One thread per process and database LISTENing on ``CHANNEL``; each notification bumps the generation.
    While its connection is down nothing is cached (``listening`` is False), so no revocation is missed."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.listening = False

    def ensure_started(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="accord-keys-listen", daemon=True)
                self._thread.start()
        self._ready.wait(_READY_SECONDS)

    def _run(self) -> None:
        while True:
            try:
                self._listen()
            except psycopg.Error:
                log.warning("lost the key revocation channel; keys are read on every request until it is back")
            self.listening = False
            bump()  # notifications may have been missed while the connection was down
            self._ready.set()
            time.sleep(_RECONNECT_SECONDS)

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            bump()
            self.listening = True
            self._ready.set()
            for _ in conn.notifies():
                bump()


_listeners: dict[str, _Listener] = {}
_listeners_lock = threading.Lock()


def _listener_for(database_url: str) -> _Listener | None:
    """The process's listener for this PostgreSQL database (None on SQLite: the TTL bounds staleness there)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with _listeners_lock:
        if conninfo not in _listeners:
            _listeners[conninfo] = _Listener(conninfo)
        return _listeners[conninfo]
