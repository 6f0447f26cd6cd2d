"""Request and response models for order finality and reviews, exposure decisions, penalties and signals."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from accord.web.schemas.common import In, Out


class ReviewIn(In):
    brought_by: Literal["provider", "content_provider"] = Field(description="who challenged the order (TCO Art. 9)")
    body: str = Field(description="the court or administrative body reviewing the order")
    filed_on: datetime
    case_reference: str = ""
    outcome: Literal["pending", "confirmed", "annulled", "amended"] = "pending"
    reasons: str = ""


class ReviewOutcomeIn(In):
    outcome: Literal["confirmed", "annulled", "amended"]
    reasons: str = ""


class ReviewOut(Out):
    id: str
    notice_id: str
    provider_id: str
    issuer_id: str | None
    brought_by: str
    body: str
    case_reference: str
    filed_on: datetime
    outcome: str
    outcome_reasons: str
    decided_at: datetime | None


class FinalityOut(Out):
    final_at: datetime | None
    redress_deadline: datetime | None
    appeal_pending: bool
    state: str = Field(description="final | appeal_pending | appealable | void | not_an_order")


class ExposureIn(In):
    provider_id: str
    reasons: str
    other_factors: str = Field("", description="objective factors beyond two final orders in 12 months")


class ExposureReportIn(In):
    measures: str


class ExposureTextIn(In):
    text: str


class ExposureReviewIn(In):
    reason: str


class ExposureReviewDecisionIn(In):
    outcome: Literal["maintained", "amended", "revoked"]
    reasons: str


class ExposureOut(Out):
    id: str
    authority_id: str
    provider_id: str
    final_order_ids: list[str]
    reasons: str
    decided_at: datetime
    state: str
    reports: list[dict[str, Any]]
    requirements: list[dict[str, Any]]
    review: dict[str, Any]
    next_report_due: datetime | None = None
    report_overdue: bool = False


class PenaltyIn(In):
    provider_id: str
    amount: str = Field(description="decimal amount, e.g. 25000.00")
    currency: str = "EUR"
    ground: str = Field(description="the infringed provision, e.g. Art. 3(3)")
    imposed_on: datetime
    description: str = ""


class PenaltyOut(Out):
    id: str
    authority_id: str
    provider_id: str
    amount_cents: int
    currency: str
    ground: str
    description: str
    imposed_on: datetime


class BreachSignalOut(Out):
    provider_id: str
    provider_name: str
    orders: int
    breaches: int
    threshold: int
    window_days: int
    systematic: bool


class InstructionOut(Out):
    id: str
    notice_id: str
    provider_id: str
    reason: str
    decision_id: str | None
    text: str
    issued_at: datetime
    confirmed_at: datetime | None
