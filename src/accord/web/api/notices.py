"""/v1/notices: removal orders, referrals, flags, user reports and alerts; answers, holds and feedback."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from accord.db import unit_of_work
from accord.errors import DomainError, InvalidInput, NotAuthenticated
from accord.flows import decisions as flows
from accord.identity.service import Principal, authenticate_key
from accord.notices import (
    annex,
    annex_pdf,
    batch,
    crossborder,
    feedback,
    feedback_import,
    kinds,
    outcomes,
    service,
    threat,
)
from accord.notices.models import Notice
from accord.readiness import drills
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep, app_state, bearer_token
from accord.web.schemas.annex import AnnexIDocument, FeedbackDocument
from accord.web.schemas.common import Limit
from accord.web.schemas.notices import (
    BatchIn,
    BatchOut,
    ClarificationIn,
    HoldIn,
    InformationNoticeIn,
    InformationNoticeOut,
    LivenessOut,
    NondisclosureIn,
    NoticeOut,
    OutcomeIn,
    ProviderOutcomeOut,
    ScrutinyIn,
    ThreatIn,
    ThreatOut,
    notice_errors,
    parse_notice,
)

router = APIRouter(prefix="/v1", tags=["notices"])
Reader = Annotated[Principal, Depends(Scoped("notices:read"))]
Writer = Annotated[Principal, Depends(Scoped("notices:write"))]


async def _token(request: Request) -> str | None:
    """A key, or nothing at all for a public DSA Art. 16 user report. A dependency, so that it runs before the
    body is read: a caller without a key hears 401 whatever it sent."""
    if "authorization" in request.headers:
        return bearer_token(request)
    try:
        data = json.loads(await request.body() or b"null")
    except ValueError:
        data = None
    if not (isinstance(data, dict) and data.get("kind") == "user_report"):
        raise NotAuthenticated("send an API key as 'Authorization: Bearer <key>' (only user reports need none)")
    return None


def _check_key(request: Request, token: str) -> None:
    with unit_of_work(app_state(request).factory) as session:
        authenticate_key(session, app_state(request).clock, token)


def notice_out(notice: Notice, principal: Principal | None) -> NoticeOut:
    """The notice as its viewer may see it: an operational hold is for authorities' eyes only."""
    fields = {name: getattr(notice, name) for name in NoticeOut.model_fields if hasattr(notice, name)}
    fields.update(breached=notice.breached_at is not None, hold_reason=None, drill=bool(notice.drill))
    if principal is None:
        fields["acknowledgement"] = _receipt(notice)
    else:
        fields["status"] = service.public_status(notice, principal)
        fields["hold_reason"] = notice.hold_reason if principal.org_kind == "authority" else None
    return NoticeOut.model_validate(fields)


def _receipt(notice: Notice) -> str:
    return f"Your report {notice.id} was received at {notice.created_at.isoformat()} (DSA Art. 16(4))."


_NOTICE_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "$ref": "#/components/schemas/NoticeIn"}}}}}


@router.post("/notices", status_code=201, response_model=NoticeOut, openapi_extra=_NOTICE_BODY)
async def create_notice(request: Request, token: Annotated[str | None, Depends(_token)]) -> Response:
    """Send a notice (body: ``NoticeIn``, one schema per ``kind``). User reports need no key (rate-limited per
    address) and are acknowledged on receipt.

    The notice is committed together with the others arriving at the same moment (``notices.intake``); the
    answer comes once it is durable. Refusals come in the order they always did: the key (401), the body
    (422), then the notice's own rules."""
    raw = await request.body()
    try:
        data = parse_notice(raw)
    except ValidationError as exc:
        if token is not None:
            await run_in_threadpool(_check_key, request, token)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in notice_errors(exc)],
                                     body=raw) from exc
    try:
        clean: kinds.CleanNotice | DomainError = kinds.validate(data)
    except DomainError as exc:
        clean = exc  # the writer checks the key first and then answers with this
    address = request.client.host if request.client else None
    accepted = await asyncio.wrap_future(app_state(request).intake.submit(token, clean, address))
    request.state.principal = accepted.principal
    # Serialised here, once: FastAPI would validate the model against itself again before serialising it.
    body_out = notice_out(accepted.notice, accepted.principal).model_dump_json()
    return Response(body_out, status_code=201, media_type="application/json")


