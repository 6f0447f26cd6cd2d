"""Campaign pages: the list, a campaign with its charts, impact tables and allocation, and the lessons library."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from accord.db import unit_of_work
from accord.errors import DomainError, InvalidInput
from accord.identity.service import Principal
from accord.narratives import lessons as lesson_service
from accord.narratives import service
from accord.web.deps import app_state
from accord.web.ui import chart_text
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/campaigns", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]
MAX_UPLOAD = 20 * 1024 * 1024

EXAMPLE = {
    "name": "Second chances",
    "goal": "Raise get-help clicks among people searching for recruitment videos by 20%",
    "audience": "French-speaking young people searching for propaganda",
    "message": "Violence takes everything; there is a way out",
    "messenger": "Former extremists and peers",
    "media": "Search adverts leading to curated playlists",
    "action": "Talk to a counsellor",
    "evaluation": "Weekly review of watch time and get-help clicks; backfire check on the primary outcome",
    "variants": [
        {"key": "control", "control": True, "messenger": "official", "format": "text"},
        {"key": "former", "messenger": "former_extremist", "format": "video"},
    ],
    "segments": [{"key": "fr-fr", "country": "FR", "language": "fr"}],
    "experiment": {"primary_outcome": "get_help_clicks", "allocation": "thompson", "min_share": 0.1},
}


def _writer(principal: Principal) -> None:
    """A state-changing form (its CSRF token checked by ``PostDep``): auditors only read."""
    principal.require_role("analyst", "submitter", "reviewer")


def _page(request: Request, principal: Principal, template: str, context: dict[str, Any],
          status: int = 200) -> HTMLResponse:
    request.state.ui_principal = principal
    return render(request, template, context, status)


@router.get("")
def campaigns(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """The organisation's campaigns and a form to start one."""
    with app_state(request).factory() as session:
        rows = service.list_campaigns(session, principal.org_id)
    return _page(request, principal, "narratives/list.html",
                 {"campaigns": rows, "example": json.dumps(EXAMPLE, indent=2), "error": None})


@router.post("")
def create(request: Request, principal: UiPrincipal, post: PostDep, spec: Annotated[str, Form()]) -> Response:
    """Create a campaign from its JSON plan (the same document as ``POST /v1/campaigns``)."""
    _writer(principal)
    try:
        data = _json_object(spec)
        with post.unit() as session:
            campaign_id = service.create_campaign(session, post.clock, principal.actor, org_id=principal.org_id,
                                                  data=data).id
    except InvalidInput as exc:
        with post.factory() as session:
            rows = service.list_campaigns(session, principal.org_id)
        error = f"{exc.field}: {exc.detail}" if exc.field else exc.detail
        return _page(request, principal, "narratives/list.html",
                     {"campaigns": rows, "example": spec, "error": error}, status=422)
    return RedirectResponse(f"/ui/campaigns/{campaign_id}", status_code=303)


def _json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} (line {exc.lineno})", field="spec") from None
    if not isinstance(data, dict):
        raise InvalidInput("the plan must be a JSON object", field="spec")
    return data


