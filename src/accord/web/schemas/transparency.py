"""Trusted-flagger figures and SoR export answers on the wire (reports are free-form JSON documents)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from accord.web.schemas.common import In, Out


class FlaggerAccuracyOut(Out):
    flagger_id: str
    provider_id: str | None = None
    notices: int
    acted_on: int
    acted_on_share: float | None
    acted_on_interval: list[float] | None = Field(None, description="Wilson 95% interval [low, high]")
    complaints_decided: int
    overturned: int
    overturn_rate: float | None
    alert: bool


class AlertThresholdIn(In):
    below: float = Field(ge=0, le=1, description="Alert when the interval's upper bound falls below this share")


class SubmissionOut(Out):
    """One statement of reasons and where it stands with the DSA Transparency Database (Art. 24(5))."""

    statement_id: str
    decision_id: str
    puid: str | None
    category: str | None
    decision: str
    created_at: datetime
    state: str = Field(description="pending, accepted, rejected, or exempt (micro or small enterprise)")
    tdb_uuid: str | None = Field(None, description="The Database's id of the accepted statement")
    duplicate: bool = Field(False, description="Accepted because the Database already held its puid")
    errors: dict[str, Any] = Field(default_factory=dict, description="The Database's 422 errors, by field")
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    exempt: str | None = Field(None, description="Why the statement is not submitted")


class DisputeIn(In):
    """A certified body's dispute about one of the provider's decisions (DSA Art. 21)."""

    decision_id: str
    body_name: str = Field(min_length=1, max_length=300, description="The certified dispute settlement body")
    certified_by: str = Field(min_length=2, max_length=2, description="ISO code of the certifying Member State")
    reference: str = Field("", max_length=200, description="The body's file number")
    filed_at: datetime | None = Field(None, description="When the body was seized (default: now)")


class DisputeOutcomeIn(In):
    outcome: str = Field(description="upheld, reversed, settled or withdrawn")
    note: str = Field("", max_length=5000)


class DisputeOut(Out):
    id: str
    decision_id: str
    body_name: str
    certified_by: str
    reference: str
    filed_at: datetime
    outcome: str | None
    outcome_note: str
    decided_at: datetime | None


class AlertThresholdOut(Out):
    below: float