@router.get("/notices")
def list_notices(principal: Reader, session: SessionDep, kind: str | None = None, status: str | None = None,
                 provider: str | None = None, since: datetime | None = None, limit: Limit = 100) -> list[NoticeOut]:
    """Notices the caller sent or received; filters: kind, status, provider, since."""
    found = service.list_notices(session, principal, kind=kind, status=status, provider_id=provider, since=since,
                                 limit=limit)
    return [notice_out(n, principal) for n in found]


@router.get("/notices/outcomes")
def notice_outcomes(principal: Reader, session: SessionDep) -> list[ProviderOutcomeOut]:
    """Per provider, for the caller's notices: answered, removal rate, median time to acknowledge and act."""
    return [ProviderOutcomeOut.model_validate(o) for o in outcomes.issuer_outcomes(session, principal)]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _batch_lines(request: Request, raw: bytes) -> list[tuple[int, Any]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    text = raw.decode("utf-8-sig", errors="replace")
    if content_type in ("text/csv", "application/csv"):
        return list(batch.parse(text, "csv"))
    if content_type in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
        return list(batch.parse(text, "jsonl"))
    try:
        body = BatchIn.model_validate_json(raw)
    except ValueError as exc:
        raise InvalidInput("send CSV, JSON lines, or {\"notices\": [...]}", field="body") from exc
    return list(enumerate(body.notices, start=1))


_BATCH_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/x-ndjson": {"schema": {"type": "string"}},
    "application/json": {"schema": {"$ref": "#/components/schemas/BatchIn"}}}}}


@router.post("/notices/batch", openapi_extra=_BATCH_BODY)
def notice_batch(request: Request, principal: Writer, session: SessionDep, clock: ClockDep, settings: SettingsDep,
                 raw: Annotated[bytes, Depends(_raw_body)], atomic: bool = False) -> BatchOut:
    """Referral Action Days: many notices in one request (text/csv, application/x-ndjson or JSON), with a
    report per line, committed every 500 lines; ``atomic=true``: one transaction, nothing kept unless every
    line is accepted."""
    lines = _batch_lines(request, raw)
    if atomic:
        report = batch.import_batch(session, clock, settings, principal, lines, atomic=True)
    else:
        session.commit()  # the key's last use; chunks write in their own units of work (SQLite: one writer)
        report = batch.import_in_chunks(app_state(request).factory, clock, settings, principal, lines)
    return BatchOut.model_validate({"accepted": report.accepted, "refused": report.refused,
                                    "atomic": report.atomic, "kept": report.kept, "lines": report.lines})


@router.post("/information-notices", status_code=201)
def send_information_notice(body: InformationNoticeIn, principal: Writer, session: SessionDep,
                            clock: ClockDep) -> InformationNoticeOut:
    """TCO Art. 3(2): procedures and deadlines, at least 12 hours before an authority's first order."""
    info = service.send_information_notice(session, clock, principal, provider_id=body.provider_id, text=body.text)
    return InformationNoticeOut.model_validate(info)


@router.get("/information-notices")
def information_notices(principal: Reader, session: SessionDep) -> list[InformationNoticeOut]:
    return [InformationNoticeOut.model_validate(i) for i in service.list_information_notices(session, principal)]


