"""Policy pages (versions, editor with statement preview, diff) and incident pages (declare, timeline)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from accord.errors import DomainError
from accord.flows import incidents
from accord.identity.service import Principal
from accord.policies import crisis, service, templates
from accord.policies.document import ACTIONS
from accord.web.deps import app_state
from accord.web.schemas.common import OptionalVersion, VersionInPath
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]


def _page(request: Request, principal: Principal, template: str, context: dict[str, Any],
          status: int = 200) -> HTMLResponse:
    request.state.ui_principal = principal
    return render(request, template, context, status)


# ---- policies ----------------------------------------------------------------------------------------


@router.get("/policies")
def policies(request: Request, principal: UiPrincipal, error: str | None = None) -> HTMLResponse:
    """The organisation's policies, post-incident reviews, and a form to start from a template."""
    with app_state(request).factory() as session:
        context = {"policies": service.list_policies(session, principal.org_id),
                   "tasks": incidents.list_review_tasks(session, principal.org_id),
                   "templates": templates.catalogue(), "error": error}
    return _page(request, principal, "policies/list.html", context)


@router.post("/policies")
def create_policy(request: Request, principal: UiPrincipal, post: PostDep, name: Annotated[str, Form()],
                  template: Annotated[str, Form()] = "small-provider-eu") -> Response:
    try:
        with post.unit() as session:
            policy = service.create_policy(session, post.clock, principal.actor, provider_id=principal.org_id,
                                           name=name, template=template)
    except DomainError as exc:
        return policies(request, principal, error=exc.detail)
    return RedirectResponse(f"/ui/policies/{policy.id}", status_code=303)


def _diff_pair(numbers: list[int], a: int | None, b: int | None) -> tuple[int, int] | None:
    if len(numbers) < 2 and (a is None or b is None):
        return None
    return (a or numbers[-2], b or numbers[-1])


def _policy_context(session: Session, principal: Principal, policy_id: str, a: int | None,
                    b: int | None) -> dict[str, Any]:
    policy = service.get_policy(session, policy_id, principal.org_id)
    versions = service.list_versions(session, policy_id, principal.org_id)
    pair = _diff_pair([v.number for v in versions], a, b)
    latest = versions[-1]
    return {
        "policy": policy, "versions": versions, "latest": latest, "actions": ACTIONS,
        "previews": service.previews(latest), "pair": pair,
        "changes": service.diff_versions(session, policy_id, principal.org_id, *pair) if pair else [],
    }


@router.get("/policies/{policy_id}")
def policy_page(request: Request, policy_id: str, principal: UiPrincipal, a: OptionalVersion = None,
                b: OptionalVersion = None, error: str | None = None) -> HTMLResponse:
    """Versions with publish/activate, the editor of the next version with its preview, and a diff."""
    with app_state(request).factory() as session:
        context = _policy_context(session, principal, policy_id, a, b)
    return _page(request, principal, "policies/policy.html", {**context, "error": error})


async def _rules_from_form(request: Request) -> list[dict[str, str]]:
    form = await request.form()
    rules = []
    for index in range(int(str(form.get("count", "0")))):
        category = str(form.get(f"category_{index}", "")).strip()
        if category:
            rules.append({field: str(form.get(f"{field}_{index}", "")).strip()
                          for field in ("category", "action", "clause_ref", "text")})
    return rules


@router.post("/policies/{policy_id}/versions")
async def create_version(request: Request, policy_id: str, principal: UiPrincipal, post: PostDep) -> Response:
    """Save the edited rules as a new draft version; exemptions, overlays and automation carry over."""
    form = await request.form()
    try:
        with post.unit() as session:
            latest = service.list_versions(session, policy_id, principal.org_id)[-1]
            body = {**latest.body, "rules": await _rules_from_form(request)}
            service.create_version(session, post.clock, principal.actor, policy_id=policy_id,
                                   provider_id=principal.org_id, body=body, note=str(form.get("note", "")))
    except DomainError as exc:
        return policy_page(request, policy_id, principal, error=exc.detail)
    return RedirectResponse(f"/ui/policies/{policy_id}", status_code=303)


