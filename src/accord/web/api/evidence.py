"""/v1 routes for European Production and Preservation Orders (Regulation (EU) 2023/1543): the issuing
authority's keys and orders, the provider's answers, the enforcing authority's answer to a notification, sealed
packages and voluntary emergency disclosures. Another organisation's order or package is a 404."""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from accord.evidence import forms, service
from accord.evidence.models import EvidenceOrder, EvidencePackage
from accord.identity.service import Principal
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep
from accord.web.schemas.evidence import (
    AnswerIn,
    DisclosureIn,
    KeyIn,
    KeyOut,
    NotificationAnswerIn,
    OrderIn,
    OrderOut,
    PackageOut,
    ReasonIn,
    ReviewIn,
    SealedPackageOut,
    TextIn,
    ValidationIn,
)

router = APIRouter(prefix="/v1", tags=["evidence"])
Reader = Annotated[Principal, Depends(Scoped("evidence:read"))]
Writer = Annotated[Principal, Depends(Scoped("evidence:write"))]
Status = Literal["received", "clarification", "review", "preserved", "produced", "impossible", "refused",
                 "withdrawn", "expired"]


def order_out(session: Session, order: EvidenceOrder, clock: ClockDep) -> OrderOut:
    out = OrderOut.model_validate(order)
    packages = [PackageOut.model_validate(p) for p in service.packages_of(session, order.id)]
    return out.model_copy(update={"packages": packages,
                                  "production_waits": service.production_gate(order, clock.now())})


@router.post("/evidence-keys", status_code=201)
def register_key(body: KeyIn, principal: Writer, session: SessionDep, clock: ClockDep) -> KeyOut:
    """The issuing authority's public key: produced data is sealed for it (the instance never holds plaintext)."""
    return KeyOut.model_validate(service.register_key(session, clock, principal, body.public_key))


@router.get("/evidence-keys")
def list_keys(principal: Reader, session: SessionDep) -> list[KeyOut]:
    return [KeyOut.model_validate(k) for k in service.list_keys(session, principal)]


@router.post("/evidence-orders", status_code=201)
def issue(body: OrderIn, principal: Writer, session: SessionDep, clock: ClockDep) -> OrderOut:
    """Issue an EPOC (production) or EPOC-PR (preservation); a combination Art. 4 or 5 forbids is a 422 citing
    the article."""
    request = service.OrderRequest(**body.model_dump())
    return order_out(session, service.issue(session, clock, principal, request), clock)


@router.get("/evidence-orders")
def list_orders(principal: Reader, session: SessionDep, clock: ClockDep, status: Status | None = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[OrderOut]:
    """Orders the caller issued, received, or was notified of as enforcing authority, newest first."""
    return [order_out(session, o, clock) for o in service.list_orders(session, principal, status=status,
                                                                       limit=limit)]


@router.get("/evidence-orders/statistics")
def statistics(principal: Reader, session: SessionDep,
               year: Annotated[int, Query(ge=2023, le=9998)]) -> dict[str, Any]:
    """The year's figures for the Regulation's monitoring (Art. 28), issued or received."""
    return service.statistics(session, principal, year)


@router.get("/evidence-orders/{order_id}")
def get_order(order_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> OrderOut:
    return order_out(session, service.get_order(session, principal, order_id), clock)


@router.post("/evidence-orders/{order_id}/answer")
def answer(order_id: str, body: AnswerIn, principal: Writer, session: SessionDep, clock: ClockDep,
           settings: SettingsDep) -> OrderOut:
    """The provider produces (data sealed for the issuer at once), confirms preservation, or sends the
    impossibility form (Annex III); a third-country conflict opens the Art. 17 review."""
    reply = service.Answer(outcome=body.outcome,
                           data=service.decode_data(body.data_base64) if body.data_base64 else None,
                           filename=body.filename, media_type=body.media_type, grounds=body.grounds,
                           explanation=body.explanation, preserved_item_id=body.preserved_item_id)
    return order_out(session, service.answer(session, clock, settings, principal, order_id, reply), clock)


@router.post("/evidence-orders/{order_id}/notification-answer")
def notification_answer(order_id: str, body: NotificationAnswerIn, principal: Writer, session: SessionDep,
                        clock: ClockDep) -> OrderOut:
    """The enforcing authority raises grounds for refusal (Art. 12) or says it raises none (Art. 10(2))."""
    order = service.answer_notification(session, clock, principal, order_id, answer=body.answer,
                                        grounds=body.grounds, explanation=body.explanation)
    return order_out(session, order, clock)


@router.post("/evidence-orders/{order_id}/clarify")
def clarify(order_id: str, body: TextIn, principal: Writer, session: SessionDep, clock: ClockDep) -> OrderOut:
    """The issuer clarifies an order the provider found incomplete; the time limit starts afresh."""
    return order_out(session, service.clarify(session, clock, principal, order_id, text=body.text), clock)


@router.post("/evidence-orders/{order_id}/extend")
def extend(order_id: str, body: ReasonIn, principal: Writer, session: SessionDep, clock: ClockDep) -> OrderOut:
    """Art. 11(1): extend a preservation by 30 days, once."""
    return order_out(session, service.extend(session, clock, principal, order_id, reason=body.reason), clock)


@router.post("/evidence-orders/{order_id}/withdraw")
def withdraw(order_id: str, body: ReasonIn, principal: Writer, session: SessionDep, clock: ClockDep) -> OrderOut:
    return order_out(session, service.withdraw(session, clock, principal, order_id, reason=body.reason), clock)


@router.post("/evidence-orders/{order_id}/validation")
def validation(order_id: str, body: ValidationIn, principal: Writer, session: SessionDep,
               clock: ClockDep) -> OrderOut:
    """Art. 4(5): the ex-post validation of an emergency order; refused, the order is withdrawn and purged."""
    order = service.validate(session, clock, principal, order_id, validated_by=body.validated_by,
                             granted=body.granted)
    return order_out(session, order, clock)


@router.post("/evidence-orders/{order_id}/review")
def review(order_id: str, body: ReviewIn, principal: Writer, session: SessionDep, clock: ClockDep) -> OrderOut:
    """Art. 17: the issuer's decision on the provider's objection, and the court's."""
    order = service.decide_review(session, clock, principal, order_id, decision=body.decision,
                                  reasons=body.reasons)
    return order_out(session, order, clock)


_PDF: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    "description": "The form as PDF (text extractable, the signed JSON embedded)"}}


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})