@router.get("/notices/{notice_id}")
def get_notice(notice_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> NoticeOut:
    notice = service.get_notice(session, principal, notice_id)
    drills.note_view(session, clock, principal, notice)  # a drill's scorecard: the first view
    return notice_out(notice, principal)


@router.post("/notices/{notice_id}/acknowledge")
def acknowledge(notice_id: str, principal: Writer, session: SessionDep, clock: ClockDep) -> NoticeOut:
    return notice_out(service.acknowledge(session, clock, principal, notice_id), principal)


@router.post("/notices/{notice_id}/outcome")
def outcome(notice_id: str, body: OutcomeIn, principal: Writer, session: SessionDep, clock: ClockDep,
            settings: SettingsDep) -> NoticeOut:
    """removed | disabled (countries) | no_action (reasons) | cannot_comply (Annex III ground, explanation).

    Every answer but cannot_comply is a decision, with its statement of reasons, preservation and user notice
    (``accord.flows.decisions``)."""
    answer = flows.Answer(**{**body.model_dump(), "countries": tuple(body.countries)})
    return notice_out(flows.answer_notice(session, clock, principal, notice_id, answer, settings=settings),
                      principal)


@router.post("/notices/{notice_id}/clarification")
def clarification(notice_id: str, body: ClarificationIn, principal: Writer, session: SessionDep,
                  clock: ClockDep) -> NoticeOut:
    """After cannot_comply: a fresh one-hour window starts now."""
    return notice_out(service.clarify(session, clock, principal, notice_id, text=body.text), principal)


@router.post("/notices/{notice_id}/hold")
def hold(notice_id: str, body: HoldIn, principal: Writer, session: SessionDep, clock: ClockDep) -> NoticeOut:
    """Authorities: hold for operational interest (stops dispatch about this content) or lift the hold."""
    notice = service.set_hold(session, clock, principal, notice_id, active=body.active, reason=body.reason)
    return notice_out(notice, principal)


@router.get("/notices/{notice_id}/feedback", response_model=None, responses={200: {"model": FeedbackDocument}})
def notice_feedback(notice_id: str, principal: Reader, session: SessionDep, clock: ClockDep,
                    settings: SettingsDep) -> dict[str, Any]:
    """The Annex II (measure taken) or Annex III (not executed) record, signed with the provider's Ed25519 key."""
    document = feedback.feedback(session, clock, settings, principal, notice_id)
    drills.note_feedback(session, clock, service.get_notice(session, principal, notice_id))
    return document


@router.post("/notices/{notice_id}/nondisclosure")
def nondisclosure(notice_id: str, body: NondisclosureIn, principal: Writer, session: SessionDep,
                  clock: ClockDep) -> NoticeOut:
    """TCO Art. 11(3): extend the non-disclosure period once, by up to six weeks."""
    notice = service.extend_nondisclosure(session, clock, principal, notice_id, days=body.extend_days)
    return notice_out(notice, principal)


@router.post("/notices/{notice_id}/scrutiny")
def scrutiny(notice_id: str, body: ScrutinyIn, principal: Writer, session: SessionDep,
             clock: ClockDep, settings: SettingsDep) -> NoticeOut:
    """TCO Art. 4: the provider asks for scrutiny (48 h from receipt); the host authority decides (72 h); an
    infringement reinstates the content (an instruction to the provider and a recorded reinstatement)."""
    if body.action == "request":
        notice = crossborder.request_scrutiny(session, clock, principal, notice_id, by=body.by, reason=body.reason)
    elif body.action == "decide":
        if body.infringement is None:
            raise InvalidInput("a decision says whether there is an infringement", field="infringement")
        notice = flows.decide_scrutiny(session, clock, settings, principal, notice_id,
                                       infringement=body.infringement, reasons=body.reasons)
    else:
        raise InvalidInput("action is request or decide", field="action")
    return notice_out(notice, principal)


@router.post("/notices/{notice_id}/recheck")
def recheck(notice_id: str, principal: Reader, session: SessionDep, clock: ClockDep,
            settings: SettingsDep) -> list[LivenessOut]:
    """Is the content still online? One guarded fetch per URL: HTTP status and content hash."""
    checks = outcomes.recheck(session, clock, settings, principal, notice_id)
    return [LivenessOut.model_validate(c) for c in checks]


@router.post("/notices/{notice_id}/imminent-threat")
def imminent_threat(notice_id: str, body: ThreatIn, principal: Writer, session: SessionDep,
                    clock: ClockDep) -> ThreatOut:
    """TCO Art. 14(5): escalate at once to the law-enforcement contact of the Member State concerned."""
    done = threat.escalate_threat(session, clock, principal, notice_id, details=body.details,
                                  member_state=body.member_state)
    return ThreatOut.model_validate(done)


# ---- TCO Annex I/II/III as documents ------------------------------------------------------------------------

_PDF: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    "description": "The document as PDF (text extractable)"}}
_PRINTED = {"application/pdf": {"schema": {"type": "string", "format": "binary",
                                           "description": "The PDF Accord printed: it carries the signed JSON"}}}