@router.post("/policies/{policy_id}/versions/{number}/{step}")
def version_step(request: Request, policy_id: str, number: VersionInPath, step: str, principal: UiPrincipal,
                 post: PostDep) -> Response:
    """Publish or activate one version."""
    steps = {"publish": service.publish_version, "activate": service.activate_version}
    if step not in steps:
        return policy_page(request, policy_id, principal, error=f"unknown step {step!r}")
    try:
        with post.unit() as session:
            steps[step](session, post.clock, principal.actor, policy_id=policy_id, provider_id=principal.org_id,
                        number=number)
    except DomainError as exc:
        return policy_page(request, policy_id, principal, error=exc.detail)
    return RedirectResponse(f"/ui/policies/{policy_id}", status_code=303)


@router.post("/policies-preview")
async def preview(request: Request, principal: UiPrincipal, post: PostDep) -> HTMLResponse:
    """The statement text of the edited rule in ``row`` (htmx sends the form as the user types)."""
    form = await request.form()
    index = str(form.get("row", "0"))
    row = {field: str(form.get(f"{field}_{index}", "")) for field in ("category", "action", "clause_ref", "text")}
    action = row["action"] if row["action"] in ACTIONS else "no_action"
    sentence = service.rule_statement(row["category"], action, row["clause_ref"], row["text"])
    return HTMLResponse(f"<span>{_escape(sentence)}</span>")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# ---- incidents ---------------------------------------------------------------------------------------


@router.get("/incidents")
def incident_list(request: Request, principal: UiPrincipal, error: str | None = None) -> HTMLResponse:
    """The incidents the member's organisation takes part in, and the declaration checklist for coordinators."""
    state = app_state(request)
    with state.factory() as session:
        taking_part = incidents.list_incidents(session, org_id=principal.org_id)
        context = {"incidents": taking_part,
                   "active": [i for i in taking_part if i.state == "active"],
                   "criteria": incidents.CRITERIA, "levels": crisis.LEVELS, "error": error}
    return _page(request, principal, "policies/incidents.html", context)


@router.post("/incidents")
async def declare(request: Request, principal: UiPrincipal, post: PostDep) -> Response:
    form = await request.form()
    try:
        with post.unit() as session:
            incident = incidents.declare_incident(
                session, post.clock, principal.actor, coordinator_id=principal.org_id,
                title=str(form.get("title", "")), level=str(form.get("level", "")),
                criteria={name: name in form for name in incidents.CRITERIA},
                description=str(form.get("description", "")), drill="drill" in form,
            )
    except DomainError as exc:
        return incident_list(request, principal, error=exc.detail)
    return RedirectResponse(f"/ui/incidents/{incident.id}", status_code=303)


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, incident_id: str, principal: UiPrincipal,
                  error: str | None = None) -> HTMLResponse:
    """One incident: checklist, declarer and times, members, the timeline and the debrief figures."""
    state = app_state(request)
    with state.factory() as session:
        incident = incidents.get_incident(session, incident_id, principal.org_id)
        report = incidents.incident_debrief(session, state.clock, incident_id, principal.org_id)
        members = incidents.members(session, incident)
    return _page(request, principal, "policies/incident.html", {"incident": incident, "report": report,
                 "members": members, "criteria": incidents.CRITERIA, "error": error})


@router.post("/incidents/{incident_id}/conclude")
def conclude(request: Request, incident_id: str, principal: UiPrincipal, post: PostDep,
             conclusion: Annotated[str, Form()] = "") -> Response:
    try:
        with post.unit() as session:
            incidents.conclude_incident(session, post.clock, principal.actor, coordinator_id=principal.org_id,
                                        incident_id=incident_id, conclusion=conclusion)
    except DomainError as exc:
        return incident_page(request, incident_id, principal, error=exc.detail)
    return RedirectResponse(f"/ui/incidents/{incident_id}", status_code=303)
