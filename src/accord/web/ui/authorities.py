"""Notice-page forms for TCO Art. 9 reviews and the provider's reinstatement instructions (TCO Art. 4(7))."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from accord.errors import InvalidInput
from accord.identity.service import Principal
from accord.rights import orders, reviews
from accord.web.ui.auth import ui_principal
from accord.web.ui.forms import PostDep

router = APIRouter(prefix="/ui/notices", include_in_schema=False)
UiPrincipal = Annotated[Principal, Depends(ui_principal)]


def _date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput("filed_on is a date such as 2026-12-01", field="filed_on") from None


@router.post("/{notice_id}/reviews")
def record_review(request: Request, notice_id: str, principal: UiPrincipal, post: PostDep, body: Annotated[str, Form()],
                  filed_on: Annotated[str, Form()], brought_by: Annotated[str, Form()] = "provider",
                  case_reference: Annotated[str, Form()] = "") -> Response:
    with post.unit() as session:
        reviews.record_review(session, post.clock, post.settings, principal, notice_id, brought_by=brought_by,
                              body=body, filed_on=_date(filed_on), case_reference=case_reference)
    return RedirectResponse(f"/ui/notices/{notice_id}#finality", status_code=303)


@router.post("/{notice_id}/reviews/{review_id}/outcome")
def review_outcome(request: Request, notice_id: str, review_id: str, principal: UiPrincipal, post: PostDep,
                   outcome: Annotated[str, Form()], reasons: Annotated[str, Form()] = "") -> Response:
    with post.unit() as session:
        reviews.decide_review(session, post.clock, post.settings, principal, notice_id, review_id,
                              outcome=outcome, reasons=reasons)
    return RedirectResponse(f"/ui/notices/{notice_id}#finality", status_code=303)


@router.post("/reinstatements/{instruction_id}/confirm")
def confirm_reinstatement(request: Request, instruction_id: str, principal: UiPrincipal, post: PostDep) -> Response:
    with post.unit() as session:
        orders.confirm_instruction(session, post.clock, principal, instruction_id)
    return RedirectResponse("/ui/", status_code=303)
