"""FastAPI dependencies: the unit of work, the clock, and the authenticated principal.

``SessionDep`` is one transaction per request, committed when the route returns (before the response is
sent) and rolled back on any error. ``Scoped("x")`` authenticates the bearer key and checks its scope; a key
authenticated in the last ``api_key_cache_seconds`` is answered from the process's ``KeyCache`` without any
I/O (``web.keycache`` says how a revocation reaches every process).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.clock import Clock
from accord.db import commit_and_close, rollback_and_close
from accord.errors import InvalidInput, NotAuthenticated
from accord.identity.service import Principal
from accord.settings import Settings
from accord.web.keycache import KeyCache
from accord.web.state import AppState


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.accord
    return state


async def _session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work. Opening a session does no I/O, so only the commit (or rollback) and the
    return of the connection to the pool run in a worker thread: one thread hop instead of two."""
    session = app_state(request).factory()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(rollback_and_close, session)
        raise
    await run_in_threadpool(commit_and_close, session)


@contextmanager
def reading(state: AppState) -> Iterator[Session]:
    """A session for work that only reads (a lookup): its connection is in autocommit, so no transaction is
    begun, committed or rolled back around the reads; whatever it might flush is discarded, never committed."""
    with state.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection, \
            Session(bind=connection, autoflush=False) as session:
        yield session


async def refuse_nul(request: Request) -> None:
    """PostgreSQL text cannot hold a NUL character: a path or query parameter with one is refused (422) before
    it reaches the database. An app-wide dependency, so every route has it."""
    params = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in params:
        if "\x00" in str(name) or "\x00" in str(value):
            raise InvalidInput("text cannot contain a NUL character", field=str(name).replace("\x00", ""))


# Dependencies without I/O are coroutines so that FastAPI does not send each to the thread pool.
async def _clock(request: Request) -> Clock:
    return app_state(request).clock


async def _settings(request: Request) -> Settings:
    return app_state(request).settings


SessionDep = Annotated[Session, Depends(_session, scope="function")]
ClockDep = Annotated[Clock, Depends(_clock)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send an API key as 'Authorization: Bearer <key>'")
    return token.strip()


_CACHE_LOCK = threading.Lock()


def key_cache(state: AppState) -> KeyCache:
    """The app's key cache, made on first use."""
    found = state.key_cache
    if found is None:
        with _CACHE_LOCK:
            found = state.key_cache
            if found is None:
                found = state.key_cache = KeyCache(
                    state.factory, state.clock, state.settings.api_key_cache_seconds, state.settings.database_url)
    return found


async def current_principal(request: Request) -> Principal:
    """The caller, from the key cache when it knows the key (no I/O), else read in a worker thread."""
    token = bearer_token(request)
    cache = key_cache(app_state(request))
    principal = cache.cached(token)
    if principal is None:
        principal = await run_in_threadpool(cache.authenticate, token)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


class Scoped:
    """``Depends(Scoped("notices:write"))``: authenticate, then require that scope."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    async def __call__(self, principal: PrincipalDep) -> Principal:
        principal.require_scope(self.scope)
        return principal

