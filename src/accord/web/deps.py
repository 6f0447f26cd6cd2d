"""FastAPI dependencies: the unit of work, the clock, and the authenticated principal.

``SessionDep`` is one transaction per request, committed when the route returns (before the response is
sent) and rolled back on any error. ``Scoped("x")`` authenticates the bearer key and checks its scope.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.clock import Clock
from accord.db import commit_and_close, rollback_and_close
from accord.errors import NotAuthenticated
from accord.identity.service import Principal, authenticate_key
from accord.settings import Settings
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


def current_principal(request: Request, session: SessionDep, clock: ClockDep) -> Principal:
    principal = authenticate_key(session, clock, bearer_token(request))
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

