"""Training mode of the review console: golden sets, deciding a golden case then reading the reference and its
reasoning, accuracy and Cohen's kappa per reviewer, and the calibration rule. Nothing here acts on content."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.cases import config
from accord.db import unit_of_work
from accord.errors import DomainError, InvalidInput
from accord.identity.service import Principal
from accord.training import practice, sets
from accord.training.models import TrainingAnswer
from accord.web.deps import app_state
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/training", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]
Text = Annotated[str, Form()]


@router.get("")
def training_page(request: Request, principal: UiPrincipal, note: str = "", error: str = "") -> HTMLResponse:
    """Golden sets to train on, the trainee's calibration, every reviewer's accuracy and kappa, the rule."""
    request.state.ui_principal = principal
    state = app_state(request)
    with unit_of_work(state.factory) as session:
        found = sets.visible_sets(session, principal.org_id)
        context = {"sets": found, "counts": sets.set_counts(session, found), "note": note, "error": error,
                   "calibration": practice.calibration(session, principal.org_id, principal.ref),
                   "agreement": practice.agreement(session, principal.org_id),
                   "rule": practice.get_rule(session, principal.org_id),
                   "admin": principal.role in (None, "admin")}
    return render(request, "training/index.html", context)


def _back(path: str, exc: DomainError) -> RedirectResponse:
    return RedirectResponse(f"{path}?error={quote(exc.detail[:300])}", status_code=303)


@router.post("/sets")
def create_set(request: Request, principal: UiPrincipal, post: PostDep, name: Text, description: Text = "",
               visibility: Text = "private", shared_with: Text = "") -> Response:
    shared = [s.strip() for s in shared_with.replace(";", ",").split(",") if s.strip()]
    try:
        with post.unit() as session:
            golden = sets.create_set(session, post.clock, principal, name=name, description=description,
                                     visibility=visibility, shared_with=shared)
            set_id = golden.id
    except DomainError as exc:
        return _back("/ui/training", exc)
    return RedirectResponse(f"/ui/training/sets/{set_id}", status_code=303)


@router.post("/rule")
def set_rule(request: Request, principal: UiPrincipal, post: PostDep, cases: Annotated[int, Form()] = 10,
             min_accuracy: Annotated[float, Form()] = 0.8, min_kappa: Text = "", set_id: Text = "",
             required: Text = "") -> Response:
    try:
        kappa = float(min_kappa) if min_kappa.strip() else None
    except ValueError:
        return _back("/ui/training", InvalidInput("the kappa threshold is a number", field="min_kappa"))
    try:
        with post.unit() as session:
            practice.set_rule(session, post.clock, principal, required=required == "on", cases=cases,
                              min_accuracy=min_accuracy, min_kappa=kappa, set_id=set_id or None)
    except DomainError as exc:
        return _back("/ui/training", exc)
    return RedirectResponse("/ui/training?note=Calibration+rule+saved.", status_code=303)


@router.get("/sets/{set_id}")
def set_page(request: Request, set_id: str, principal: UiPrincipal, error: str = "") -> HTMLResponse:
    """One golden set: its cases (which the trainee answered already), and for its owner the forms that add."""
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        golden = sets.get_set(session, principal.org_id, set_id)
        cases = sets.cases_of(session, [golden.id])
        answered = practice.answered(session, principal.org_id, principal.ref, [c.id for c in cases])
        context = {"set": golden, "cases": cases, "answered": answered, "error": error,
                   "owner": golden.org_id == principal.org_id and principal.role in (None, "admin")}
    return render(request, "training/set.html", context)


@router.post("/sets/{set_id}/cases")
def add_case(request: Request, set_id: str, principal: UiPrincipal, post: PostDep, title: Text, facts: Text,
             reference_action: Text, reference_ground: Text, reference_reasons: Text,
             media_url: Text = "", labels: Text = "") -> Response:
    written = sets.WrittenCase(
        title=title, facts=facts, reference_action=reference_action, reference_ground=reference_ground,
        reference_reasons=reference_reasons, media=[{"url": media_url, "type": "image"}] if media_url else [],
        labels=[x.strip() for x in labels.split(",") if x.strip()])
    try:
        with post.unit() as session:
            sets.add_written(session, post.clock, principal, set_id, written)
    except DomainError as exc:
        return _back(f"/ui/training/sets/{set_id}", exc)
    return RedirectResponse(f"/ui/training/sets/{set_id}", status_code=303)


@router.post("/sets/{set_id}/from-decision")
def add_from_decision(request: Request, set_id: str, principal: UiPrincipal, post: PostDep, decision_id: Text,
                      title: Text = "") -> Response:
    try:
        with post.unit() as session:
            sets.add_from_decision(session, post.clock, principal, set_id, decision_id.strip(), title=title)
    except DomainError as exc:
        return _back(f"/ui/training/sets/{set_id}", exc)
    return RedirectResponse(f"/ui/training/sets/{set_id}", status_code=303)


@router.get("/sets/{set_id}/cases/{golden_case_id}")
def case_page(request: Request, set_id: str, golden_case_id: str, principal: UiPrincipal, answer: str = "",
              error: str = "") -> HTMLResponse:
    """Training mode: the golden case under the wellness settings and a decision form; after deciding, the
    trainee's answer beside the reference decision and its reasoning."""
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        case = sets.get_case(session, principal.org_id, set_id, golden_case_id)
        given = _own_answer(session, principal, case.id, answer) if answer else None
        context: dict[str, Any] = {
            "case": case, "set_id": set_id, "given": given, "error": error,
            "wellness": config.wellness(session, principal.org_id, principal.ref),
            "calibration": practice.calibration(session, principal.org_id, principal.ref) if given else None}
    return render(request, "training/case.html", context)


def _own_answer(session: Any, principal: Principal, golden_case_id: str, answer_id: str) -> TrainingAnswer | None:
    row = session.get(TrainingAnswer, answer_id)
    mine = row is not None and row.org_id == principal.org_id and row.reviewer == principal.ref
    return row if mine and row.golden_case_id == golden_case_id else None


@router.post("/sets/{set_id}/cases/{golden_case_id}/answer")
def answer(request: Request, set_id: str, golden_case_id: str, principal: UiPrincipal, post: PostDep,
           action: Text = "", ground: Text = "", reasons: Text = "") -> Response:
    path = f"/ui/training/sets/{set_id}/cases/{golden_case_id}"
    try:
        with post.unit() as session:
            feedback = practice.answer(session, post.clock, principal, set_id, golden_case_id,
                                       practice.Answer(action=action, ground=ground, reasons=reasons))
            answer_id = feedback.answer.id
    except DomainError as exc:
        return _back(path, exc)
    return RedirectResponse(f"{path}?answer={answer_id}", status_code=303)