@router.get("/library")
def library(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """Lessons published by every organisation on this instance."""
    with app_state(request).factory() as session:
        items = lesson_service.list_lessons(session)
    return _page(request, principal, "narratives/library.html", {"lessons": items})


@router.get("/library/{ref}")
def lesson(request: Request, ref: str, principal: UiPrincipal) -> HTMLResponse:
    """One published lesson with its anonymised tables and charts."""
    with app_state(request).factory() as session:
        item = lesson_service.get_lesson(session, ref)
    return _page(request, principal, "narratives/lesson.html",
                 {"lesson": item, "report": item.results, "charts": chart_text.campaign_charts(item.results),
                  "chart_base": f"/ui/campaigns/library/{item.id}/charts"})


@router.get("/library/{ref}/charts/{name}.png")
def lesson_chart(request: Request, ref: str, name: str, principal: UiPrincipal) -> Response:
    """A chart of a published lesson."""
    with app_state(request).factory() as session:
        png = lesson_service.lesson_chart(session, ref, name)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


@router.get("/{campaign_id}")
def campaign(request: Request, campaign_id: str, principal: UiPrincipal) -> HTMLResponse:
    """The campaign page: plan, charts, impact tables, stop rules, allocation, import and publish forms."""
    query = request.query_params
    with app_state(request).factory() as session:
        context = _campaign_context(session, principal, campaign_id)
    context["imported"] = query.get("imported")
    context["sample"] = _sample(query.get("control_rate"), query.get("variant_rate"))
    return _page(request, principal, "narratives/campaign.html", context)


def _campaign_context(session: Session, principal: Principal, campaign_id: str) -> dict[str, Any]:
    item = service.get_campaign(session, principal.org_id, campaign_id)
    report = service.impact(session, principal.org_id, item.id)
    return {
        "campaign": item,
        "texts": service.texts_of(item),
        "variants": service.variants_of(session, item.id),
        "segments": service.segments_of(session, item.id),
        "rules": service.list_redirect_rules(session, principal.org_id, item.id),
        "report": report,
        "allocation": service.allocation(session, principal.org_id, item.id),
        "lesson": lesson_service.lesson_of(session, item.id),
        "charts": chart_text.campaign_charts(report),
        "chart_base": f"/ui/campaigns/{item.id}/charts",
        "problems": [],
        "imported": None,
        "sample": None,
    }


def _sample(control: str | None, variant: str | None) -> dict[str, Any] | None:
    if not control or not variant:
        return None
    try:
        return service.sample_size(float(control), float(variant))
    except (ValueError, DomainError) as exc:
        return {"error": getattr(exc, "detail", "rates must be numbers such as 0.02")}


@router.get("/{campaign_id}/charts/{name}.png")
def chart(request: Request, campaign_id: str, name: str, principal: UiPrincipal) -> Response:
    """A PNG chart drawn on the server (no network, no script)."""
    with app_state(request).factory() as session:
        png = service.chart(session, principal.org_id, campaign_id, name)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


@router.post("/{campaign_id}/figures")
async def import_figures(request: Request, campaign_id: str, principal: UiPrincipal, post: PostDep,
                         file: Annotated[UploadFile, File()]) -> Response:
    """Import a CSV of daily figures; problems are listed on the page, line by line."""
    _writer(principal)
    text = (await file.read(MAX_UPLOAD + 1)).decode("utf-8-sig", errors="replace")
    return _import(request, principal, campaign_id, text)


def _import(request: Request, principal: Principal, campaign_id: str, text: str) -> Response:
    state = app_state(request)
    try:
        if len(text) > MAX_UPLOAD:
            raise InvalidInput("the file is larger than 20 MB", field="file")
        with unit_of_work(state.factory) as session:
            result = service.import_figures_csv(session, state.clock, principal.actor, org_id=principal.org_id,
                                                campaign_id=campaign_id, text=text, source="ui")
    except InvalidInput as exc:
        with state.factory() as session:
            context = _campaign_context(session, principal, campaign_id)
        context["problems"] = exc.extra.get("problems") or [{"line": "", "field": exc.field, "message": exc.detail}]
        return _page(request, principal, "narratives/campaign.html", context, status=422)
    summary = f"{result.inserted} new, {result.updated} updated, {result.unchanged} unchanged"
    return RedirectResponse(f"/ui/campaigns/{campaign_id}?imported={summary}", status_code=303)


@router.post("/{campaign_id}/publish")
def publish(request: Request, campaign_id: str, principal: UiPrincipal, post: PostDep, title: Annotated[str, Form()],
            lessons: Annotated[str, Form()], name_organisation: Annotated[bool, Form()] = False) -> Response:
    """Publish the anonymised results and lessons to the library."""
    _writer(principal)
    with post.unit() as session:
        lesson_service.publish(session, post.clock, principal.actor, org_id=principal.org_id, campaign_id=campaign_id,
                        title=title, lessons=lessons, name_organisation=name_organisation)
    return RedirectResponse(f"/ui/campaigns/{campaign_id}", status_code=303)
