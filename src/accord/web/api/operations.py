"""The organisation's audit trail and jobs; /healthz and /metrics for operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from accord.audit import service as audit
from accord.db import unit_of_work
from accord.identity.service import Principal
from accord.jobs import service as jobs
from accord.web.deps import ClockDep, Scoped, SessionDep, app_state
from accord.web.schemas.common import Limit, OptionalPosition
from accord.web.schemas.identity import AuditEventOut, JobOut

router = APIRouter(prefix="/v1", tags=["operations"])
public = APIRouter(tags=["operations"])
AuditReader = Annotated[Principal, Depends(Scoped("audit:read"))]
JobReader = Annotated[Principal, Depends(Scoped("jobs:read"))]
JobAdmin = Annotated[Principal, Depends(Scoped("jobs:admin"))]


@router.get("/audit/events")
def audit_events(principal: AuditReader, session: SessionDep, tag: str | None = None,
                 before: OptionalPosition = None, limit: Limit = 100) -> list[AuditEventOut]:
    events = audit.list_events(session, org_id=principal.org_id, tag_prefix=tag, before_seq=before,
                               limit=max(1, min(limit, 1000)))
    return [AuditEventOut.model_validate(e) for e in events]


@router.get("/jobs")
def list_jobs(principal: JobReader, session: SessionDep, state: str | None = None) -> list[JobOut]:
    return [JobOut.model_validate(j) for j in jobs.list_jobs(session, org_id=principal.org_id, state=state)]


@router.post("/jobs/{job_id}/retry")
def retry_job(job_id: str, principal: JobAdmin, session: SessionDep, clock: ClockDep) -> JobOut:
    return JobOut.model_validate(jobs.retry_dead(session, clock, principal.actor, job_id, principal.org_id))


@public.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> JSONResponse:
    try:
        with unit_of_work(app_state(request).factory) as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "failing", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "reachable"})


@public.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    registry = app_state(request).metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
