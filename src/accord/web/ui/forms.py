"""The one dependency of every state-changing page form: the caller logged in, the form's CSRF token checked,
and the unit of work it writes in.

``post: PostDep`` in a route refuses a form without the right ``csrf_token`` field (or, from htmx, the
``X-CSRF-Token`` header) before the route runs; ``with post.unit() as session:`` is the transaction, committed
when the block ends and rolled back on any error, so a route may still catch a refusal and show it on the page.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import Clock
from accord.db import unit_of_work
from accord.identity.service import Principal
from accord.settings import Settings
from accord.web.deps import app_state
from accord.web.state import AppState
from accord.web.ui.auth import check_csrf, ui_principal


@dataclass(frozen=True)
class Post:
    """A posted form whose CSRF token checked out, and the app it writes through."""

    state: AppState

    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def factory(self) -> sessionmaker[Session]:
        return self.state.factory

    def unit(self) -> AbstractContextManager[Session]:
        """The form's transaction: committed when the block ends, rolled back on any error."""
        return unit_of_work(self.state.factory)


async def posted(request: Request, principal: Annotated[Principal, Depends(ui_principal)]) -> Post:
    """Log-in first (a stranger is sent to the login page), then the CSRF token of the form or htmx header."""
    token = (await request.form()).get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    return Post(app_state(request))


PostDep = Annotated[Post, Depends(posted)]
