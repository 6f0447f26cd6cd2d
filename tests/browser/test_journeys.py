"""The two journeys that matter, end to end in headless Chromium: an authority's officer sends a removal order
(stumbling on an error first, without losing what was typed), the on-call provider finds it on its home page and
answers it after a confirmation, and the officer sees the outcome."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.conftest import LiveServer
from tests.factories import PASSWORD, OrgHandle, make_org

pytestmark = pytest.mark.browser
REFERENCE = "TEST-IRU-0001"
PHONE = {"width": 390, "height": 844}


def _fits_a_phone(page: Any) -> None:
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def _login(page: Any, base: str, org: OrgHandle) -> None:
    page.goto(f"{base}/ui/login")
    page.fill("input[name=email]", org.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/ui/")


def _form_post(response: Any) -> bool:
    return bool(response.request.method == "POST" and response.url.endswith("/ui/notices/new"))


def _fill_order(page: Any, provider: OrgHandle, urls: str) -> None:
    page.select_option("#f-provider_id", provider.id)
    page.fill("#f-reference", REFERENCE)
    page.fill("#f-urls", urls)
    page.check("input[name=tco_types][value=incitement]")
    page.fill("#f-reasons", "Calls for attacks on a named venue.")
    page.fill("#f-legal_basis", "Regulation (EU) 2021/784, Art. 3")
    page.fill("#f-redress_body", "Tribunal administratif de Paris")
    page.fill("#f-emergency_reason", "Attack announced for tonight")


def _send_with_a_mistake_then_fixed(page: Any, base: str, provider: OrgHandle) -> str:
    page.click("header nav >> text=Send an order")
    page.wait_for_url(f"{base}/ui/notices/new")
    for name in ("provider_id", "reference", "urls", "reasons", "legal_basis", "redress_body", "redress_days"):
        assert page.get_attribute(f"#f-{name}", "required") is not None, f"{name} is not marked required"
    assert (page.get_attribute("#f-reference", "placeholder") or "").startswith("e.g.")
    page.click("#notice-form button[type=submit]")  # empty: the browser refuses before anything is sent
    assert page.url == f"{base}/ui/notices/new"
    assert page.evaluate("document.querySelector('#f-provider_id').validity.valueMissing")
    _fill_order(page, provider, "video.example.org/watch/1")  # no scheme: only the server notices
    with page.expect_response(_form_post):
        page.click("#notice-form button[type=submit]")
    error = page.locator("#urls-error")
    error.wait_for()
    assert "Line 1" in error.inner_text() and "https://" in error.inner_text()
    assert page.input_value("#f-reference") == REFERENCE
    assert page.input_value("#f-reasons") == "Calls for attacks on a named venue."
    assert page.input_value("#f-provider_id") == provider.id
    assert page.is_checked("input[name=tco_types][value=incitement]")
    page.fill("#f-urls", "https://video.example.org/watch/1")
    page.click("#notice-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/ui/notices/ntc_[^?]+\?sent=1"))
    banner = page.inner_text("#banner")
    assert provider.name in banner and "must be executed by" in banner and "UTC" in banner, banner
    return page.url.split("/ui/notices/")[1].split("?")[0]


def _answer_with_confirmation(page: Any, base: str, authority: OrgHandle, notice_id: str) -> None:
    """On a phone, as the on-call person would: every page of the answer fits the screen."""
    _fits_a_phone(page)
    inbox = page.locator("#open-orders")
    assert REFERENCE in inbox.inner_text() and authority.name in inbox.inner_text()
    assert "left" in page.inner_text("#open-orders .countdown")
    page.click(f"#open-orders >> text={REFERENCE}")
    page.wait_for_url(f"{base}/ui/notices/{notice_id}")
    _fits_a_phone(page)
    with page.expect_navigation():
        page.click("#case-link a")  # the order's review case links back to the order
    _fits_a_phone(page)
    with page.expect_navigation():
        page.click(f"#case-notices a[href='/ui/notices/{notice_id}']")
    assert page.locator("input[name=outcome]:checked").count() == 0, "an answer is pre-selected"
    page.check("input[name=outcome][value=removed]")
    page.click("#answer-form button[type=submit]")
    assert "Confirm: Removed" in page.inner_text("h1")
    _fits_a_phone(page)
    page.click("#confirm-answer")
    page.wait_for_url(f"{base}/ui/notices/{notice_id}?answered=1")
    banner = page.inner_text("#banner")
    assert "Answer recorded: Removed" in banner and authority.name in banner, banner
    _fits_a_phone(page)


def test_an_order_is_sent_answered_and_its_outcome_seen(browser_page: Any, live_server: LiveServer,
                                                        factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority", name="Referral Unit Test")
        provider = make_org(session, clock, "provider", name="Tiny Video Test")
    base = live_server.url
    officer = browser_page
    _login(officer, base, authority)
    notice_id = _send_with_a_mistake_then_fixed(officer, base, provider)
    on_call = officer.context.browser.new_context(viewport=PHONE).new_page()
    _login(on_call, base, provider)
    _answer_with_confirmation(on_call, base, authority, notice_id)
    officer.goto(f"{base}/ui/")
    row = officer.locator(f"#sent tr[data-id='{notice_id}']")
    assert provider.name in row.inner_text() and "Removed" in row.inner_text()


def test_sending_a_reference_twice_warns_first(browser_page: Any, live_server: LiveServer,
                                               factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority")
        provider = make_org(session, clock, "provider", name="Tiny Video Twice")
    base = live_server.url
    page = browser_page
    _login(page, base, authority)
    page.goto(f"{base}/ui/notices/new")
    _fill_order(page, provider, "https://video.example.org/watch/2")
    page.click("#notice-form button[type=submit]")
    page.wait_for_url(re.compile(r".*\?sent=1"))
    page.goto(f"{base}/ui/notices/new")
    _fill_order(page, provider, "https://video.example.org/watch/3")
    warning = page.locator("#reference-check [role=alert]")
    warning.wait_for()  # while typing, before anything is sent
    assert "You already sent" in warning.inner_text() and provider.name in warning.inner_text()
    with page.expect_response(_form_post):  # not ticked: the server asks again, keeping everything
        page.click("#notice-form button[type=submit]")
    page.locator("#reference-check [role=alert]").wait_for()
    assert page.input_value("#f-urls") == "https://video.example.org/watch/3"
    page.check("input[name=send_duplicate]")
    page.click("#notice-form button[type=submit]")
    page.wait_for_url(re.compile(r".*\?sent=1"))
