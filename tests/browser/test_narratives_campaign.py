"""A civil-society member opens a campaign in headless Chromium: the charts load and the impact table shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.demo import narratives as demo
from accord.narratives import service
from tests.conftest import LiveServer
from tests.factories import PASSWORD, make_org

pytestmark = pytest.mark.browser


def _campaign(factory: sessionmaker[Session], clock: FrozenClock) -> tuple[str, str]:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "civil_society", name="Voices Browser")
        actor = Actor("test:browser", org.id)
        start = clock.now().date() - timedelta(days=demo.DAYS)
        campaign = service.create_campaign(session, clock, actor, org_id=org.id, data=demo.plan(start))
        service.import_figures_json(session, clock, actor, org_id=org.id, campaign_id=campaign.id,
                                    items=demo.figures(start, np.random.default_rng(1)))
        return org.email, campaign.id


def test_campaign_page_shows_charts_and_impact(browser_page: Any, live_server: LiveServer,
                                               factory: sessionmaker[Session], clock: FrozenClock) -> None:
    email, campaign_id = _campaign(factory, clock)
    page = browser_page
    page.goto(f"{live_server.url}/ui/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/")
    page.click("header nav >> text=Campaigns")
    page.wait_for_url(f"{live_server.url}/ui/campaigns")
    page.click("text=Another path (demo)")
    page.wait_for_url(f"{live_server.url}/ui/campaigns/{campaign_id}")
    chart = page.locator("#chart-rates")
    chart.wait_for()
    page.wait_for_function("() => document.getElementById('chart-rates').complete")  # a function: CSP forbids eval
    assert page.evaluate("document.getElementById('chart-rates').naturalWidth") > 100, "the chart did not load"
    assert page.evaluate("document.getElementById('chart-messengers').naturalWidth") > 100
    table = page.inner_text("#impact-table")
    assert "former" in table and "fr-ar" in table and "%" in table
    assert "suppressed" in table, "the small Belgian cells must say they are suppressed"
    assert page.locator("#allocation tr").count() == 5
