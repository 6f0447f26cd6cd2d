"""Blocking lists in Chromium: a site owner contests an entry from the stop page; the authority sees the guard's
refusal in words and the overseer's objection on the entry."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord import demo
from accord.blocklists.models import Blocklist
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def world(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> tuple[demo.DemoWorld, str]:
    with unit_of_work(factory) as session:
        seeded = demo.seed(session, clock, settings)
        list_id = session.scalar(select(Blocklist.id).where(Blocklist.name == "fr-terrorism-dns"))
    assert seeded is not None and list_id is not None
    return seeded, list_id


def test_a_site_owner_appeals_from_the_stop_page(world: tuple[demo.DemoWorld, str], browser_page: Any,
                                                 live_server: LiveServer) -> None:
    _, list_id = world
    page = browser_page
    page.goto(f"{live_server.url}/blocklists/{list_id}")
    assert "Referral Unit France (demo)" in page.inner_text("main")
    assert "Décret n° 2015-253" in page.inner_text("main")
    page.fill("input[name=value]", "caliphate-news.demo.example")
    page.fill("textarea[name=statement]", "This is a news site about the conflict, not propaganda.")
    page.fill("input[name=contact]", "editor@caliphate-news.demo.example")
    page.click("button[type=submit]")
    assert "Your appeal is filed" in page.inner_text("[role=status]")


def test_the_authority_reads_the_guard_and_the_overseers_objection(world: tuple[demo.DemoWorld, str],
                                                                   browser_page: Any,
                                                                   live_server: LiveServer) -> None:
    seeded, _ = world
    who = next(c for c in seeded.credentials if c.kind == "authority")
    page = browser_page
    page.goto(f"{live_server.url}/ui/login")
    page.fill("input[name=email]", who.email)
    page.fill("input[name=password]", who.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/")
    page.click("nav >> text=Blocking lists")
    page.click("text=fr-terrorism-dns")
    entries = page.inner_text("#entries")
    assert "history-forum.demo.example" in entries and "suspended" in entries
    assert "history discussion site" in entries  # the overseer's objection, kept on the entry
    operators = page.inner_text("#operators")
    assert "MobiLink (demo)" in operators and "FibreNet France (demo)" in operators
    page.fill("input[name=value]", "drive.google.com")
    page.fill("textarea[name=reason]", "a folder of propaganda")
    page.click("form[action$='/entries'] button[type=submit]")
    assert "send a removal order" in page.inner_text("[role=alert]")
