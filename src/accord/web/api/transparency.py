"""/v1/transparency: yearly reports, statement-of-reasons export and trusted-flagger accuracy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from accord.identity.service import Principal
from accord.rights import profile
from accord.transparency import disputes, service, tdb
from accord.web.deps import ClockDep, Scoped, SessionDep, app_state
from accord.web.schemas.common import Year
from accord.web.schemas.transparency import (
    AlertThresholdIn,
    AlertThresholdOut,
    DisputeIn,
    DisputeOut,
    DisputeOutcomeIn,
    FlaggerAccuracyOut,
    SubmissionOut,
)

router = APIRouter(prefix="/v1", tags=["transparency"])
Reader = Annotated[Principal, Depends(Scoped("reports:read"))]
Writer = Annotated[Principal, Depends(Scoped("rights:write"))]
_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8",
          "dsa-template": "application/json", "dsa-template-csv": "text/csv; charset=utf-8"}


class NdjsonResponse(StreamingResponse):
    media_type = "application/x-ndjson"


_TEXT = {"schema": {"type": "string"}}
_REPORT_MEDIA = {"application/json": {"schema": {"type": "object"}}, "text/csv": _TEXT, "text/html": _TEXT}


@router.get("/transparency/report",
            responses={200: {"description": "The report in the format asked for", "content": _REPORT_MEDIA}})
def report(principal: Reader, session: SessionDep, clock: ClockDep, year: Year,
           fmt: Annotated[str, Query(alias="format", description="json, csv, html; for a provider also "
                                     "dsa-template or dsa-template-csv (Implementing Regulation (EU) "
                                     "2024/2835)")] = "json") -> Response:
    """The caller's yearly report (TCO Art. 7 and DSA Art. 15/24 for a provider, TCO Art. 8 for an authority);
    ``dsa-template`` lays the DSA figures out in the harmonised template's eleven sections."""
    body = service.report(session, clock, org_id=principal.org_id, year=year, fmt=fmt)
    return Response(body, media_type=_MEDIA[fmt])


@router.get("/transparency/statements", response_class=NdjsonResponse,
            responses={200: {"description": "One JSON statement of reasons a line",
                             "content": {"application/x-ndjson": _TEXT}}})
def statements(request: Request, principal: Reader, since: datetime | None = None) -> NdjsonResponse:
    """Statements of reasons as JSON lines, each the body of the Transparency Database's single POST."""
    factory = app_state(request).factory

    def lines() -> Iterator[str]:
        with factory() as session:
            yield from service.statement_lines(session, provider_id=principal.org_id, since=since)

    return NdjsonResponse(lines())


@router.get("/transparency/submissions")
def submissions(principal: Reader, session: SessionDep,
                state: Annotated[str | None, Query(description="pending, accepted or rejected")] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[SubmissionOut]:
    """The provider's statements of reasons with their Transparency Database status (DSA Art. 24(5)), newest
    first; a rejected one carries the Database's errors by field."""
    principal.require_kind("provider")
    return [SubmissionOut.model_validate(row) for row in tdb.statuses(session, principal.org_id, state=state,
                                                                       limit=limit)]


@router.get("/transparency/flaggers")
def flagger_accuracy(principal: Reader, session: SessionDep) -> list[FlaggerAccuracyOut]:
    """DSA Art. 22(6): per flagger (for a provider) or the flagger's own figures (for a trusted flagger)."""
    figures = service.flagger_figures(session, org_id=principal.org_id, org_kind=principal.org_kind)
    return [FlaggerAccuracyOut.model_validate(f) for f in figures]


@router.put("/transparency/flaggers/alert-threshold")
def set_alert_threshold(body: AlertThresholdIn, principal: Writer, session: SessionDep,
                        clock: ClockDep) -> AlertThresholdOut:
    principal.require_kind("provider")
    profile.set_alert_threshold(session, clock, principal.actor, org_id=principal.org_id, below=body.below)
    return AlertThresholdOut(below=body.below)


@router.post("/disputes", status_code=201)
def file_dispute(body: DisputeIn, principal: Writer, session: SessionDep, clock: ClockDep) -> DisputeOut:
    """Record that a certified out-of-court body was seized of a dispute about a decision (DSA Art. 21)."""
    principal.require_kind("provider")
    dispute = disputes.file_dispute(session, clock, principal.actor, provider_id=principal.org_id,
                                    decision_id=body.decision_id, body_name=body.body_name,
                                    certified_by=body.certified_by, reference=body.reference, filed_at=body.filed_at)
    return DisputeOut.model_validate(disputes.as_dict(dispute))


@router.post("/disputes/{dispute_id}/outcome")
def decide_dispute(dispute_id: str, body: DisputeOutcomeIn, principal: Writer, session: SessionDep,
                   clock: ClockDep) -> DisputeOut:
    """Record the certified body's outcome; counted in the DSA report (Art. 24(1)(a))."""
    principal.require_kind("provider")
    dispute = disputes.decide_dispute(session, clock, principal.actor, provider_id=principal.org_id,
                                      dispute_id=dispute_id, outcome=body.outcome, note=body.note)
    return DisputeOut.model_validate(disputes.as_dict(dispute))


@router.get("/disputes")
def list_disputes(principal: Reader, session: SessionDep) -> list[DisputeOut]:
    principal.require_kind("provider")
    return [DisputeOut.model_validate(disputes.as_dict(d)) for d in disputes.list_disputes(session, principal.org_id)]
