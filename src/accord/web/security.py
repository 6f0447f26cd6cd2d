"""Security headers on every response, and the production gate in front of the API docs and the metrics.

Pages get a strict Content-Security-Policy: scripts only from this origin or carrying the request's nonce
(``csp_nonce`` in every template), styles only from this origin, no plugins, no ``<base>``, no framing. API
responses (``/v1``) may run no script at all. The interactive docs (``/docs``, ``/redoc``, ``web/docs.py``) load
Swagger UI and ReDoc from this origin (``static/vendor``); their policy allows inline styles and a ``blob:``
worker, which those need, and nothing from another origin.

In production, ``/docs``, ``/redoc`` and ``/openapi.json`` need an API key or a UI login and ``/metrics`` an
API key, unless ``docs_public`` / ``metrics_public`` open them.
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.db import random_bytes
from accord.errors import DomainError, NotAuthenticated
from accord.identity.service import authenticate_key
from accord.identity.sessions import principal_for_session
from accord.settings import Settings
from accord.web.problems import problem
from accord.web.state import AppState

DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
METRICS_PATHS = frozenset({"/metrics"})
SESSION_COOKIE = "accord_session"  # the UI's cookie (web/ui/auth.py), read here without importing the UI

_COMMON = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
API_POLICY = f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; {_COMMON}"


def docs_policy(nonce: str) -> str:
    """Swagger UI and ReDoc, vendored: scripts from here or with the nonce (the page's one inline script), inline
    styles (ReDoc's styled-components write ``<style>`` elements), ReDoc's search worker from a ``blob:``."""
    return (f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data:; font-src 'self'; worker-src 'self' blob:; connect-src 'self'; "
            f"form-action 'self'; {_COMMON}")


def page_policy(nonce: str) -> str:
    return (f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'; form-action 'self'; {_COMMON}")


def policy_for(path: str, nonce: str) -> str:
    if path.startswith("/v1/"):
        return API_POLICY
    if path in DOCS_PATHS:
        return docs_policy(nonce)
    return page_policy(nonce)


def fixed_headers(settings: Settings) -> dict[str, str]:
    """The headers every response carries besides its Content-Security-Policy."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if settings.mode == "production":
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


# Headers the middleware sets whatever the application said; `server` is dropped (uvicorn's own is turned off
# in `accord serve`).
_REPLACED = frozenset({b"content-security-policy", b"x-content-type-options", b"referrer-policy",
                       b"x-frame-options", b"cross-origin-opener-policy", b"permissions-policy",
                       b"strict-transport-security", b"server"})


def internal_error(path: str) -> ASGIApp:
    """The 500 problem for an unhandled error: nothing about the error itself (it is in the log)."""
    return problem(500, "internal-error", "Internal server error",
                   "the server failed to answer this request; the error has been logged", path)


def template_context(request: Request) -> dict[str, Any]:
    """For every template: the nonce an inline ``<script nonce="{{ csp_nonce }}">`` needs to run."""
    return {"csp_nonce": getattr(request.state, "csp_nonce", "")}


class SecurityHeadersMiddleware:
    """Adds the headers to every response and keeps the docs and metrics closed in production."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state
        self._fixed = [(name.lower().encode(), value.encode()) for name, value in fixed_headers(state.settings).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = base64.urlsafe_b64encode(random_bytes(16)).decode().rstrip("=")
        scope.setdefault("state", {})["csp_nonce"] = nonce
        added = [(b"content-security-policy", policy_for(scope["path"], nonce).encode()), *self._fixed]

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [(name, value) for name, value in message.get("headers", []) if name.lower() not in _REPLACED]
                message["headers"] = [*kept, *added]
            await send(message)

        refusal = await self._gate(scope)
        app = refusal if refusal is not None else self.app
        try:
            await app(scope, receive, send_with_headers)
        except Exception:
            # An unhandled error: answer the 500 here, with the headers, rather than leave it to Starlette's
            # error middleware outside this one. The exception goes on up to be logged; that middleware sees
            # the response has started and sends nothing more.
            if not started:
                await internal_error(scope["path"])(scope, receive, send_with_headers)
            raise

    async def _gate(self, scope: Scope) -> ASGIApp | None:
        """In production: a 401 problem for the docs without a key or login, and for metrics without a key."""
        settings = self.state.settings
        path = scope["path"]
        if settings.mode != "production":
            return None
        docs = path in DOCS_PATHS and not settings.docs_public
        metrics = path in METRICS_PATHS and not settings.metrics_public
        if not (docs or metrics):
            return None
        if await run_in_threadpool(self._admitted, Request(scope), docs):
            return None
        return problem(401, NotAuthenticated.slug, NotAuthenticated.title,
                       "this instance serves its API documentation and metrics to its members only: send an API "
                       "key as 'Authorization: Bearer <key>'" + (" or log in" if docs else ""), path)

    def _admitted(self, request: Request, login_counts: bool) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        with self.state.factory() as session:
            try:
                if scheme.lower() == "bearer" and token.strip():
                    authenticate_key(session, self.state.clock, token.strip())
                    return True
                if login_counts:
                    principal_for_session(session, self.state.clock, request.cookies.get(SESSION_COOKIE, ""))
                    return True
            except DomainError:
                return False
        return False
