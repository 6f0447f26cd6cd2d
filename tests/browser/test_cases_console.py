"""The review console in real headless Chromium: log in, take the next case, reveal the blurred image, decide,
and watch a removal order's countdown turn into a breach under the controlled clock."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.cases import intake, service
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.conftest import LiveServer
from tests.factories import PASSWORD, TEST_ACTOR, make_org

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
# A 1x1 PNG as a data URL: media the page can render without any network.
PIXEL = "data:image/png;base64," + base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e221bc330000000049454e44ae426082")).decode()

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def _seed(factory: sessionmaker[Session], clock: FrozenClock) -> tuple[str, str, str]:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
        match, _ = service.open_case_from_match(
            session, clock, TEST_ACTOR, provider_id=org.id, signal_type="pdq", value="e" * 64,
            labels=["graphic_violence"], media=[{"url": PIXEL, "type": "image"}], title="matched upload")
        order, _ = intake.open_or_join(session, clock, TEST_ACTOR, provider_id=org.id,
                                       content_keys=["https://video.example.org/o"], source="removal_order",
                                       deadline_at=clock.now().replace(minute=30), title="removal order")
        return org.email, order.id, match.id


def test_log_in_take_next_reveal_decide_and_see_a_breach(live_server: LiveServer, factory: sessionmaker[Session],
                                                         clock: FrozenClock) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    email, order_id, match_id = _seed(factory, clock)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{live_server.url}/ui/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/ui/cases")
        page.click("#next-case")
        assert page.url.endswith(f"/ui/cases/{order_id}")  # the removal order comes first
        assert "min" in page.inner_text("#countdown")
        clock.advance(minutes=31)
        page.reload()
        assert "BREACH" in page.inner_text("#countdown")
        page.check("input[value=remove]")
        page.fill("#ground", "TCO Art. 3")
        page.fill("#facts", "as ordered")
        page.click("#decide-button")
        assert "Decision: Remove" in page.inner_text("main")
        page.click("#next-case")
        assert page.url.endswith(f"/ui/cases/{match_id}")
        image = page.locator("img.media")
        assert "blurred" in (image.get_attribute("class") or "")
        page.click("button.reveal")
        assert "revealed" in (image.get_attribute("class") or "")
        page.check("input[value=remove]")  # no action is pre-selected
        page.fill("#ground", "Terms §3")
        page.fill("#facts", "beheading footage")
        page.wait_for_selector("#sor-preview dl.sor")  # htmx preview of the statement of reasons
        page.click("#decide-button")
        assert "Decision: Remove" in page.inner_text("main")
        browser.close()
