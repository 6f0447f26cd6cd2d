"""Readiness pages: the score with what to fix, drills with their scorecards, joint exercises and their report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from accord.banks.service import NewSignal
from accord.clock import Clock
from accord.errors import InvalidInput
from accord.identity.service import Principal, list_organisations
from accord.jobs import webhooks
from accord.readiness import drills, exercises, score
from accord.web.deps import app_state
from accord.web.ui import home_pages
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/readiness", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]


def _context(session: Session, clock: Clock, principal: Principal) -> dict[str, Any]:
    found = drills.list_drills(session, principal)
    context: dict[str, Any] = {
        "cards": [drills.scorecard(session, clock, d) for d in found], "names": home_pages.names(session),
        "exercises": exercises.list_exercises(session, principal),
        "providers": list_organisations(session, "provider") if principal.org_kind != "provider" else [],
        "readiness": score.visible(session, clock, principal) if principal.org_kind in ("provider", "coordinator")
        else [],
    }
    return context


@router.get("")
def readiness_home(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """A provider's score with what to fix; the coordinator's overview; everyone's drills and exercises."""
    request.state.ui_principal = principal
    state = app_state(request)
    with state.factory() as session:
        context = _context(session, state.clock, principal)
    return render(request, "readiness/index.html", context)


@router.get("/drills")
def drills_page(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """The drills the organisation organised or was drilled by, and the form to schedule one."""
    request.state.ui_principal = principal
    state = app_state(request)
    with state.factory() as session:
        context = _context(session, state.clock, principal)
    return render(request, "readiness/drills.html", context)


@router.get("/drills/{drill_id}")
def drill_page(request: Request, drill_id: str, principal: UiPrincipal) -> HTMLResponse:
    """One drill's scorecard: the times of each step and what to fix."""
    request.state.ui_principal = principal
    state = app_state(request)
    with state.factory() as session:
        card = drills.scorecard(session, state.clock, drills.get_drill(session, principal, drill_id))
        names = home_pages.names(session)
    return render(request, "readiness/drill.html", {"card": card, "names": names})


def _moment(value: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("give a date and time (YYYY-MM-DDTHH:MM, UTC)", field=field) from None


@router.post("/drills")
def schedule(request: Request, principal: UiPrincipal, post: PostDep, provider_id: Annotated[str, Form()],
             starts_after: Annotated[str, Form()], ends_before: Annotated[str, Form()]) -> Response:
    """Schedule a drill (a provider: a self-drill)."""
    with post.unit() as session:
        drill = drills.schedule(session, post.clock, principal, provider_id=provider_id,
                                starts_after=_moment(starts_after, "starts_after"),
                                ends_before=_moment(ends_before, "ends_before"), rng=app_state(request).rng)
        drill_id = drill.id
    return RedirectResponse(f"/ui/readiness/drills/{drill_id}", status_code=303)


@router.post("/webhook-test")
def webhook_test(request: Request, principal: UiPrincipal, post: PostDep) -> Response:
    """Send a signed test to every active webhook endpoint; the score turns green once one answers."""
    principal.require_role("admin")
    with post.unit() as session:
        webhooks.send_test(session, post.clock, principal.actor, org_id=principal.org_id)
    return RedirectResponse("/ui/readiness?tested=1", status_code=303)


@router.post("/exercises")
def start_exercise(request: Request, principal: UiPrincipal, post: PostDep, title: Annotated[str, Form()],
                   starts_after: Annotated[str, Form()], ends_before: Annotated[str, Form()],
                   provider_ids: Annotated[list[str], Form()], scenario: Annotated[str, Form()] = "",
                   md5: Annotated[str, Form()] = "") -> Response:
    """The coordinator's joint exercise."""
    signals = [NewSignal(type="md5", value=v.strip()) for v in md5.split() if v.strip()]
    with post.unit() as session:
        exercise = exercises.start(session, post.clock, principal, title=title, scenario=scenario,
                                   provider_ids=provider_ids, starts_after=_moment(starts_after, "starts_after"),
                                   ends_before=_moment(ends_before, "ends_before"), signals=signals,
                                   rng=app_state(request).rng)
        exercise_id = exercise.id
    return RedirectResponse(f"/ui/readiness/exercises/{exercise_id}", status_code=303)


@router.get("/exercises/{exercise_id}")
def exercise_page(request: Request, exercise_id: str, principal: UiPrincipal) -> HTMLResponse:
    """The exercise's report: every provider for the coordinator, one's own row and the group for a provider."""
    request.state.ui_principal = principal
    state = app_state(request)
    with state.factory() as session:
        found = exercises.report(session, state.clock, principal, exercise_id)
    return render(request, "readiness/exercise.html", {"r": found})
