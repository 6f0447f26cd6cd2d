"""Readiness in headless Chromium: a provider's one person runs a self-drill from the readiness page, gets the
order (drill badge in the inbox, drill banner on the order), acknowledges, removes, opens the Annex II feedback,
and reads the scorecard; the score's gaps link to their fix and the signed webhook test is one button; the
coordinator's home page shows every provider's readiness."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs import webhooks
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.settings import Settings
from tests.conftest import START, LiveServer
from tests.factories import PASSWORD, TEST_ACTOR, OrgHandle, make_org
from tests.helpers import Receiver

pytestmark = pytest.mark.browser


def _login(page: Any, server: LiveServer, org: OrgHandle) -> None:
    page.goto(f"{server.url}/ui/login")
    page.fill("input[name=email]", org.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/ui/")


def test_a_self_drill_from_the_readiness_page_to_the_scorecard(browser_page: Any, app: FastAPI,
                                                               live_server: LiveServer,
                                                               factory: sessionmaker[Session], clock: FrozenClock,
                                                               settings: Settings) -> None:
    load_all()
    app.state.accord.rng = random.Random(5)  # a reproducible moment
    with unit_of_work(factory) as session:
        video = make_org(session, clock, "provider")
    page = browser_page
    _login(page, live_server, video)
    page.click("header nav >> text=Readiness")
    page.wait_for_url(f"{live_server.url}/ui/readiness")
    assert page.inner_text("#score-badge").startswith("1/7")  # only the keys, new ones
    gap = page.locator(".readiness-items li[data-key=drill_passed]")
    assert "to fix" in gap.inner_text() and gap.locator("a").get_attribute("href") == "/ui/readiness/drills"
    page.fill("#schedule-drill input[name=starts_after]", START.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#schedule-drill input[name=ends_before]", (START + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    page.click("#schedule-drill button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/readiness/drills/*")
    assert page.inner_text("#drill-status") == "scheduled"
    scorecard_url = page.url
    clock.advance(minutes=10)
    assert Worker(factory, clock, settings).run_duties(0.0) >= 1  # the worker sends it
    clock.advance(minutes=2)
    page.goto(f"{live_server.url}/ui/")
    page.click(".notice-row:has(.badge.drill) a")
    assert page.locator("#drill-banner").is_visible() and "practice" in page.inner_text("#drill-banner")
    clock.advance(minutes=1)
    page.click("text=Acknowledge receipt")
    page.check("#answer-form input[value=removed]")
    page.click("#answer-form button[type=submit]")
    clock.advance(minutes=4)
    page.click("#confirm-answer")
    page.click("#banner a")  # the signed Annex II feedback
    assert "Annex II" in page.inner_text("#feedback") and page.locator("#drill-banner").is_visible()
    page.goto(scorecard_url)
    assert page.inner_text("#drill-status") == "acted"
    steps = {step: page.inner_text(f"#scorecard tr[data-step={step}] td:last-child")
             for step in ("first_view", "acknowledgement", "action", "feedback")}
    assert steps == {"first_view": "2 min 0 s", "acknowledgement": "3 min 0 s", "action": "7 min 0 s",
                     "feedback": "7 min 0 s"}  # one person, well under 15 minutes
    assert "No on-call webhook" in page.inner_text("#what-to-fix")


def test_the_signed_webhook_test_turns_the_item_green(browser_page: Any, live_server: LiveServer,
                                                      factory: sessionmaker[Session], clock: FrozenClock,
                                                      settings: Settings) -> None:
    load_all()
    with Receiver() as receiver:
        with unit_of_work(factory) as session:
            video = make_org(session, clock, "provider")
            webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=video.id, url=receiver.url)
        page = browser_page
        _login(page, live_server, video)
        page.goto(f"{live_server.url}/ui/readiness")
        item = page.locator(".readiness-items li[data-key=webhook_tested]")
        assert "to fix" in item.inner_text()
        page.click("#webhook-test button")
        page.wait_for_url(f"{live_server.url}/ui/readiness?tested=1")
        Worker(factory, clock, settings).drain()
        assert receiver.received and receiver.received[0].headers[webhooks.EVENT_HEADER] == "webhook.test"
        page.reload()
        assert "to fix" not in item.inner_text() and "signed test answered" in item.inner_text()


def test_the_coordinator_overview_shows_each_providers_score(browser_page: Any, live_server: LiveServer,
                                                             factory: sessionmaker[Session],
                                                             clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        hub = make_org(session, clock, "coordinator")
        video = make_org(session, clock, "provider")
    page = browser_page
    _login(page, live_server, hub)
    row = page.locator(f"#readiness-overview tr[data-provider={video.id}]")
    assert video.name in row.inner_text() and "1/7" in row.inner_text()
    assert "A drill passed" in row.inner_text()
