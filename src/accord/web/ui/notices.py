"""Notice pages: authorities send and track orders; providers work an inbox with live countdowns."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from accord.db import unit_of_work
from accord.errors import Conflict, InvalidInput, PermissionDenied
from accord.flows import decisions as flows
from accord.identity import service as identity
from accord.identity.service import Principal
from accord.notices import annex, feedback, outcomes, service
from accord.notices.models import Notice
from accord.readiness import drills
from accord.rights import reviews
from accord.settings import Settings
from accord.web.deps import app_state
from accord.web.ui import _format, home_pages, notice_form
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep
from accord.web.ui.views import render

router = APIRouter(prefix="/ui/notices", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]
SENDABLE = {"authority": ("removal_order", "referral"), "coordinator": ("referral", "alert"),
            "trusted_flagger": ("trusted_flag",)}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _listing(request: Request, principal: Principal, *, open_only: bool = False) -> dict[str, Any]:
    """Notices the principal sent or received, least time left first, with the other party named."""
    with app_state(request).factory() as session:
        rows = home_pages.by_time_left(service.list_notices(session, principal, limit=200))
        names = home_pages.names(session)
    if open_only:
        rows = [n for n in rows if n.status in service.OPEN_STATUSES]
    counterpart = "issuer" if principal.org_kind == "provider" else "provider"
    return {"rows": rows, "names": names, "counterpart": counterpart}


@router.get("")
def inbox(request: Request, principal: UiPrincipal) -> HTMLResponse:
    """Every notice: a provider's whole inbox, or all an issuer sent (the home page shows what is open)."""
    request.state.ui_principal = principal
    return render(request, "notices/inbox.html", {**_listing(request, principal),
                                                  "sendable": SENDABLE.get(principal.org_kind, ())})


@router.get("/rows")
def inbox_rows(request: Request, principal: UiPrincipal, open: bool = False) -> HTMLResponse:
    """The table body alone, polled by htmx so that new orders appear without a reload."""
    request.state.ui_principal = principal
    return render(request, "notices/_rows.html", _listing(request, principal, open_only=open))


def _kind(principal: Principal, wanted: str | None) -> str:
    sendable = SENDABLE.get(principal.org_kind, ())
    if not sendable:
        raise PermissionDenied("this organisation does not send notices")
    return wanted if wanted in sendable else sendable[0]


def _form_page(request: Request, principal: Principal, kind: str, values: dict[str, Any],
               errors: dict[str, str], duplicate: Notice | None = None, status: int = 200) -> HTMLResponse:
    """The form, whole or (for htmx) alone, with what was typed and each error beside its field."""
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        providers = identity.list_organisations(session, "provider")
        names = home_pages.names(session)
    context = {"providers": providers, "kind": kind, "fields": {f.name: f for f in notice_form.fields_for(kind)},
               "sendable": SENDABLE.get(principal.org_kind, ()), "values": values, "errors": errors,
               "duplicate": duplicate, "names": names, "tco_types": notice_form.TCO_TYPE_LABELS}
    partial = request.headers.get("HX-Request") == "true"
    return render(request, "notices/_form.html" if partial else "notices/new.html", context, status)


@router.get("/new")
def new_form(request: Request, principal: UiPrincipal, kind: str | None = None) -> HTMLResponse:
    request.state.ui_principal = principal
    return _form_page(request, principal, _kind(principal, kind), {"redress_days": "30"}, {})


@router.get("/new/reference")
def reference_check(request: Request, principal: UiPrincipal, reference: str = "") -> HTMLResponse:
    """The htmx check as the reference is typed: a warning when this reference was sent before."""
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        duplicate = service.sent_with_reference(session, principal, reference)
        names = home_pages.names(session)
    return render(request, "notices/_duplicate.html", {"duplicate": duplicate, "names": names, "values": {}})


def _values(raw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(v).strip() for k, v in raw.items() if k != "tco_types"}
    values["tco_types"] = [str(v) for v in raw.getlist("tco_types")]
    return values


