"""The scans pages: the organisation's retroactive scans with their figures, and one scan in detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from accord.identity.service import Principal
from accord.scans import service
from accord.web.deps import app_state
from accord.web.ui.auth import ui_principal
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/scans", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]


@router.get("")
def scans_page(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """Every scan of the organisation, newest first: items read, matched, failed, and cases opened."""
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        scans = service.list_scans(session, principal.org_id)
    return render(request, "scans/list.html", {"scans": scans})


@router.get("/{scan_id}")
def scan_page(request: Request, scan_id: str, principal: UiPrincipal) -> HTMLResponse:
    """One scan: its sources, progress, matches per bank and per label, and the items it could not read."""
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        scan = service.get_scan(session, principal.org_id, scan_id)
    return render(request, "scans/detail.html", {"scan": scan})
