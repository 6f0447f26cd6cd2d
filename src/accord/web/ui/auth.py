"""UI login: a signed session cookie and a CSRF token bound to it.

The cookie holds ``member id . issued-at . HMAC``; it is HttpOnly, SameSite=Lax and Secure outside dev. Every
state-changing form carries ``csrf_token`` (or htmx sends ``X-CSRF-Token``), an HMAC of the cookie's value.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from fastapi import Request

from accord.errors import NotAuthenticated, PermissionDenied
from accord.identity.service import Principal, principal_for_member_id
from accord.web.deps import app_state

COOKIE = "accord_session"


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def issue_cookie(secret: str, member_id: str, now: float | None = None) -> str:
    body = f"{member_id}.{int(now if now is not None else time.time())}"
    return f"{body}.{_mac(secret, 'session:' + body)}"


def read_cookie(secret: str, value: str, max_age_seconds: int, now: float | None = None) -> str:
    """The member id in a valid, unexpired cookie; NotAuthenticated otherwise."""
    try:
        member_id, issued, mac = value.rsplit(".", 2)
        age = (now if now is not None else time.time()) - int(issued)
    except ValueError as exc:
        raise NotAuthenticated("please log in") from exc
    if not hmac.compare_digest(mac, _mac(secret, f"session:{member_id}.{issued}")) or age > max_age_seconds:
        raise NotAuthenticated("please log in")
    return member_id


def csrf_token(secret: str, cookie_value: str) -> str:
    return _mac(secret, "csrf:" + cookie_value)


def ui_principal(request: Request) -> Principal:
    state = app_state(request)
    value = request.cookies.get(COOKIE, "")
    member_id = read_cookie(state.settings.secret_key, value, state.settings.session_max_age_hours * 3600)
    with state.factory() as session:
        return principal_for_member_id(session, member_id)


def check_csrf(request: Request, form_token: str | None) -> None:
    state = app_state(request)
    expected = csrf_token(state.settings.secret_key, request.cookies.get(COOKIE, ""))
    given = form_token or request.headers.get("x-csrf-token", "")
    if not hmac.compare_digest(expected, given):
        raise PermissionDenied("the form's CSRF token is missing or wrong; reload the page")