@router.post("/new")
async def send(request: Request, principal: UiPrincipal, post: PostDep) -> Response:
    """Send a notice from the form; every error comes back on the form beside its field, with all typed kept."""
    request.state.ui_principal = principal
    values = _values(await request.form())
    kind = _kind(principal, values.get("kind"))
    errors = notice_form.check(kind, values)
    duplicate = None
    if not errors and values.get("send_duplicate") != "yes":
        with app_state(request).factory() as session:
            duplicate = service.sent_with_reference(session, principal, values.get("reference", ""))
    if errors or duplicate:
        return _form_page(request, principal, kind, values, errors, duplicate, status=422)
    try:
        notice_id = await _create(request, principal, notice_form.data(kind, values))
    except (InvalidInput, Conflict) as exc:
        field, message = notice_form.field_of(exc)
        return _form_page(request, principal, kind, values, {field: message}, status=422)
    target = f"/ui/notices/{notice_id}?sent=1"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _create(request: Request, principal: Principal, data: dict[str, Any]) -> str:
    def work() -> str:
        state = app_state(request)
        with unit_of_work(state.factory) as session:
            return service.receive(session, state.clock, state.settings, principal, data).id

    return await anyio.to_thread.run_sync(work)


@router.get("/outcomes")
def outcome_page(request: Request, principal: UiPrincipal) -> HTMLResponse:
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        rows = outcomes.issuer_outcomes(session, principal)
    return render(request, "notices/outcomes.html", {"rows": rows})


ANSWER_FIELDS = ("outcome", "countries", "reasons", "ground", "explanation", "uploader")
CONFIRMED_OUTCOMES = ("removed", "disabled", "cannot_comply")  # content goes offline, or an order is refused
ANSWER_MESSAGES = {
    "outcome": "Choose an answer.",
    "reasons": "Say why: the reasons are required for “No action”.",
    "ground": "Choose why the order cannot be executed (Annex III).",
    "explanation": "Explain why the order cannot be executed (Annex III).",
}


def _detail(session: Session, settings: Settings, principal: Principal, notice: Notice) -> dict[str, Any]:
    context: dict[str, Any] = {
        "n": notice, "status": service.public_status(notice, principal),
        "is_provider": notice.provider_id == principal.org_id, "is_issuer": notice.issuer_id == principal.org_id,
        "authority": principal.org_kind == "authority", "outcomes": service.OUTCOMES,
        "grounds": service.ANNEX_III_GROUNDS, "names": home_pages.names(session), "values": {},
        "answer_errors": {}, "banner": "",
    }
    if notice.kind == "removal_order":  # TCO Art. 3(9) finality and Art. 9 reviews
        context["finality"] = reviews.finality_of(session, settings, principal, notice.id)
        context["reviews"] = reviews.reviews_of(session, principal, notice.id)
    return context


def _detail_page(request: Request, principal: Principal, notice_id: str, status: int = 200,
                 **extra: Any) -> HTMLResponse:
    request.state.ui_principal = principal
    state = app_state(request)
    with unit_of_work(state.factory) as session:  # a drill's first view is noted (accord.readiness)
        notice = service.get_notice(session, principal, notice_id)
        drills.note_view(session, state.clock, principal, notice)
        context = _detail(session, state.settings, principal, notice)
        return render(request, "notices/detail.html", {**context, **extra}, status)


@router.get("/{notice_id}")
def detail(request: Request, notice_id: str, principal: UiPrincipal, sent: bool = False,
           answered: bool = False) -> HTMLResponse:
    """One notice: its clock and facts, the answer form for its provider, the legal follow-up. ``sent`` and
    ``answered`` show the banner confirming what was just done; other query values refill the answer form."""
    values = {k: v for k, v in request.query_params.items() if k in ANSWER_FIELDS}
    banner = "sent" if sent else "answered" if answered else ""
    return _detail_page(request, principal, notice_id, values=values, banner=banner)


@router.get("/{notice_id}/feedback")
def feedback_page(request: Request, notice_id: str, principal: UiPrincipal) -> HTMLResponse:
    """The Annex II/III record as a printable page."""
    request.state.ui_principal = principal
    state = app_state(request)
    with unit_of_work(state.factory) as session:  # the provider's signing key is made on first use
        record = feedback.feedback(session, state.clock, state.settings, principal, notice_id)
        drills.note_feedback(session, state.clock, service.get_notice(session, principal, notice_id))
    return render(request, "notices/feedback.html", {"f": record})


@router.post("/{notice_id}/acknowledge")
def acknowledge(request: Request, notice_id: str, principal: UiPrincipal, post: PostDep) -> Response:
    with post.unit() as session:
        service.acknowledge(session, post.clock, principal, notice_id)
    return RedirectResponse(f"/ui/notices/{notice_id}", status_code=303)


