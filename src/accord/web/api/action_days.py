"""/v1/action-days: Referral Action Days (EUR-04), a campaign of notices with one shared deadline and a summary."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from accord.errors import InvalidInput
from accord.identity.service import Principal
from accord.notices import action_days, batch
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep, app_state
from accord.web.schemas.action_days import (
    ActionDayImportOut,
    ActionDayIn,
    ActionDayOut,
    ActionDaySummaryOut,
    ProviderLineOut,
)

router = APIRouter(prefix="/v1", tags=["notices"])
Reader = Annotated[Principal, Depends(Scoped("notices:read"))]
Writer = Annotated[Principal, Depends(Scoped("notices:write"))]

_LINES_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/x-ndjson": {"schema": {"type": "string"}}}}}


@router.post("/action-days", status_code=201)
def create_action_day(body: ActionDayIn, principal: Writer, session: SessionDep, clock: ClockDep) -> ActionDayOut:
    """A Referral Action Day: its notices are imported into it and share its deadline."""
    day = action_days.create(session, clock, principal, name=body.name, deadline_at=body.deadline_at,
                             description=body.description)
    return ActionDayOut.model_validate(day)


@router.get("/action-days")
def list_action_days(principal: Reader, session: SessionDep) -> list[ActionDayOut]:
    return [ActionDayOut.model_validate(d) for d in action_days.list_days(session, principal)]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _lines(request: Request, raw: bytes) -> list[tuple[int, Any]]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = raw.decode("utf-8-sig", errors="replace")
    if kind in ("text/csv", "application/csv"):
        return batch.parse(text, "csv")
    if kind in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
        return batch.parse(text, "jsonl")
    raise InvalidInput("send the day's notices as text/csv or application/x-ndjson", field="body")


@router.post("/action-days/{day_id}/notices", openapi_extra=_LINES_BODY)
def import_action_day_notices(day_id: str, request: Request, principal: Writer, session: SessionDep,
                              clock: ClockDep, settings: SettingsDep,
                              raw: Annotated[bytes, Depends(_raw_body)]) -> ActionDayImportOut:
    """The day's notices, CSV or JSON lines as `/v1/notices/batch` takes them: a report per line, committed every
    500 lines, each accepted notice dispatched to its provider and counted in the day's summary."""
    action_days.get(session, principal, day_id)  # another organisation's day: 404 before the body is parsed
    lines = _lines(request, raw)
    session.commit()  # the key's last use; chunks write in their own units of work (SQLite: one writer)
    report = action_days.import_notices(app_state(request).factory, clock, settings, principal, day_id, lines)
    return ActionDayImportOut.model_validate({"accepted": report.accepted, "refused": report.refused,
                                              "lines": report.lines})


@router.get("/action-days/{day_id}")
def action_day_summary(day_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> ActionDaySummaryOut:
    """Per provider: notices, acknowledged, answered and how, open, and late against the shared deadline."""
    found = action_days.summary(session, clock, principal, day_id)
    return ActionDaySummaryOut(
        action_day=ActionDayOut.model_validate(found.day), notices=found.notices, providers=len(found.providers),
        acknowledged=found.acknowledged, answered=found.answered, late=found.late,
        past_deadline=found.past_deadline, by_outcome=found.by_outcome,
        per_provider=[ProviderLineOut(provider_id=p.provider_id, provider_name=p.provider_name, notices=p.notices,
                                      acknowledged=p.acknowledged, answered=p.answered, open=p.open, late=p.late,
                                      by_outcome={a: p.by_outcome[a] for a in action_days.ANSWERS})
                      for p in found.providers])
