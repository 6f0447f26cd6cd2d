"""/v1/scans: the organisation's retroactive scans and their figures (scans are run by ``accord scan``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from accord.identity.service import Principal
from accord.scans import service
from accord.web.deps import Scoped, SessionDep
from accord.web.schemas.scans import ScanOut

router = APIRouter(prefix="/v1", tags=["scans"])
Reader = Annotated[Principal, Depends(Scoped("match"))]


@router.get("/scans")
def list_scans(principal: Reader, session: SessionDep,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[ScanOut]:
    """Your organisation's scans, newest first, with items read, matched and failed, and matches per bank and
    label."""
    return [ScanOut.model_validate(s) for s in service.list_scans(session, principal.org_id, limit=limit)]


@router.get("/scans/{scan_id}")
def get_scan(scan_id: str, principal: Reader, session: SessionDep) -> ScanOut:
    """One scan (another organisation's is 404)."""
    return ScanOut.model_validate(service.get_scan(session, principal.org_id, scan_id))
