"""UI login: a server-side session named by a random cookie, and CSRF tokens bound to it.

The ``accord_session`` cookie carries only the session's token (HttpOnly, SameSite=Lax, Secure outside dev);
the server keeps the session (``identity/sessions.py``), so a logout or an expiry ends it everywhere. Every
state-changing form carries ``csrf_token`` (or htmx sends ``X-CSRF-Token``), an HMAC of the cookie's value. The
login form, sent before any session exists, is bound the same way to a random ``accord_login`` cookie.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from accord.errors import PermissionDenied
from accord.identity.service import Principal
from accord.identity.sessions import principal_for_session
from accord.web.deps import app_state
from accord.web.ratelimit import client_address

COOKIE = "accord_session"
LOGIN_COOKIE = "accord_login"


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def csrf_token(secret: str, cookie_value: str) -> str:
    return _mac(secret, "csrf:" + cookie_value)


def login_csrf_token(secret: str, login_cookie: str) -> str:
    return _mac(secret, "login-csrf:" + login_cookie)


def ui_principal(request: Request) -> Principal:
    state = app_state(request)
    with state.factory() as session:
        return principal_for_session(session, state.clock, request.cookies.get(COOKIE, ""))


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def check_csrf(request: Request, form_token: str | None) -> None:
    state = app_state(request)
    cookie = request.cookies.get(COOKIE, "")
    given = form_token or request.headers.get("x-csrf-token", "")
    if not cookie or not _same(csrf_token(state.settings.secret_key, cookie), given):
        raise PermissionDenied("the form's CSRF token is missing or wrong; reload the page")


def login_csrf_ok(request: Request, form_token: str) -> bool:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    return bool(cookie) and _same(login_csrf_token(app_state(request).settings.secret_key, cookie), form_token)


def address_of(request: Request) -> str | None:
    return client_address(request.scope, app_state(request).settings.trusted_proxies)
