"""The transparency report page: charts and every figure of the year, plus trusted-flagger accuracy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.transparency import charts, render, reports, service, tdb
from accord.transparency.models import SUBMISSION_STATES
from accord.web.deps import app_state
from accord.web.schemas.common import OptionalYear
from accord.web.ui.auth import ui_principal
from accord.web.ui.views import render as render_page

router = APIRouter(prefix="/ui/transparency", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]
PUBLISHERS = ("provider", "authority")  # who publishes a report (TCO Art. 7 and 8, DSA Art. 15 and 24)


@router.get("")
def report_page(request: Request, principal: UiPrincipal, year: OptionalYear = None) -> HTMLResponse:
    request.state.ui_principal = principal
    state = app_state(request)
    chosen = year or state.clock.now().year
    with state.factory() as session:
        flaggers = service.flagger_figures(session, org_id=principal.org_id, org_kind=principal.org_kind)
        report = reports.report_for(session, state.clock, org_id=principal.org_id, year=chosen) \
            if principal.org_kind in PUBLISHERS else None
        ids = {f.get(k) for f in flaggers for k in ("provider_id", "flagger_id")} - {None}
        query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
        names: dict[str, str] = {row[0]: row[1] for row in session.execute(query)}
    context = {
        "names": names,
        "report": report or {"year": chosen, "organisation": {"name": "Trusted flagger"}, "generated_at": ""},
        "charts": charts.charts_of(report) if report else [],
        "rows": list(render.flatten(report)) if report else [],
        "flaggers": flaggers,
        "own": principal.org_kind == "trusted_flagger",
        "publisher": principal.org_kind in PUBLISHERS,
    }
    return render_page(request, "transparency/report.html", context)


@router.get("/statements")
def statements_page(request: Request, principal: UiPrincipal, state: str | None = None) -> HTMLResponse:
    """Statements of reasons with their Transparency Database status; a refusal shows the Database's errors."""
    request.state.ui_principal = principal
    principal.require_kind("provider")
    chosen = state or None
    with app_state(request).factory() as session:
        rows = tdb.statuses(session, principal.org_id, state=chosen)
    return render_page(request, "transparency/statements.html",
                       {"rows": rows, "state": chosen or "", "states": SUBMISSION_STATES})