@router.get("/evidence-orders/{order_id}/form.json")
def form_json(order_id: str, principal: Reader, session: SessionDep, clock: ClockDep,
              settings: SettingsDep) -> dict[str, Any]:
    """The EPOC (Annex I) or EPOC-PR (Annex II), signed with the issuing authority's key."""
    return forms.order_form(session, clock, settings, principal, order_id)


@router.get("/evidence-orders/{order_id}/form.pdf", response_class=Response, responses=_PDF)
def form_pdf(order_id: str, principal: Reader, session: SessionDep, clock: ClockDep,
             settings: SettingsDep) -> Response:
    return _pdf(forms.order_pdf(session, clock, settings, principal, order_id), f"epoc-{order_id}")


@router.get("/evidence-orders/{order_id}/impossibility.pdf", response_class=Response, responses=_PDF)
def impossibility_pdf(order_id: str, principal: Reader, session: SessionDep, clock: ClockDep,
                      settings: SettingsDep) -> Response:
    """Annex III, once the provider said it cannot execute, signed with the provider's key."""
    return _pdf(forms.impossibility_pdf(session, clock, settings, principal, order_id), f"annex-iii-{order_id}")


def _sealed(package: EvidencePackage) -> SealedPackageOut:
    out = PackageOut.model_validate(package).model_dump()
    return SealedPackageOut(**out, sealed_base64=base64.b64encode(package.sealed or b"").decode())


@router.get("/evidence-packages/{package_id}")
def download(package_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> SealedPackageOut:
    """The sealed package, for the authority it is sealed for; the download is logged."""
    return _sealed(service.download(session, clock, principal, package_id))


@router.post("/evidence-disclosures", status_code=201)
def disclose(body: DisclosureIn, principal: Writer, session: SessionDep, clock: ClockDep,
             settings: SettingsDep) -> PackageOut:
    """A provider's voluntary disclosure for an imminent threat to life, sealed for the authority's key."""
    reply = service.Answer(outcome="produce", data=service.decode_data(body.data_base64), filename=body.filename,
                           media_type=body.media_type)
    package = service.disclose(session, clock, settings, principal, authority_id=body.authority_id,
                               details=body.details, reply=reply, notice_id=body.notice_id)
    return PackageOut.model_validate(package)


@router.get("/evidence-disclosures")
def list_disclosures(principal: Reader, session: SessionDep) -> list[PackageOut]:
    return [PackageOut.model_validate(p) for p in service.disclosures(session, principal)]
