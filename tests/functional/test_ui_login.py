"""The UI login over HTTP: a lockout that the right password does not undo, a logout that ends the session on
the server, sessions that expire with the clock, and a CSRF token on the login form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import ui_login


@pytest.fixture
def member(factory: sessionmaker[Session], clock: FrozenClock) -> OrgHandle:
    with unit_of_work(factory) as session:
        return make_org(session, clock)


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client: TestClient, member: OrgHandle,
                                                              settings: Settings, clock: FrozenClock) -> None:
    answers = [ui_login(client, member.email, f"wrong password {n}").status_code for n in range(30)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    right = ui_login(client, member.email, PASSWORD, follow_redirects=False)
    assert right.status_code == 429 and "too many failed logins" in right.text
    assert int(right.headers["retry-after"]) <= settings.login_lockout_seconds
    clock.advance(timedelta(seconds=settings.login_lockout_seconds))
    assert ui_login(client, member.email, PASSWORD, follow_redirects=False).status_code == 303


def test_logout_ends_the_session_on_the_server(client: TestClient, member: OrgHandle) -> None:
    assert ui_login(client, member.email, PASSWORD, follow_redirects=False).status_code == 303
    stolen = client.cookies.get("accord_session")
    assert stolen is not None and member.id not in stolen  # the cookie carries a random token, nothing else
    page = client.get("/ui/")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    assert client.post("/ui/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False).status_code == 303
    client.cookies.set("accord_session", stolen)  # a copy of the cookie, replayed after the logout
    replay = client.get("/ui/", follow_redirects=False)
    assert replay.status_code == 303 and replay.headers["location"] == "/ui/login"


def test_a_session_expires_with_the_clock(client: TestClient, member: OrgHandle, settings: Settings,
                                          clock: FrozenClock) -> None:
    ui_login(client, member.email, PASSWORD, follow_redirects=False)
    clock.advance(timedelta(hours=settings.session_max_age_hours) - timedelta(seconds=1))
    assert client.get("/ui/", follow_redirects=False).status_code == 200
    clock.advance(timedelta(seconds=1))
    assert client.get("/ui/", follow_redirects=False).status_code == 303


def test_the_login_form_needs_its_csrf_token(client: TestClient, member: OrgHandle) -> None:
    bare = client.post("/ui/login", data={"email": member.email, "password": PASSWORD}, follow_redirects=False)
    assert bare.status_code == 403 and "accord_session" not in bare.cookies
    page = client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    client.cookies.clear()  # a cross-site form carries a token but not the victim's login cookie
    forged = client.post("/ui/login", data={"email": member.email, "password": PASSWORD,
                                            "csrf_token": token.group(1)}, follow_redirects=False)
    assert forged.status_code == 403


def test_the_other_forms_still_check_their_csrf_token(client: TestClient, member: OrgHandle) -> None:
    ui_login(client, member.email, PASSWORD)
    assert client.post("/ui/logout", data={"csrf_token": "0" * 64}).status_code == 403
    assert client.post("/ui/logout", data={}).status_code == 403
    assert client.get("/ui/", follow_redirects=False).status_code == 200  # still logged in