_ANNEX_I_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/AnnexIDocument"}}, **_PRINTED}}}


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})


@router.get("/notices/{notice_id}/annex-i.json", response_model=None, responses={200: {"model": AnnexIDocument}})
def annex_i_json(notice_id: str, principal: Reader, session: SessionDep, clock: ClockDep,
                 settings: SettingsDep) -> dict[str, Any]:
    """TCO Annex I: the removal order, sections A-G, signed with the issuing authority's Ed25519 key. For the
    issuer, the addressee and the host authority that got a copy; anyone else: 404."""
    return annex.annex_i(session, clock, settings, principal, notice_id)


@router.get("/notices/{notice_id}/annex-i.pdf", response_class=Response, responses=_PDF)
def annex_i_pdf(notice_id: str, principal: Reader, session: SessionDep, clock: ClockDep,
                settings: SettingsDep) -> Response:
    """TCO Annex I as PDF: the same signed document, printed."""
    return _pdf(annex.annex_i_pdf(session, clock, settings, principal, notice_id), f"annex-i-{notice_id}")


@router.get("/notices/{notice_id}/feedback.pdf", response_class=Response, responses=_PDF)
def feedback_pdf(notice_id: str, principal: Reader, session: SessionDep, clock: ClockDep,
                 settings: SettingsDep) -> Response:
    """Annex II or III as PDF: the signed feedback record (``/feedback``), printed."""
    return _pdf(feedback.feedback_pdf(session, clock, settings, principal, notice_id), f"feedback-{notice_id}")


def _document(raw: bytes, what: str) -> dict[str, Any]:
    """The JSON document of an import body: the JSON itself, or a PDF that Accord printed (it carries the JSON)."""
    if raw.startswith(b"%PDF-"):
        return annex_pdf.document_in(raw)
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput(f"send {what} document as JSON, or the PDF Accord printed", field="body") from exc
    if not isinstance(doc, dict):
        raise InvalidInput(f"send {what} document as a JSON object", field="body")
    return doc


@router.post("/notices/import", status_code=201, openapi_extra=_ANNEX_I_BODY)
def import_annex_i(principal: Writer, session: SessionDep, clock: ClockDep, settings: SettingsDep,
                   raw: Annotated[bytes, Depends(_raw_body)]) -> NoticeOut:
    """Authorities: an Annex I JSON document made by another system (schema ``accord:tco-annex-i:v1``) becomes
    an order from the caller, checked as any order sent to ``POST /v1/notices``. A signed document must verify
    (a tampered one is refused with 422); the addressee is found by organisation id, then by name. The body may
    also be the Annex I PDF Accord printed (``annex-i.pdf``), which carries the signed JSON."""
    return notice_out(annex.import_order(session, clock, settings, principal, _document(raw, "an Annex I")),
                      principal)


_FEEDBACK_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "description": "An Annex II or III document (schema accord:tco-annex-ii:v1 or "
                                     "accord:tco-annex-iii:v1), as GET /v1/notices/{id}/feedback returns it"}},
    **_PRINTED}}}


@router.post("/notices/feedback/import", openapi_extra=_FEEDBACK_BODY)
def import_feedback(principal: Writer, session: SessionDep, clock: ClockDep, settings: SettingsDep,
                    raw: Annotated[bytes, Depends(_raw_body)]) -> NoticeOut:
    """Authorities: the provider's Annex II or III feedback made in another system, recorded on the caller's order
    (found by the document's ``reference`` and provider) at the time the document says the provider acted. A
    signed document must verify and be signed by a hosting service provider (422 otherwise); an order answered
    already is 409. The body may also be the feedback PDF Accord printed (``feedback.pdf``)."""
    doc = _document(raw, "an Annex II or III")
    return notice_out(feedback_import.import_feedback(session, clock, settings, principal, doc), principal)
