"""A provider's inbox (its home page) in headless Chromium: the removal order's countdown shows the hour left
and ticks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.conftest import LiveServer
from tests.factories import PASSWORD, make_org
from tests.unit.notices.helpers import payload

pytestmark = pytest.mark.browser


def test_inbox_countdown_ticks(browser_page: Any, live_server: LiveServer, factory: sessionmaker[Session],
                               clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        iru = make_org(session, clock, "authority")
        video = make_org(session, clock, "provider")
    clock.advance(minutes=-10)  # received ten minutes ago
    created = httpx.post(f"{live_server.url}/v1/notices", json=payload("removal_order", video.id),
                         headers=iru.headers)
    assert created.status_code == 201
    clock.advance(minutes=10)
    page = browser_page
    page.goto(f"{live_server.url}/ui/login")
    page.fill("input[name=email]", video.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/")  # a provider lands on its inbox
    badge = page.locator("#open-orders .countdown").first
    first = badge.inner_text()
    assert first.startswith(("50:0", "49:5")) and first.endswith("left"), first
    page.wait_for_function(f"() => document.querySelector('#open-orders .countdown').textContent !== '{first}'",
                           timeout=5000)
    assert "FR-IRU-2026-0042" in page.inner_text("#open-orders")


def test_inbox_on_a_phone_shows_the_countdown_without_scrolling(browser_page: Any, live_server: LiveServer,
                                                                 factory: sessionmaker[Session],
                                                                 clock: FrozenClock) -> None:
    """The on-call person at 3 a.m. opens the inbox on a 390x844 phone: the page does not scroll sideways and
    the order's countdown is on screen."""
    with unit_of_work(factory) as session:
        iru = make_org(session, clock, "authority")
        video = make_org(session, clock, "provider")
    created = httpx.post(f"{live_server.url}/v1/notices", json=payload("removal_order", video.id),
                         headers=iru.headers)
    assert created.status_code == 201
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/ui/login")
    page.fill("input[name=email]", video.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#open-orders .countdown").first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["y"] < 844, box
    assert page.locator("header nav >> text=Inbox").is_visible()
    assert page.locator("header nav >> text=Settings").is_visible()  # the menu wraps rather than hides
