"""Login, logout, the home page shaped by the organisation's kind, and its settings (members, keys, webhooks,
jobs, audit trail)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from accord.audit import service as audit
from accord.db import unit_of_work
from accord.errors import DomainError
from accord.identity import service as identity
from accord.identity.service import Principal
from accord.jobs import service as jobs
from accord.jobs import webhooks
from accord.web.deps import app_state
from accord.web.ui import _format, home_pages, menu
from accord.web.ui.auth import COOKIE, check_csrf, csrf_token, issue_cookie, ui_principal

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
    templates = state.extras["templates"]
    _format.install(templates.env)
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status
    )
    return response


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", {"error": None})


@router.post("/login")
def login(request: Request, email: Annotated[str, Form()], password: Annotated[str, Form()]) -> Response:
    state = app_state(request)
    try:
        with unit_of_work(state.factory) as session:
            principal = identity.login(session, state.clock, email, password)
    except DomainError as exc:
        return render(request, "login.html", {"error": exc.detail}, status=401)
    assert principal.member_id is not None  # a login always names a member
    response = RedirectResponse("/ui/", status_code=303)
    response.set_cookie(COOKIE, issue_cookie(state.settings.secret_key, principal.member_id),
                        max_age=state.settings.session_max_age_hours * 3600, httponly=True,
                        secure=state.settings.cookie_secure, samesite="lax")
    return response


@router.post("/logout")
def logout(request: Request, principal: UiPrincipal, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/")
def home(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """What the organisation works on: a provider's inbox, what an issuer sent, civil society's campaigns."""
    request.state.ui_principal = principal
    state = app_state(request)
    with state.factory() as session:
        template, context = home_pages.home(session, principal)
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
def retry(request: Request, job_id: str, principal: UiPrincipal,
          csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    principal.require_role("admin")
    state = app_state(request)
    with unit_of_work(state.factory) as session:
        jobs.retry_dead(session, state.clock, principal.actor, job_id, principal.org_id)
    return RedirectResponse("/ui/settings", status_code=303)


def favicon() -> FileResponse:
    """Browsers ask for ``/favicon.ico`` whatever the page's ``<link rel=icon>`` says."""
    return FileResponse(home_pages.STATIC / "favicon.ico", media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=86400"})


# Outside the ``/ui`` prefix: appended as a route of its own, which ``include_router`` keeps as it is.
router.routes.append(APIRoute("/favicon.ico", favicon, methods=["GET"], include_in_schema=False))
