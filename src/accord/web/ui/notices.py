"""Notice pages: authorities send and track orders; providers work an inbox with live countdowns."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.db import unit_of_work
from accord.flows import decisions as flows
from accord.identity import service as identity
from accord.identity.service import Principal
from accord.notices import annex, feedback, kinds, outcomes, service
from accord.notices.models import Notice
from accord.rights import reviews
from accord.web.deps import app_state
from accord.web.ui import home_pages
from accord.web.ui.auth import check_csrf, ui_principal
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


@router.get("/new")
def new_form(request: Request, principal: UiPrincipal) -> HTMLResponse:
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        providers = identity.list_organisations(session, "provider")
    return render(request, "notices/new.html", {"providers": providers, "tco_types": kinds.TCO_TYPES,
                                                "sendable": SENDABLE.get(principal.org_kind, ()), "error": None})


def _form_data(kind: str, form: dict[str, str], tco: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": kind, "provider_id": form["provider_id"], "urls": _lines(form["urls"]),
                            "reasons": form["reasons"]}
    if form.get("reference"):
        data["reference"] = form["reference"]
    if kind == "removal_order":
        data.update(tco_types=tco, legal_basis=form["legal_basis"],
                    redress={"body": form["redress_body"], "deadline_days": int(form["redress_days"] or 0)})
        if form.get("emergency_reason"):
            data.update(emergency=True, emergency_reason=form["emergency_reason"])
    elif kind in ("referral", "alert"):
        data["clause"] = form.get("clause", "")
        if kind == "alert":
            data["verification_label"] = "verified"
    return data


@router.post("/new")
async def send(request: Request, principal: UiPrincipal) -> Response:
    """Send a notice from the form; errors come back on the form, naming the field."""
    request.state.ui_principal = principal
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items() if k != "tco_types"}
    check_csrf(request, form.get("csrf_token"))
    data = _form_data(form.get("kind", ""), form, [str(v) for v in raw.getlist("tco_types")])
    notice_id = await _create(request, principal, data)
    return RedirectResponse(f"/ui/notices/{notice_id}", status_code=303)


async def _create(request: Request, principal: Principal, data: dict[str, Any]) -> str:
    import anyio.to_thread

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


def _detail(request: Request, principal: Principal, notice: Notice) -> dict[str, Any]:
    return {"n": notice, "status": service.public_status(notice, principal),
            "is_provider": notice.provider_id == principal.org_id,
            "is_issuer": notice.issuer_id == principal.org_id, "authority": principal.org_kind == "authority",
            "outcomes": service.OUTCOMES, "grounds": service.ANNEX_III_GROUNDS}


@router.get("/{notice_id}")
def detail(request: Request, notice_id: str, principal: UiPrincipal) -> HTMLResponse:
    request.state.ui_principal = principal
    with app_state(request).factory() as session:
        notice = service.get_notice(session, principal, notice_id)
        context = _detail(request, principal, notice)
        if notice.kind == "removal_order":  # TCO Art. 3(9) finality and Art. 9 reviews
            context["finality"] = reviews.finality_of(session, app_state(request).settings, principal, notice.id)
            context["reviews"] = reviews.reviews_of(session, principal, notice.id)
        return render(request, "notices/detail.html", context)


@router.get("/{notice_id}/feedback")
def feedback_page(request: Request, notice_id: str, principal: UiPrincipal) -> HTMLResponse:
    """The Annex II/III record as a printable page."""
    request.state.ui_principal = principal
    state = app_state(request)
    with unit_of_work(state.factory) as session:  # the provider's signing key is made on first use
        record = feedback.feedback(session, state.clock, state.settings, principal, notice_id)
    return render(request, "notices/feedback.html", {"f": record})


@router.post("/{notice_id}/acknowledge")
def acknowledge(request: Request, notice_id: str, principal: UiPrincipal,
                csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    state = app_state(request)
    with unit_of_work(state.factory) as session:
        service.acknowledge(session, state.clock, principal, notice_id)
    return RedirectResponse(f"/ui/notices/{notice_id}", status_code=303)


@router.post("/{notice_id}/outcome")
def outcome(request: Request, notice_id: str, principal: UiPrincipal, outcome: Annotated[str, Form()],
            countries: Annotated[str, Form()] = "", reasons: Annotated[str, Form()] = "",
            ground: Annotated[str, Form()] = "", explanation: Annotated[str, Form()] = "",
            uploader: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    """Record outcome: a decision with its legal record, or cannot_comply (``accord.flows.decisions``)."""
    check_csrf(request, csrf_token)
    state = app_state(request)
    answer = flows.Answer(outcome=outcome, countries=tuple(_lines(countries)), reasons=reasons,
                          ground=ground or None, explanation=explanation, uploader=uploader or None)
    with unit_of_work(state.factory) as session:
        flows.answer_notice(session, state.clock, principal, notice_id, answer, settings=state.settings)
    return RedirectResponse(f"/ui/notices/{notice_id}", status_code=303)


@router.post("/{notice_id}/clarification")
def clarification(request: Request, notice_id: str, principal: UiPrincipal, text: Annotated[str, Form()],
                  csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    state = app_state(request)
    with unit_of_work(state.factory) as session:
        service.clarify(session, state.clock, principal, notice_id, text=text)
    return RedirectResponse(f"/ui/notices/{notice_id}", status_code=303)


@router.post("/{notice_id}/hold")
def hold(request: Request, notice_id: str, principal: UiPrincipal, active: Annotated[str, Form()] = "1",
         reason: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    state = app_state(request)
    with unit_of_work(state.factory) as session:
        service.set_hold(session, state.clock, principal, notice_id, active=active == "1", reason=reason)
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
