"""Training mode in real headless Chromium: a new reviewer asking for a live case is sent to training, decides a
golden case with its image blurred (the wellness settings), reads the reference and its reasoning, passes the
calibration and then gets the live case."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.cases import service
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity.models import Member
from accord.identity.service import member_principal
from accord.training import practice, sets
from tests.browser.test_cases_console import ARGS, PIXEL
from tests.conftest import LiveServer
from tests.factories import PASSWORD, TEST_ACTOR, make_org

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def _seed(factory: sessionmaker[Session], clock: FrozenClock) -> tuple[str, str]:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
        member = session.scalar(select(Member).where(Member.email == org.email))
        assert member is not None
        admin = member_principal(session, member)
        golden = sets.create_set(session, clock, admin, name="basics")
        sets.add_written(session, clock, admin, golden.id, sets.WrittenCase(
            title="Attack video re-upload", facts="The livestream of a declared attack, re-uploaded.",
            reference_action="remove", reference_ground="TCO Art. 2(7)(a)",
            reference_reasons="Glorifies a terrorist offence; no journalistic framing.",
            media=[{"url": PIXEL, "type": "image"}], graphic=True))
        practice.set_rule(session, clock, admin, required=True, cases=1, min_accuracy=1.0)
        live, _ = service.open_case_from_match(session, clock, TEST_ACTOR, provider_id=org.id, signal_type="md5",
                                               value="9" * 32, title="live upload")
        return org.email, live.id


def test_a_newcomer_trains_passes_and_then_reviews(live_server: LiveServer, factory: sessionmaker[Session],
                                                   clock: FrozenClock) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    email, live_id = _seed(factory, clock)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{live_server.url}/ui/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/ui/cases")
        page.click("#next-case")
        assert "/ui/training" in page.url and "pass the calibration first" in page.inner_text("#training-note")
        assert "required before live cases" in page.inner_text("#calibration-status")
        page.click("text=basics")
        page.click("text=Attack video re-upload")
        assert "Training mode" in page.inner_text("#training-banner")
        image = page.locator("img.media")
        assert "blurred" in (image.get_attribute("class") or "")
        assert page.locator("#reference-reasons").count() == 0  # decided blind
        page.click("button.reveal")
        assert "revealed" in (image.get_attribute("class") or "")
        page.check("input[value=remove]")
        page.fill("#reasons", "re-upload of the attack stream")
        page.click("#submit-training")
        assert "matches the reference" in page.inner_text("#verdict")
        assert "no journalistic framing" in page.inner_text("#reference-reasons")
        assert "passed" in page.inner_text("#calibration-after")
        page.goto(f"{live_server.url}/ui/cases")
        page.click("#next-case")
        assert page.url.endswith(f"/ui/cases/{live_id}")
        browser.close()
