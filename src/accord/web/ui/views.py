"""Login, logout, the home page shaped by the organisation's kind, and its settings (members, keys, webhooks,
jobs, audit trail)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from accord.audit import service as audit
from accord.db import unit_of_work
from accord.identity import service as identity
from accord.identity import sessions
from accord.identity.service import Principal
from accord.jobs import service as jobs
from accord.jobs import webhooks
from accord.web.deps import app_state
from accord.web.ui import _format, home_pages, menu
from accord.web.ui.auth import (
    COOKIE,
    LOGIN_COOKIE,
    address_of,
    csrf_token,
    login_csrf_ok,
    login_csrf_token,
    ui_principal,
)
from accord.web.ui.forms import PostDep

router = APIRouter(prefix="/ui", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render with what every page needs: the principal, the CSRF token and the current time."""
    state = app_state(request)
    principal = getattr(request.state, "ui_principal", None)
    links = menu.menu_for(principal.org_kind if principal else None)
    base = {
        "principal": principal,
        "csrf": csrf_token(state.settings.secret_key, request.cookies.get(COOKIE, "")),
        "now": state.clock.now(),
        "menu": links,
        "current": menu.current(links, request.url.path),
        "transparency_kinds": menu.TRANSPARENCY_KINDS,
        "names_of": home_pages.Names(state.factory),
    }
    templates = state.templates
    _format.install(templates.env)
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status
    )
    return response


def _login_page(request: Request, error: str | None, status: int = 200) -> HTMLResponse:
    """The login form, bound to a random ``accord_login`` cookie by its CSRF token (login CSRF)."""
    state = app_state(request)
    binding = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html",
                      {"error": error, "login_csrf": login_csrf_token(state.settings.secret_key, binding)}, status)
    response.set_cookie(LOGIN_COOKIE, binding, max_age=3600, httponly=True, secure=state.settings.cookie_secure,
                        samesite="lax", path="/ui/login")
    return response


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request, None)


@router.post("/login")
def login(request: Request, email: Annotated[str, Form()], password: Annotated[str, Form()],
          csrf_token: Annotated[str, Form()] = "") -> Response:
    if not login_csrf_ok(request, csrf_token):
        return _login_page(request, "the login form expired; please try again", status=403)
    state = app_state(request)
    with unit_of_work(state.factory) as session:
        outcome = sessions.start_session(session, state.clock, state.settings, email=email, password=password,
                                         address=address_of(request))
    if isinstance(outcome, sessions.LoginRefused):
        return _refused(request, outcome)
    response = RedirectResponse("/ui/", status_code=303)
    response.set_cookie(COOKIE, outcome.token, max_age=state.settings.session_max_age_hours * 3600, httponly=True,
                        secure=state.settings.cookie_secure, samesite="lax")
    response.delete_cookie(LOGIN_COOKIE, path="/ui/login")
    return response


def _refused(request: Request, refused: sessions.LoginRefused) -> HTMLResponse:
    response = _login_page(request, refused.detail, status=401 if refused.retry_after is None else 429)
    if refused.retry_after is not None:
        response.headers["Retry-After"] = str(refused.retry_after)
    return response


@router.post("/logout")
def logout(request: Request, principal: UiPrincipal, post: PostDep) -> Response:
    """Revokes the session on the server: a copy of the cookie opens nothing afterwards."""
    with post.unit() as session:
        sessions.end_session(session, post.clock, request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/")
def home(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """What the organisation works on: a provider's inbox, what an issuer sent, civil society's campaigns."""
    request.state.ui_principal = principal
    state = app_state(request)
    with state.factory() as session:
        template, context = home_pages.home(session, state.clock, principal)
    return render(request, template, context)


@router.get("/settings")
def settings_page(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """Members, API keys, on-call webhooks, background jobs and the audit trail."""
    request.state.ui_principal = principal
    state = app_state(request)
    with state.factory() as session:
        context = {
            "org": identity.get_organisation(session, principal.org_id),
            "members": identity.list_members(session, principal.org_id),
            "keys": identity.list_keys(session, principal.org_id),
            "webhooks": webhooks.list_endpoints(session, principal.org_id),
            "jobs": jobs.list_jobs(session, org_id=principal.org_id, limit=20),
            "dead": jobs.list_jobs(session, org_id=principal.org_id, state="dead", limit=50),
            "events": audit.list_events(session, org_id=principal.org_id, limit=15),
        }
    return render(request, "settings.html", context)


@router.post("/jobs/{job_id}/retry")
def retry(request: Request, job_id: str, principal: UiPrincipal, post: PostDep) -> Response:
    principal.require_role("admin")
    with post.unit() as session:
        jobs.retry_dead(session, post.clock, principal.actor, job_id, principal.org_id)
    return RedirectResponse("/ui/settings", status_code=303)


def favicon() -> FileResponse:
    """Browsers ask for ``/favicon.ico`` whatever the page's ``<link rel=icon>`` says."""
    return FileResponse(home_pages.STATIC / "favicon.ico", media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})


# Outside the ``/ui`` prefix: appended as a route of its own, which ``include_router`` keeps as it is.
router.routes.append(APIRoute("/favicon.ico", favicon, methods=["GET"], include_in_schema=False))
