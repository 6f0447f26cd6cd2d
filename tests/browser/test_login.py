"""A member logs in through the real UI in headless Chromium and sees the organisation's page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.conftest import LiveServer
from tests.factories import PASSWORD, make_org
from tests.helpers import ui_login


def test_login_shows_the_home_page_and_logout_works(browser_page: Any, live_server: LiveServer,
                                                    factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider", name="Two Person Hosting")
    page = browser_page
    page.goto(f"{live_server.url}/ui/")
    assert page.url.endswith("/ui/login")
    page.fill("input[name=email]", org.email)
    page.fill("input[name=password]", "wrong password!")
    page.click("button[type=submit]")
    assert "wrong" in page.inner_text("[role=alert]")
    page.fill("input[name=email]", org.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/")
    assert "Two Person Hosting" in page.inner_text("h1")
    assert page.evaluate("typeof htmx") == "object", "vendored htmx did not load"
    page.click("text=Log out")
    page.wait_for_url(f"{live_server.url}/ui/login")


def test_form_without_csrf_token_is_refused(live_server: LiveServer, factory: sessionmaker[Session],
                                            clock: FrozenClock, browser_page: Any) -> None:
    import httpx

    with unit_of_work(factory) as session:
        org = make_org(session, clock)
    with httpx.Client(base_url=live_server.url) as http:
        ui_login(http, org.email, PASSWORD)
        response = http.post("/ui/logout", data={})
    assert response.status_code == 403
