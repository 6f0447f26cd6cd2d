"""The UI under its Content-Security-Policy in headless Chromium: the inbox countdown ticks, an htmx action
(the statement-of-reasons preview) swaps in, the review console's script runs, and the browser reports no
violation of the policy, neither as an event nor on the console."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.cases import service
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.browser.test_cases_console import PIXEL
from tests.conftest import LiveServer
from tests.factories import PASSWORD, TEST_ACTOR, make_org
from tests.unit.notices.helpers import payload

pytestmark = pytest.mark.browser

# Installed before any page script: every violation the browser reports lands in window.__csp.
WATCH = ("window.__csp = [];"
         "document.addEventListener('securitypolicyviolation', function (e) {"
         "  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });")


def _watch(page: Any) -> list[str]:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH)
    return console


def _login(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/ui/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/ui/")


def _no_violations(page: Any, console: list[str]) -> None:
    assert page.evaluate("window.__csp") == []
    assert [line for line in console if "Content Security Policy" in line or "Refused to" in line] == []


def test_countdown_and_htmx_run_under_the_policy(browser_page: Any, live_server: LiveServer,
                                                 factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        iru = make_org(session, clock, "authority")
        provider = make_org(session, clock, "provider")
        case, _ = service.open_case_from_match(
            session, clock, TEST_ACTOR, provider_id=provider.id, signal_type="pdq", value="e" * 64,
            labels=["graphic_violence"], media=[{"url": PIXEL, "type": "image"}], title="matched upload")
    assert httpx.post(f"{live_server.url}/v1/notices", json=payload("removal_order", provider.id),
                      headers=iru.headers).status_code == 201
    page = browser_page
    console = _watch(page)
    _login(page, live_server.url, provider.email)
    inbox = page.goto(f"{live_server.url}/ui/notices")
    assert inbox is not None and "script-src 'self' 'nonce-" in inbox.headers["content-security-policy"]
    first = page.locator("#notices .countdown").first.inner_text()
    assert first.endswith("left"), first  # accord.js replaced the server's HH:MM with the time left
    page.wait_for_function(f"() => document.querySelector('#notices .countdown').textContent !== '{first}'",
                           timeout=5000)
    page.goto(f"{live_server.url}/ui/cases/{case.id}")
    page.click("button.reveal")  # accord.js, from /static
    assert "revealed" in (page.locator("img.media").get_attribute("class") or "")
    page.check("input[value=remove]")  # no action is pre-selected
    page.fill("#ground", "Terms §3")
    page.fill("#facts", "beheading footage")
    page.wait_for_selector("#sor-preview dl.sor")  # htmx posted (with the CSRF header) and swapped the answer in
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('head style').length") == 0
    _no_violations(page, console)


def test_an_inline_script_is_blocked(browser_page: Any, live_server: LiveServer, factory: sessionmaker[Session],
                                     clock: FrozenClock) -> None:
    """The watch itself works: a script injected without the nonce is refused and reported."""
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider")
    page = browser_page
    console = _watch(page)
    _login(page, live_server.url, provider.email)
    page.evaluate("var s = document.createElement('script'); s.textContent = 'window.__ran = true;';"
                  "document.body.appendChild(s);")
    page.wait_for_function("() => window.__csp.length > 0", timeout=5000)
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in violation for violation in page.evaluate("window.__csp"))
    assert any("Content Security Policy" in line for line in console)
