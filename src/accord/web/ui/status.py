"""``/status/<token>``: the page a complainant, a public notifier or an uploader reaches by the link they were
sent, without a login. The token is the capability; it opens one status and nothing else. The same address
answers JSON to ``Accept: application/json``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from accord.db import unit_of_work
from accord.errors import DomainError
from accord.rights import delivery, status
from accord.web.deps import app_state
from accord.web.problems import problem
from accord.web.ui.views import render

router = APIRouter(prefix="/status", include_in_schema=False)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _answer(request: Request, context: dict[str, Any], code: int = 200) -> Response:
    if _wants_json(request):
        filed = context.get("filed")
        body = {**context["view"].as_dict(), "filed": filed} if filed else context["view"].as_dict()
        return JSONResponse(body, status_code=code)
    return render(request, "status/status.html", context, status=code)


def _error(request: Request, exc: DomainError) -> Response:
    if _wants_json(request):
        return problem(exc.status, exc.slug, exc.title, exc.detail, request.url.path, field=exc.field)
    return render(request, "error.html", {"title": exc.title, "detail": exc.detail}, status=exc.status)


@router.get("/{token}")
def status_page(request: Request, token: str) -> Response:
    """The notice or complaint, the decision, its reasons, the redress, and the complaint form where allowed."""
    state = app_state(request)
    try:
        with state.factory() as session:
            view = status.view(session, state.clock, token)
    except DomainError as exc:
        return _error(request, exc)
    return _answer(request, {"view": view, "token": token, "filed": None, "error": None})


@router.post("/{token}")
def complain(request: Request, token: str, statement: Annotated[str, Form()] = "",
             contact: Annotated[str, Form()] = "") -> Response:
    """File a complaint from the page; the answer carries the new complaint's own status link."""
    state = app_state(request)
    try:
        with unit_of_work(state.factory) as session:
            filed = status.file(session, state.clock, state.settings, token=token, statement=statement,
                                contact=contact.strip() or None)
            receipt = {"complaint_id": filed.complaint.id, "deadline_at": filed.complaint.deadline_at.isoformat(),
                       "status_url": delivery.status_url(state.settings, filed.status_token)}
    except DomainError as exc:
        return _refused(request, token, exc)
    with state.factory() as session:
        view = status.view(session, state.clock, token)
    return _answer(request, {"view": view, "token": token, "filed": receipt, "error": None}, 201)


def _refused(request: Request, token: str, exc: DomainError) -> Response:
    state = app_state(request)
    try:
        with state.factory() as session:
            view = status.view(session, state.clock, token)
    except DomainError as missing:
        return _error(request, missing)
    if _wants_json(request):
        return _error(request, exc)
    return render(request, "status/status.html", {"view": view, "token": token, "filed": None,
                                                  "error": exc.detail}, status=exc.status)
