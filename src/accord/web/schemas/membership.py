"""The GIFCT membership self-assessment on the wire (HASH-06)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from accord.web.schemas.common import Out


class CriterionOut(Out):
    id: str
    criterion: str
    status: str = Field(description="met | not_met | to_confirm (Accord cannot see it; the provider confirms)")
    evidence: dict[str, Any]
    next_step: str


class SelfAssessmentOut(Out):
    provider_id: str
    provider_name: str
    assessed_at: str
    source: str
    criteria: list[CriterionOut]
    summary: dict[str, int]
