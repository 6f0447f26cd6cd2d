"""Referral Action Days in the UI (EUR-04): create a day, upload its notices, follow every provider's answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from accord.errors import InvalidInput
from accord.identity.service import Principal
from accord.notices import action_days, batch
from accord.web.deps import app_state
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/action-days", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]
MAX_UPLOAD = 20 * 1024 * 1024


@router.get("")
def day_list(request: Request, principal: UiPrincipal) -> HTMLResponse:
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        days = action_days.list_days(session, principal)
    return render(request, "action_days/list.html", {"days": days})


def _deadline(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("the deadline is a date and time, e.g. 2026-12-08T18:00", field="deadline_at") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # the UI shows times in UTC


@router.post("")
def create_day(request: Request, principal: UiPrincipal, post: PostDep, name: Annotated[str, Form()],
               deadline_at: Annotated[str, Form()], description: Annotated[str, Form()] = "") -> Response:
    state = post.state
    with post.unit() as session:
        day = action_days.create(session, state.clock, principal, name=name, deadline_at=_deadline(deadline_at),
                                 description=description)
    return RedirectResponse(f"/ui/action-days/{day.id}", status_code=303)


def _detail(request: Request, principal: Principal, day_id: str, report: batch.BatchReport | None = None,
            status: int = 200) -> HTMLResponse:
    request.state.ui_principal = principal
    state = app_state(request)
    with state.factory() as session:
        found = action_days.summary(session, state.clock, principal, day_id)
    return render(request, "action_days/detail.html",
                  {"s": found, "answers": action_days.ANSWERS, "report": report}, status=status)


@router.get("/{day_id}")
def day_detail(request: Request, day_id: str, principal: UiPrincipal) -> HTMLResponse:
    return _detail(request, principal, day_id)


@router.post("/{day_id}/notices")
async def upload_notices(request: Request, day_id: str, principal: UiPrincipal, post: PostDep,
                         file: UploadFile) -> HTMLResponse:
    name = (file.filename or "").lower()
    kind = "csv" if name.endswith(".csv") else "jsonl" if name.endswith((".jsonl", ".ndjson")) else None
    if kind is None:
        raise InvalidInput("upload a .csv or .jsonl file of notices", field="file")
    raw = await file.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise InvalidInput("the file is larger than 20 MB; split it", field="file")
    lines = batch.parse(raw.decode("utf-8-sig", errors="replace"), kind)
    state = post.state
    report = await run_in_threadpool(action_days.import_notices, state.factory, state.clock, state.settings,
                                     principal, day_id, lines)
    return _detail(request, principal, day_id, report)
