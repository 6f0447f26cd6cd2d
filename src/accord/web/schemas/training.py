"""Golden sets, golden cases, training answers, accuracy against gold and the calibration rule on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from accord.web.schemas.common import In, Out


class GoldenSetIn(In):
    name: str = Field(max_length=120)
    description: str = Field("", max_length=2000)
    visibility: Literal["private", "shared", "all"] = "private"
    shared_with: list[str] = Field(default_factory=list, description="organisation ids, for 'shared'")


class GoldenSetOut(Out):
    id: str
    org_id: str
    name: str
    description: str
    visibility: str
    shared_with: list[str]
    created_at: datetime
    cases: int = 0


class GoldenCaseIn(In):
    """A golden case written by the set's owner."""

    title: str = Field(max_length=500)
    facts: str = Field(max_length=20000)
    reference_action: str = Field(description="remove, disable, restrict or no_action")
    reference_ground: str = Field(max_length=500)
    reference_reasons: str = Field(max_length=20000)
    media: list[dict[str, str]] = Field(default_factory=list, max_length=20)
    labels: list[str] = Field(default_factory=list, max_length=20)
    language: str | None = Field(None, max_length=8)
    jurisdiction: str | None = Field(None, max_length=2)
    graphic: bool = False


class FromDecisionIn(In):
    decision_id: str = Field(max_length=40)
    title: str = Field("", max_length=500, description="a neutral title; the case's own title is not kept")


class GoldenCaseOut(Out):
    """What a trainee sees before deciding: no reference."""

    id: str
    set_id: str
    title: str
    facts: str
    media: list[dict[str, Any]]
    labels: list[str]
    sources: list[str]
    language: str | None
    jurisdiction: str | None
    graphic: bool
    origin: str


class ReferenceOut(Out):
    reference_action: str
    reference_ground: str
    reference_reasons: str


class GoldenCaseCuratedOut(GoldenCaseOut, ReferenceOut):
    """The owner's view of a golden case it added: with its reference."""


class TrainingAnswerIn(In):
    action: str = Field(description="remove, disable, restrict or no_action")
    ground: str = Field("", max_length=500)
    reasons: str = Field("", max_length=20000)


class CalibrationOut(Out):
    reviewer: str
    required: bool
    cases: int
    min_accuracy: float
    min_kappa: float | None
    set_id: str | None
    answered: int
    correct: int
    accuracy: float | None
    kappa: float | None
    passed: bool
    passed_at: datetime | None


class FeedbackOut(Out):
    """The trainee's answer beside the reference and its reasoning; nothing was done to any content."""

    id: str
    golden_case_id: str
    action: str
    correct: bool
    reference: ReferenceOut
    calibration: CalibrationOut


class AgreementOut(Out):
    reviewer: str
    answered: int
    correct: int
    accuracy: float | None
    kappa: float | None = Field(description="Cohen's kappa against the reference; null when undefined")


class RuleIn(In):
    required: bool
    cases: int = Field(10, ge=1, le=500)
    min_accuracy: float = Field(0.8, ge=0, le=1)
    min_kappa: float | None = Field(None, ge=-1, le=1)
    set_id: str | None = Field(None, max_length=40, description="a golden set; null: any the organisation sees")


class RuleOut(Out):
    required: bool
    cases: int
    min_accuracy: float
    min_kappa: float | None
    set_id: str | None
    enabled_at: datetime | None
