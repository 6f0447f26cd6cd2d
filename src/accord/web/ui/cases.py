"""The review console: next case, countdowns, blurred media, the decision form with its SoR preview."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.cases import claims, config, dashboard, decisions, escalation, quality, service
from accord.db import unit_of_work
from accord.errors import CalibrationRequired, DomainError
from accord.flows import decisions as flows
from accord.identity.service import Principal
from accord.matching.lookup import text_matches_of_case
from accord.notices import service as notices
from accord.training import practice as training
from accord.web.deps import app_state
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/cases", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]


@router.get("")
def console(request: Request, principal: UiPrincipal, note: str = "") -> HTMLResponse:
    """The console's front page: the next-case button, what waits, what is at risk, agreement figures."""
    request.state.ui_principal = principal
    state = app_state(request)
    with unit_of_work(state.factory) as session:
        figures = dashboard.dashboard(session, state.clock, principal.org_id)
        waiting = [service.describe(c, state.clock)
                   for c in service.list_cases(session, state.clock, principal.org_id, limit=25)]
        context = {"figures": figures, "waiting": waiting, "note": note,
                   "quality": quality.agreement(session, principal.org_id),
                   "wellness": claims.wellness_state(session, state.clock, principal)}
    return render(request, "cases/console.html", context)


@router.post("/next")
def take_next(request: Request, principal: UiPrincipal, post: PostDep) -> Response:
    try:
        with post.unit() as session:
            training.check_live_claim(session, principal)
            result = claims.next_case(session, post.clock, principal)
            case_id = result.case.id if result.case else None
    except CalibrationRequired as exc:
        return RedirectResponse(f"/ui/training?note={_quote(exc.detail)}", status_code=303)
    if case_id is None:
        return RedirectResponse("/ui/cases?note=Nothing+is+waiting.", status_code=303)
    return RedirectResponse(f"/ui/cases/{case_id}", status_code=303)


@router.get("/{case_id}")
def case_page(request: Request, case_id: str, principal: UiPrincipal, error: str = "") -> HTMLResponse:
    """One case: priority and reasons, countdown, blurred media, decisions and the decision form."""
    request.state.ui_principal = principal
    state = app_state(request)
    with unit_of_work(state.factory) as session:
        case = claims.get_case(session, principal.org_id, case_id)
        found = decisions.case_decisions(session, case.id)
        statements = {d.id: decisions.get_statement(session, principal.org_id, d.statement_id)
                      for d in found if d.statement_id}
        context = {"case": service.describe(case, state.clock), "decisions": found, "statements": statements,
                   "wellness": config.wellness(session, principal.org_id, principal.ref), "error": error,
                   "mine": case.claimed_by == principal.ref,
                   "notices": notices.notices_of_case(session, case.id),  # answerable on their own pages too
                   "text_matches": text_matches_of_case(session, principal.org_id, case.id)}
    return render(request, "cases/case.html", context)


def _decision_input(form: dict[str, Any]) -> decisions.DecisionInput:
    countries = [c for c in str(form.get("countries", "")).replace(";", ",").split(",") if c.strip()]
    return decisions.DecisionInput(
        action=str(form.get("action", "")), ground=str(form.get("ground", "")), facts=str(form.get("facts", "")),
        ground_kind=str(form.get("ground_kind") or "") or None,
        ground_explanation=str(form.get("ground_explanation", "")), countries=countries,
        restriction=str(form.get("restriction") or "") or None,
        exempt_purpose=str(form.get("exempt_purpose") or "") or None,
        exemption_assessment=str(form.get("exemption_assessment", "")),
        manifestly_illegal=form.get("manifestly_illegal") == "on",
    )


@router.post("/{case_id}/decide")
async def decide(request: Request, case_id: str, principal: UiPrincipal, post: PostDep) -> Response:
    form = dict((await request.form()).items())
    try:
        with post.unit() as session:
            flows.decide(session, post.clock, principal, case_id, _decision_input(form), settings=post.settings)
    except DomainError as exc:
        return RedirectResponse(f"/ui/cases/{case_id}?error={_quote(exc.detail)}", status_code=303)
    return RedirectResponse(f"/ui/cases/{case_id}", status_code=303)


@router.post("/{case_id}/preview")
async def preview(request: Request, case_id: str, principal: UiPrincipal) -> HTMLResponse:
    """The htmx partial: the statement of reasons this form would produce, or what is still missing."""
    form = dict((await request.form()).items())
    state = app_state(request)
    with state.factory() as session:
        case = claims.get_case(session, principal.org_id, case_id)
        try:
            sor: dict[str, Any] | None = decisions.preview(case, principal.ref, _decision_input(form), state.clock)
            problem = None
        except DomainError as exc:
            sor, problem = None, exc.detail
    return render(request, "cases/_preview.html", {"sor": sor, "problem": problem})


@router.post("/{case_id}/escalate")
def escalate(request: Request, case_id: str, principal: UiPrincipal, post: PostDep, to: Annotated[str, Form()],
             reason: Annotated[str, Form()] = "") -> Response:
    try:
        with post.unit() as session:
            escalation.escalate(session, post.clock, principal, case_id, to=to, reason=reason)
    except DomainError as exc:
        return RedirectResponse(f"/ui/cases/{case_id}?error={_quote(exc.detail)}", status_code=303)
    return RedirectResponse(f"/ui/cases/{case_id}", status_code=303)


@router.post("/{case_id}/release")
def release(request: Request, case_id: str, principal: UiPrincipal, post: PostDep) -> Response:
    with post.unit() as session:
        claims.release(session, post.clock, principal, case_id)
    return RedirectResponse("/ui/cases", status_code=303)


def _quote(text: str) -> str:
    return quote(text[:300])
