"""``/docs`` and ``/redoc`` in headless Chromium: Swagger UI and ReDoc render the API's operations from the
vendored copies, no request leaves the server, and the docs policy is not violated."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.test_csp import _no_violations, _watch
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


SCROLL_THROUGH = """async () => {
  const seen = new Set();
  const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  for (let y = 0, still = 0; still < 20; y += window.innerHeight / 2) {
    window.scrollTo(0, y);
    await frame();
    const before = seen.size;
    document.querySelectorAll('.opblock[id^="operations-"]').forEach(el => seen.add(el.id));
    still = seen.size === before && window.scrollY + window.innerHeight >= document.body.scrollHeight ? still + 1 : 0;
  }
  return seen.size;
}"""


def _requests(page: Any) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def _elsewhere(urls: list[str], base: str) -> list[str]:
    return [url for url in urls if not url.startswith((f"{base}/", "data:", "blob:"))]


def test_swagger_ui_renders_the_operations_from_this_server(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    urls = _requests(page)
    console = _watch(page)
    response = page.goto(f"{live_server.url}/docs")
    assert response is not None and response.status == 200
    document = httpx.get(f"{live_server.url}/openapi.json").json()
    operations = [op for item in document["paths"].values() for op in item.values()]
    page.wait_for_selector("#operations-tag-identity", timeout=60000)
    assert page.evaluate("ui.specSelectors.operations().size") == len(operations) > 100
    # Swagger UI renders its list virtually: scroll through it and every operation is drawn on the way.
    assert page.evaluate(SCROLL_THROUGH) == len(operations)
    assert f"{live_server.url}/static/vendor/swagger-ui-bundle.js" in urls
    assert f"{live_server.url}/openapi.json" in urls
    assert _elsewhere(urls, live_server.url) == []
    _no_violations(page, console)


def test_redoc_renders_the_operations_from_this_server(browser_page: Any, live_server: LiveServer) -> None:
    page = browser_page
    urls = _requests(page)
    console = _watch(page)
    response = page.goto(f"{live_server.url}/redoc")
    assert response is not None and response.status == 200
    operations = sum(len(item) for item in httpx.get(f"{live_server.url}/openapi.json").json()["paths"].values())
    selector = "[data-section-id^='operation/']"
    page.wait_for_function(f"() => document.querySelectorAll(\"{selector}\").length === {operations}", timeout=60000)
    assert f"{live_server.url}/static/vendor/redoc.standalone.js" in urls
    assert _elsewhere(urls, live_server.url) == []
    _no_violations(page, console)