@router.post("/{notice_id}/outcome")
async def outcome(request: Request, notice_id: str, principal: UiPrincipal, post: PostDep) -> Response:
    """Record the answer: a decision with its legal record, or cannot_comply (``accord.flows.decisions``).
    Removing, disabling and refusing an order are asked again on a confirmation page before they count."""
    raw = await request.form()
    values = {k: str(v).strip() for k, v in raw.items()}
    if values.get("outcome") not in service.OUTCOMES:
        return _detail_page(request, principal, notice_id, 422, values=values,
                            answer_errors={"outcome": ANSWER_MESSAGES["outcome"]})
    if values["outcome"] in CONFIRMED_OUTCOMES and values.get("confirmed") != "yes":
        return _confirm_page(request, principal, notice_id, values)
    try:
        await anyio.to_thread.run_sync(_answer, request, principal, notice_id, values)
    except InvalidInput as exc:
        field = exc.field if exc.field in ANSWER_FIELDS else "outcome"
        message = ANSWER_MESSAGES.get(field, exc.detail) if "needs" in exc.detail else _plain(exc.detail)
        return _detail_page(request, principal, notice_id, 422, values=values, answer_errors={field: message})
    return RedirectResponse(f"/ui/notices/{notice_id}?answered=1", status_code=303)


def _plain(detail: str) -> str:
    """Service words for the answer form: the stored outcome names become the labels the form shows."""
    for value in service.OUTCOMES:
        detail = detail.replace(value, f"“{_format.label(value)}”")
    return detail[:1].upper() + detail[1:]


def _answer(request: Request, principal: Principal, notice_id: str, values: dict[str, str]) -> None:
    state = app_state(request)
    answer = flows.Answer(outcome=values["outcome"], countries=tuple(_lines(values.get("countries", ""))),
                          reasons=values.get("reasons", ""), ground=values.get("ground") or None,
                          explanation=values.get("explanation", ""), uploader=values.get("uploader") or None)
    with unit_of_work(state.factory) as session:
        flows.answer_notice(session, state.clock, principal, notice_id, answer, settings=state.settings)


def _confirm_page(request: Request, principal: Principal, notice_id: str, values: dict[str, str]) -> HTMLResponse:
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        notice = service.get_notice(session, principal, notice_id)
        names = home_pages.names(session)
        back = f"/ui/notices/{notice_id}?" + urlencode({k: values[k] for k in ANSWER_FIELDS if values.get(k)})
        return render(request, "notices/confirm.html", {"n": notice, "values": values, "names": names,
                                                        "back": back + "#answer",
                                                        "answer_fields": ANSWER_FIELDS})


@router.post("/{notice_id}/clarification")
def clarification(request: Request, notice_id: str, principal: UiPrincipal, post: PostDep,
                  text: Annotated[str, Form()]) -> Response:
    with post.unit() as session:
        service.clarify(session, post.clock, principal, notice_id, text=text)
    return RedirectResponse(f"/ui/notices/{notice_id}", status_code=303)


@router.post("/{notice_id}/hold")
def hold(request: Request, notice_id: str, principal: UiPrincipal, post: PostDep, active: Annotated[str, Form()] = "1",
         reason: Annotated[str, Form()] = "") -> Response:
    with post.unit() as session:
        service.set_hold(session, post.clock, principal, notice_id, active=active == "1", reason=reason)
    return RedirectResponse(f"/ui/notices/{notice_id}", status_code=303)


@router.get("/{notice_id}/annex-i.pdf")
def annex_i_pdf(request: Request, notice_id: str, principal: UiPrincipal) -> Response:
    """The signed Annex I of an order, printed (the same document as ``GET /v1/notices/{id}/annex-i.pdf``)."""
    state = app_state(request)
    with unit_of_work(state.factory) as session:  # the authority's signing key is made on first use
        content = annex.annex_i_pdf(session, state.clock, state.settings, principal, notice_id)
    return Response(content, media_type="application/pdf")


@router.get("/{notice_id}/feedback.pdf")
def feedback_pdf(request: Request, notice_id: str, principal: UiPrincipal) -> Response:
    """The signed Annex II/III record, printed."""
    state = app_state(request)
    with unit_of_work(state.factory) as session:
        content = feedback.feedback_pdf(session, state.clock, state.settings, principal, notice_id)
    return Response(content, media_type="application/pdf")
