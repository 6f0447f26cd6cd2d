"""Blocking-list pages: the authority's, the overseer's and the operator's view of a list (``/ui/blocklists``),
and the public side (``/blocklists``): the feed a resolver fetches by its capability URL, the stop page and the
appeal form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.blocklists import appeals, exports, operators, service
from accord.db import unit_of_work
from accord.errors import DomainError, NotFound
from accord.identity import service as identity
from accord.identity.service import Principal
from accord.web.deps import app_state
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

org_routes = APIRouter(prefix="/ui/blocklists", include_in_schema=False)
public = APIRouter(prefix="/blocklists", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]
Text = Annotated[str, Form()]


def _page(request: Request, principal: Principal, template: str, context: dict[str, Any],
          status: int = 200) -> HTMLResponse:
    request.state.ui_principal = principal
    return render(request, template, context, status)


@org_routes.get("")
def lists(request: Request, principal: UiPrincipal, error: str | None = None) -> HTMLResponse:
    """The lists the organisation keeps, oversees or applies; an authority opens one here."""
    with app_state(request).factory() as session:
        found = service.list_lists(session, principal)
    return _page(request, principal, "blocklists/list.html", {"lists": found, "error": error})


@org_routes.post("")
def create(request: Request, principal: UiPrincipal, post: PostDep, name: Text, kind: Text, legal_basis: Text,
           action: Text = "nxdomain", stop_host: Text = "", review_required: Text = "") -> Response:
    state = post.state
    spec = service.ListSpec(name=name, kind=kind, legal_basis=legal_basis, action=action,
                            stop_host=stop_host or None, review_required=bool(review_required))
    try:
        with post.unit() as session:
            blocklist = service.create_list(session, state.clock, state.settings, principal, spec)
            target = f"/ui/blocklists/{blocklist.id}"
    except DomainError as exc:
        return lists(request, principal, error=exc.detail)
    return RedirectResponse(target, status_code=303)


def _detail(request: Request, principal: Principal, blocklist_id: str) -> dict[str, Any]:
    state = app_state(request)
    with state.factory() as session:
        blocklist = service.get_list(session, principal, blocklist_id)
        keeper = principal.org_id in (blocklist.authority_id, blocklist.overseer_id)
        return {
            "blocklist": blocklist, "zone": exports.zone_name(state.settings, blocklist),
            "entries": service.list_entries(session, principal, blocklist_id) if keeper else [],
            "operators": operators.operators(session, state.clock, principal, blocklist_id),
            "appeals": appeals.list_appeals(session, principal, blocklist_id) if keeper else [],
            "figures": appeals.figures(session, state.clock, blocklist_id),
            "is_authority": principal.org_id == blocklist.authority_id,
            "is_overseer": principal.org_id == blocklist.overseer_id,
            "operators_to_add": identity.list_organisations(session, "network_operator")
            if principal.org_id == blocklist.authority_id else [],
        }


@org_routes.get("/{blocklist_id}")
def detail(request: Request, blocklist_id: str, principal: UiPrincipal, error: str | None = None) -> HTMLResponse:
    """Entries with their state and exchange, operators current or late, appeals, figures."""
    return _page(request, principal, "blocklists/detail.html",
                 {**_detail(request, principal, blocklist_id), "error": error})


@org_routes.post("/{blocklist_id}/entries")
def add_entry(request: Request, blocklist_id: str, principal: UiPrincipal, post: PostDep, value: Text, reason: Text,
              type: Text = "domain", subdomains: Text = "", ip_reason: Text = "") -> Response:
    state = post.state
    spec = service.EntrySpec(type=type, value=value, reason=reason, subdomains=bool(subdomains),
                             ip_reason=ip_reason or None)
    try:
        with post.unit() as session:
            service.add_entry(session, state.clock, state.settings, principal, blocklist_id, spec)
    except DomainError as exc:
        return detail(request, blocklist_id, principal, error=exc.detail)
    return RedirectResponse(f"/ui/blocklists/{blocklist_id}", status_code=303)


@org_routes.post("/{blocklist_id}/entries/{entry_id}/{step}")
def entry_step(request: Request, blocklist_id: str, entry_id: str, step: str, principal: UiPrincipal, post: PostDep,
               text: Text = "", decision: Text = "maintain") -> Response:
    """Delist (authority), review or object (overseer), answer an objection or re-examine (authority)."""
    state = post.state
    try:
        with post.unit() as session:
            _step(session, state.clock, principal, blocklist_id, entry_id, step, text, decision)
    except DomainError as exc:
        return detail(request, blocklist_id, principal, error=exc.detail)
    return RedirectResponse(f"/ui/blocklists/{blocklist_id}", status_code=303)


def _step(session: Any, clock: Any, principal: Principal, blocklist_id: str, entry_id: str, step: str, text: str,
          decision: str) -> None:
    if step == "delist":
        service.delist(session, clock, principal, blocklist_id, entry_id, text or "delisted by the authority")
    elif step == "review":
        service.review(session, clock, principal, blocklist_id, entry_id, text)
    elif step == "object":
        service.object_to(session, clock, principal, blocklist_id, entry_id, text)
    elif step == "answer":
        service.answer_objection(session, clock, principal, blocklist_id, entry_id, decision=decision, text=text)
    elif step == "reexamine":
        service.reexamine(session, clock, principal, blocklist_id, entry_id, text)
    else:
        raise NotFound("no such step")


@org_routes.post("/{blocklist_id}/subscriptions")
def subscribe(request: Request, blocklist_id: str, principal: UiPrincipal, post: PostDep,
              operator_id: Text) -> HTMLResponse:
    """The authority hands the list to an operator; the page shows the feed URLs once."""
    state = post.state
    try:
        with post.unit() as session:
            _, token = operators.subscribe(session, state.clock, principal, blocklist_id, operator_id)
    except DomainError as exc:
        return detail(request, blocklist_id, principal, error=exc.detail)
    feeds = {fmt: operators.feed_url(state.settings, token, fmt) for fmt in exports.FORMATS}
    return _page(request, principal, "blocklists/detail.html",
                 {**_detail(request, principal, blocklist_id), "error": None, "feeds": feeds})


@org_routes.post("/{blocklist_id}/applied")
def applied(request: Request, blocklist_id: str, principal: UiPrincipal, post: PostDep,
            serial: Annotated[int, Form()]) -> Response:
    """The operator records the serial its resolvers enforce."""
    state = post.state
    try:
        with post.unit() as session:
            operators.applied(session, state.clock, principal, blocklist_id, serial)
    except DomainError as exc:
        return detail(request, blocklist_id, principal, error=exc.detail)
    return RedirectResponse(f"/ui/blocklists/{blocklist_id}", status_code=303)


# ---- public: feed, stop page, appeal -----------------------------------------------------------------


@public.get("/feed/{token}.{fmt}")
def feed(request: Request, token: str, fmt: str) -> Response:
    """The list for one subscriber by its capability URL: what Unbound's ``rpz: url:`` fetches."""
    state = app_state(request)
    try:
        with unit_of_work(state.factory) as session:
            blocklist, _ = operators.by_token(session, state.clock, token)
            body = exports.render(exports.build(session, state.clock, state.settings, blocklist), fmt)
    except DomainError:
        return Response("not found\n", status_code=404, media_type="text/plain")
    return Response(body, media_type=exports.MEDIA_TYPES[fmt], headers={"Cache-Control": "no-store"})


