"""Every state-changing page form goes through one dependency (``web.ui.forms.posted``): a stranger is sent to
the login page, a logged-in member without the form's CSRF token is refused with 403, and nothing is written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.web.ui.forms import posted
from tests.factories import PASSWORD, make_org
from tests.helpers import ui_login

# Posted without a login by design: the login form (its own CSRF cookie), the public pages a token opens, and the
# read-only preview of a decision's statement of reasons.
OPEN = re.compile(r"^/ui/(login|rights/n/\{token\}.*|cases/\{case_id\}/preview)$")
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def _walk(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes)


def _uses_posted(dependant: Dependant) -> bool:
    return any(d.call is posted or _uses_posted(d) for d in dependant.dependencies)


def form_routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in _walk(app.routes) if "POST" in r.methods and r.path.startswith("/ui") and not OPEN.match(r.path)]


def test_every_page_form_checks_its_csrf_token_through_one_dependency(app: FastAPI) -> None:
    routes = form_routes(app)
    assert len(routes) >= 25
    assert [r.path for r in routes if not _uses_posted(r.dependant)] == []


def test_a_form_without_its_token_is_refused_and_changes_nothing(app: FastAPI, client: TestClient,
                                                                 factory: sessionmaker[Session],
                                                                 clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
    for route in form_routes(app):
        url = _PARAM.sub("1", route.path)
        stranger = client.post(url, data={}, follow_redirects=False)
        assert stranger.status_code == 303 and stranger.headers["location"] == "/ui/login", route.path
    assert ui_login(client, org.email, PASSWORD, follow_redirects=False).status_code == 303
    with factory() as session:
        before = session.scalar(select(func.count(AuditEvent.seq)))
    for route in form_routes(app):
        url = _PARAM.sub("1", route.path)
        refused = client.post(url, data={"csrf_token": "forged"}, follow_redirects=False)
        assert refused.status_code == 403, f"{route.path}: {refused.status_code}"
    with factory() as session:
        assert session.scalar(select(func.count(AuditEvent.seq))) == before
    assert client.get("/ui/").status_code == 200, "the refusals did not end the session"
