"""The banks page in headless Chromium: a coordinator finds a contributed entry in quarantine and confirms it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from accord.banks import service
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.conftest import LiveServer
from tests.factories import PASSWORD, make_org
from tests.unit.banks.helpers import PDQ_A, principal


def test_coordinator_confirms_a_quarantined_entry(browser_page: Any, live_server: LiveServer,
                                                   factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        hub_handle = make_org(session, clock, "coordinator", name="The Hub")
        hub, provider = principal(hub_handle), principal(make_org(session, clock))
        bank = service.create_bank(session, clock, hub, name="Shared list", visibility="all",
                                   accepts_contributions=True)
        [entry] = service.add_entries(session, clock, provider, bank, [NewSignal("pdq", PDQ_A)],
                                      EntryDetails(labels=["imminent_credible_threat"], entity="Example Front"))
    page = browser_page
    page.goto(f"{live_server.url}/ui/login")
    page.fill("input[name=email]", hub_handle.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ui/")
    page.click("nav >> text=Banks")
    page.wait_for_url(f"{live_server.url}/ui/banks")
    assert "Shared list" in page.inner_text("#banks")
    page.click("text=Shared list")
    assert "imminent credible threat" in page.inner_text("#quarantine")
    page.click(f"#quarantine #entry-{entry.id} >> text=Confirm")
    page.wait_for_url(f"{live_server.url}/ui/banks/{bank.id}")
    assert "Nothing waiting" in page.inner_text("#quarantine")
    assert "active" in page.inner_text(f"#entries #entry-{entry.id}")