def _public_context(request: Request, blocklist_id: str) -> dict[str, Any]:
    state = app_state(request)
    with state.factory() as session:
        blocklist = appeals.public_list(session, blocklist_id)
        return {"blocklist": blocklist, "authority": exports.build(session, state.clock, state.settings,
                                                                   blocklist).authority,
                "figures": appeals.figures(session, state.clock, blocklist_id), "filed": None, "error": None}


@public.get("/{blocklist_id}")
def stop_page(request: Request, blocklist_id: str) -> HTMLResponse:
    """The stop page: which authority blocked access, on what legal basis, and how to appeal."""
    try:
        context = _public_context(request, blocklist_id)
    except DomainError as exc:
        return render(request, "error.html", {"title": exc.title, "detail": exc.detail}, status=exc.status)
    return render(request, "blocklists/stop.html", context)


@public.post("/{blocklist_id}/appeal")
def appeal(request: Request, blocklist_id: str, value: Text = "", statement: Text = "",
           contact: Text = "") -> HTMLResponse:
    """A site owner contests an entry; the page confirms with the date the answer is due."""
    state = app_state(request)
    try:
        with unit_of_work(state.factory) as session:
            filed = appeals.file_appeal(session, state.clock, state.settings, blocklist_id, value=value,
                                        statement=statement, contact=contact)
            due = filed.due_at
        context = {**_public_context(request, blocklist_id), "filed": due}
        return render(request, "blocklists/stop.html", context, status=201)
    except DomainError as exc:
        try:
            context = {**_public_context(request, blocklist_id), "error": exc.detail}
        except DomainError:
            return render(request, "error.html", {"title": exc.title, "detail": exc.detail}, status=exc.status)
        return render(request, "blocklists/stop.html", context, status=exc.status)


# One router for the manifest: the organisations' routes and the public ones (feeds, the stop page, appeals).
router = APIRouter()
router.include_router(org_routes)
router.include_router(public)
