"""Security headers on every response, templates that need no inline script or style, the production gate in
front of the docs and the metrics, and a server that does not announce itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.app import create_app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.conftest import free_port
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import ui_login

TEMPLATES = Path(__file__).parents[2] / "src" / "accord" / "web" / "templates"
SECRET = "s" * 40


def _policy(response: Any) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("path", ["/ui/login", "/v1/notices", "/healthz", "/static/accord.css", "/nowhere"])
def test_every_response_carries_the_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    policy = _policy(response)
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert "strict-transport-security" not in response.headers  # not outside production
    assert "server" not in response.headers


def test_pages_run_only_scripts_from_this_origin_or_with_the_request_nonce(client: TestClient) -> None:
    first, second = client.get("/ui/login"), client.get("/ui/login")
    policy = _policy(first)
    assert policy["default-src"] == "'self'" and policy["style-src"] == "'self'"
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{16,})'", policy["script-src"])
    assert nonce is not None and nonce.group(1) not in _policy(second)["script-src"]
    assert "unsafe-inline" not in first.headers["content-security-policy"]
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in first.text


@pytest.mark.parametrize("path", ["/v1/failing", "/ui/failing"])
def test_an_unhandled_error_is_a_problem_with_the_headers(app: FastAPI, path: str) -> None:
    def failing() -> None:
        raise RuntimeError("secret detail of the failure")

    app.add_api_route(path, failing)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(path)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 500 and response.json()["instance"] == path
    assert "secret detail" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff" and response.headers["x-frame-options"] == "DENY"
    assert _policy(response)["frame-ancestors"] == "'none'"
    with TestClient(app) as client, pytest.raises(RuntimeError, match="secret detail"):
        client.get(path)  # the error still goes on up, to be logged


def test_api_answers_may_run_no_script(client: TestClient) -> None:
    policy = _policy(client.get("/v1/notices"))
    assert policy["default-src"] == "'none'" and "script-src" not in policy


def test_hsts_in_production_only(settings: Settings, clock: FrozenClock) -> None:
    production = settings.model_copy(update={"mode": "production", "secret_key": SECRET, "preservation_key": SECRET})
    with TestClient(create_app(production, clock)) as client:
        assert client.get("/healthz").headers["strict-transport-security"].startswith("max-age=31536000")


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")))
def test_no_template_needs_inline_script_or_style(template: str) -> None:
    """What the page policy would block: inline scripts without the nonce, event-handler attributes, style
    attributes and <style> blocks (the standalone report export, served from /v1, is the one exception)."""
    text = (TEMPLATES / template).read_text()
    inline_scripts = [m for m in re.findall(r"<script\b([^>]*)>", text) if "src=" not in m and "csp_nonce" not in m]
    assert inline_scripts == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []
    if template != "transparency/standalone.html":
        assert re.findall(r"\sstyle\s*=|<style\b", text) == []


# ---- production: docs and metrics behind a key ----------------------------------------------------------------


@pytest.fixture
def production(settings: Settings, clock: FrozenClock) -> Iterator[Any]:
    apps = []

    def make(**extra: Any) -> TestClient:
        cfg = settings.model_copy(update={"mode": "production", "secret_key": SECRET, "preservation_key": SECRET,
                                          "session_cookie_secure": False, **extra})
        app = create_app(cfg, clock)
        apps.append(app)
        return TestClient(app)

    yield make
    for app in apps:
        app.state.accord.engine.dispose()


@pytest.fixture
def member(factory: sessionmaker[Session], clock: FrozenClock) -> OrgHandle:
    with unit_of_work(factory) as session:
        return make_org(session, clock)


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/metrics"])
def test_production_keeps_docs_and_metrics_for_key_holders(production: Any, member: OrgHandle, path: str) -> None:
    with production() as client:
        refused = client.get(path)
        assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
        assert client.get(path, headers={"Authorization": "Bearer acc_0000_wrong"}).status_code == 401
        assert client.get(path, headers=member.headers).status_code == 200


def test_production_docs_open_to_a_logged_in_member_and_by_setting(production: Any, member: OrgHandle) -> None:
    with production() as client:
        ui_login(client, member.email, PASSWORD)
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/metrics").status_code == 401  # a login is not a scraper's key
    with production(docs_public=True, metrics_public=True) as client:
        assert client.get("/docs").status_code == 200 and client.get("/metrics").status_code == 200


def test_dev_mode_leaves_docs_open(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_docs_load_nothing_from_elsewhere_and_inline_script_only_with_the_nonce(client: TestClient, path: str) -> None:
    page = client.get(path)
    policy = _policy(page)
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{16,})'", policy["script-src"])
    assert nonce is not None
    assert all("http" not in value for value in policy.values())  # no other origin, for anything
    assert re.findall(r"(?:src|href)=\"(https?:[^\"]*)", page.text) == []
    inline = re.findall(r"<script\b([^>]*)>", page.text)
    assert inline and all("src=" in attrs or f'nonce="{nonce.group(1)}"' in attrs for attrs in inline)


# ---- the real server ------------------------------------------------------------------------------------------


def test_accord_serve_does_not_announce_itself(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ACCORD_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "ACCORD_MODE": "test",
           "ACCORD_LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "accord", "db", "upgrade"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([sys.executable, "-m", "accord", "serve", "--role", "api", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        response = _first_answer(f"http://127.0.0.1:{port}/healthz")
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert response.status_code == 200
    assert "server" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


def _first_answer(url: str) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # waiting for a real process to bind its port, not for time to pass
