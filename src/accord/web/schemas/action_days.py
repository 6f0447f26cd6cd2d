"""Referral Action Days on the wire (EUR-04)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from accord.web.schemas.common import In, Out
from accord.web.schemas.notices import BatchLineOut


class ActionDayIn(In):
    name: str = Field(min_length=1, max_length=200, description="e.g. 'RAD 2026-12 (jihadist propaganda)'")
    deadline_at: datetime = Field(description="The deadline shared by every notice of the day (ISO 8601, with a zone)")
    description: str = Field("", max_length=4000)


class ActionDayOut(Out):
    id: str
    name: str
    description: str
    deadline_at: datetime
    created_at: datetime


class ActionDayImportOut(Out):
    accepted: int
    refused: int
    lines: list[BatchLineOut]


class ProviderLineOut(Out):
    provider_id: str
    provider_name: str
    notices: int
    acknowledged: int
    answered: int
    open: int
    late: int = Field(description="Answered after the shared deadline, or still open once it has passed")
    by_outcome: dict[str, int]


class ActionDaySummaryOut(Out):
    action_day: ActionDayOut
    notices: int
    providers: int
    acknowledged: int
    answered: int
    late: int
    past_deadline: bool
    by_outcome: dict[str, int] = Field(description="removed, disabled, no_action, cannot_comply")
    per_provider: list[ProviderLineOut]
