"""/v1/gifct/self-assessment: a provider's checklist against the GIFCT membership criteria (HASH-06)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse

from accord.errors import InvalidInput
from accord.identity.service import Principal
from accord.transparency import membership
from accord.web.deps import ClockDep, Scoped, SessionDep
from accord.web.schemas.membership import SelfAssessmentOut

router = APIRouter(prefix="/v1", tags=["policies"])
Reader = Annotated[Principal, Depends(Scoped("policies:read"))]
_MARKDOWN: dict[int | str, dict[str, Any]] = {200: {"content": {"text/markdown": {}}, "description": "format=markdown"}}


@router.get("/gifct/self-assessment", response_model=SelfAssessmentOut, responses=_MARKDOWN)
def self_assessment(principal: Reader, session: SessionDep, clock: ClockDep,
                    fmt: Annotated[str, Query(alias="format", description="json or markdown")] = "json",
                    ) -> SelfAssessmentOut | PlainTextResponse:
    """The caller's checklist, as JSON or (``format=markdown``) as a page to keep or send."""
    if fmt not in ("json", "markdown"):
        raise InvalidInput("format is json or markdown", field="format")
    assessment = membership.self_assessment(session, clock, principal)
    if fmt == "markdown":
        return PlainTextResponse(membership.as_markdown(assessment), media_type="text/markdown")
    return SelfAssessmentOut.model_validate(assessment.as_dict())
