"""Rights pages: the complaint queue, held notices, preserved items, the provider profile, and the public
page an uploader reaches through the link in their user notice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.db import unit_of_work
from accord.errors import DomainError
from accord.identity.service import Principal
from accord.rights import complaints, orders, preservation, profile, user_notices
from accord.web.deps import app_state
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/rights", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]


@router.get("")
def rights_home(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """Complaints counting down to their two-week deadline, held notices, preserved items, the profile."""
    request.state.ui_principal = principal
    state = app_state(request)
    with state.factory() as session:
        small = profile.is_micro_small(session, principal.org_id)
        context = {
            "complaints": complaints.queue(session, provider_id=principal.org_id, state=None),
            "held": user_notices.list_notices(session, provider_id=principal.org_id, state="held"),
            "items": preservation.list_items(session, provider_id=principal.org_id),
            "micro_small": small,
            "duties": profile.duties(small),
            "days_left": preservation.days_left,
            "overdue": complaints.is_overdue,
        }
    return render(request, "rights/index.html", context)


@router.post("/complaints/{complaint_id}/decide")
def decide(request: Request, complaint_id: str, principal: UiPrincipal, post: PostDep, outcome: Annotated[str, Form()],
           reasons: Annotated[str, Form()] = "") -> Response:
    """The logged-in reviewer decides; the reasons are mandatory."""
    principal.require_role("reviewer")
    with post.unit() as session:
        complaints.decide_complaint(session, post.clock, post.settings, principal.actor,
                                    provider_id=principal.org_id, complaint_id=complaint_id, outcome=outcome,
                                    reasons=reasons, reviewer_id=principal.member_id)
    return RedirectResponse("/ui/rights", status_code=303)


@router.post("/profile")
def set_profile(request: Request, principal: UiPrincipal, post: PostDep,
                micro_small: Annotated[str, Form()] = "") -> Response:
    principal.require_role("admin")
    principal.require_kind("provider")
    with post.unit() as session:
        profile.set_micro_small(session, post.clock, principal.actor, org_id=principal.org_id,
                                micro_small=micro_small == "on")
    return RedirectResponse("/ui/rights", status_code=303)


@router.get("/n/{token}")
def public_notice(request: Request, token: str) -> HTMLResponse:
    """The uploader's page: the notice and a complaint form. The token opens this page and nothing else."""
    state = app_state(request)
    with state.factory() as session:
        notice = user_notices.by_token(session, token)
    return render(request, "rights/notice.html", {"notice": notice, "filed": None, "error": None, "token": token})


@router.post("/n/{token}")
def public_complaint(request: Request, token: str, statement: Annotated[str, Form()] = "",
                     contact: Annotated[str, Form()] = "") -> HTMLResponse:
    state = app_state(request)
    try:
        with unit_of_work(state.factory) as session:
            filed = complaints.file_from_notice(session, state.clock, state.settings, token=token,
                                                statement=statement, contact=contact or None).complaint
            notice = user_notices.by_token(session, token)
    except DomainError as exc:
        with state.factory() as session:
            notice = user_notices.by_token(session, token)
        return render(request, "rights/notice.html", {"notice": notice, "filed": None, "error": exc.detail,
                                                      "token": token}, status=exc.status)
    return render(request, "rights/notice.html", {"notice": notice, "filed": filed, "error": None, "token": token},
                  status=201)


@router.post("/n/{token}/scrutiny")
def public_scrutiny(request: Request, token: str, reason: Annotated[str, Form()] = "") -> HTMLResponse:
    """TCO Art. 4(4): the content provider asks the host Member State's authority to scrutinise the order."""
    state = app_state(request)
    try:
        with unit_of_work(state.factory) as session:
            orders.request_scrutiny_as_content_provider(session, state.clock, token=token, reason=reason)
            notice = user_notices.by_token(session, token)
    except DomainError as exc:
        with state.factory() as session:
            notice = user_notices.by_token(session, token)
        return render(request, "rights/notice.html", {"notice": notice, "filed": None, "error": exc.detail,
                                                      "token": token}, status=exc.status)
    return render(request, "rights/notice.html", {"notice": notice, "filed": None, "error": None, "token": token,
                                                  "scrutiny_requested": True}, status=201)
