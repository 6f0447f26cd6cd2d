"""E-evidence pages: the orders an authority issued (with the form to issue one and its key) or a provider
received, and one order with what each party may do next: produce (a file sealed at once for the issuer),
preserve or the impossibility form; extend, clarify, withdraw; the enforcing State's answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from accord.db import unit_of_work
from accord.errors import DomainError
from accord.evidence import rules, service
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.web.deps import app_state
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/evidence", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]
Text = Annotated[str, Form()]


def _page(request: Request, principal: Principal, template: str, context: dict[str, Any],
          status: int = 200) -> HTMLResponse:
    request.state.ui_principal = principal
    return render(request, template, context, status)


def _providers(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.kind == "provider")
                                .order_by(Organisation.name)))


@router.get("")
def orders(request: Request, principal: UiPrincipal, error: str | None = None) -> HTMLResponse:
    """Orders issued, received or notified; an authority also sees its key and the form to issue."""
    state = app_state(request)
    with state.factory() as session:
        found = service.list_orders(session, principal)
        context = {"orders": found, "error": error, "categories": rules.CATEGORIES,
                   "issuer_types": rules.ISSUER_TYPES, "listed": rules.LISTED_OFFENCES,
                   "key": service.active_key(session, principal.org_id),
                   "providers": _providers(session) if principal.org_kind == "authority" else [],
                   "waits": {o.id: service.production_gate(o, state.clock.now()) for o in found}}
    return _page(request, principal, "evidence/list.html", context, 422 if error else 200)


@router.post("/key")
def register_key(request: Request, principal: UiPrincipal, post: PostDep, public_key: Text) -> Response:
    state = app_state(request)
    try:
        with unit_of_work(state.factory) as session:
            service.register_key(session, state.clock, principal, public_key)
    except DomainError as exc:
        return orders(request, principal, error=exc.detail)
    return RedirectResponse("/ui/evidence", status_code=303)


@router.post("")
async def issue(request: Request, principal: UiPrincipal, post: PostDep) -> Response:
    form = await request.form()

    def text(name: str) -> str:
        return str(form.get(name, "")).strip()

    years = text("max_sentence_years")
    order_request = service.OrderRequest(
        kind=text("kind") or "production", provider_id=text("provider_id"),
        data_categories=[str(c) for c in form.getlist("data_categories")],
        targets=text("targets").splitlines(), issuer_type=text("issuer_type"),
        validated_by=text("validated_by") or None, emergency=bool(text("emergency_reason")),
        emergency_reason=text("emergency_reason"), offences=text("offences").splitlines(),
        legal_basis=text("legal_basis"), max_sentence_years=int(years) if years.isdigit() else None,
        listed_offence=text("listed_offence") or None, resides_in_issuing_state=bool(form.get("resident")),
        reference=text("reference"))
    state = app_state(request)
    try:
        with unit_of_work(state.factory) as session:
            order = service.issue(session, state.clock, principal, order_request)
            order_id = order.id
    except DomainError as exc:
        return orders(request, principal, error=exc.detail)
    return RedirectResponse(f"/ui/evidence/{order_id}", status_code=303)


@router.get("/{order_id}")
def order_page(request: Request, order_id: str, principal: UiPrincipal, error: str | None = None) -> HTMLResponse:
    state = app_state(request)
    with state.factory() as session:
        order = service.get_order(session, principal, order_id)
        context = {"order": order, "packages": service.packages_of(session, order.id), "error": error,
                   "waits": service.production_gate(order, state.clock.now()),
                   "grounds": service.IMPOSSIBILITY_GROUNDS, "refusal_grounds": service.REFUSAL_GROUNDS,
                   "is_issuer": principal.org_id == order.issuer_id,
                   "is_provider": principal.org_id == order.provider_id,
                   "is_enforcing": principal.org_id == (order.enforcing_authority_id or order.issuer_id)}
    return _page(request, principal, "evidence/detail.html", context, 422 if error else 200)


def _act(request: Request, principal: Principal, order_id: str, step: Any) -> Response:
    state = app_state(request)
    try:
        with unit_of_work(state.factory) as session:
            step(session, state)
    except DomainError as exc:
        return order_page(request, order_id, principal, error=exc.detail)
    return RedirectResponse(f"/ui/evidence/{order_id}", status_code=303)


@router.post("/{order_id}/answer")
async def answer(request: Request, order_id: str, principal: UiPrincipal, post: PostDep) -> Response:
    form = await request.form()
    upload = form.get("file")
    data, name, media = None, "evidence.bin", "application/octet-stream"
    if isinstance(upload, UploadFile) and upload.filename:
        data, name = await upload.read(), upload.filename
        media = upload.content_type or media
    reply = service.Answer(outcome=str(form.get("outcome", "")), data=data, filename=name, media_type=media,
                           grounds=[str(g) for g in form.getlist("grounds")],
                           explanation=str(form.get("explanation", "")))
    return _act(request, principal, order_id, lambda session, state: service.answer(
        session, state.clock, state.settings, principal, order_id, reply))


@router.post("/{order_id}/notification")
async def notification(request: Request, order_id: str, principal: UiPrincipal, post: PostDep) -> Response:
    form = await request.form()
    return _act(request, principal, order_id, lambda session, state: service.answer_notification(
        session, state.clock, principal, order_id, answer=str(form.get("answer", "")),
        grounds=[str(g) for g in form.getlist("grounds")], explanation=str(form.get("explanation", ""))))


@router.post("/{order_id}/extend")
def extend(request: Request, order_id: str, principal: UiPrincipal, post: PostDep, reason: Text = "") -> Response:
    return _act(request, principal, order_id, lambda session, state: service.extend(
        session, state.clock, principal, order_id, reason=reason))


@router.post("/{order_id}/clarify")
def clarify(request: Request, order_id: str, principal: UiPrincipal, post: PostDep, text: Text = "") -> Response:
    return _act(request, principal, order_id, lambda session, state: service.clarify(
        session, state.clock, principal, order_id, text=text))


@router.post("/{order_id}/withdraw")
def withdraw(request: Request, order_id: str, principal: UiPrincipal, post: PostDep, reason: Text = "") -> Response:
    return _act(request, principal, order_id, lambda session, state: service.withdraw(
        session, state.clock, principal, order_id, reason=reason))
