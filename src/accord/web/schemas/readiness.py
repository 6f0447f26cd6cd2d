"""Request and response models for drills, joint exercises and the readiness score."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from accord.web.schemas.common import In, Out


class DrillIn(In):
    provider_id: str = Field(max_length=40, description="The provider drilled (a provider: itself, a self-drill)")
    starts_after: datetime = Field(description="The order leaves at a random moment after this (ISO 8601)")
    ends_before: datetime = Field(description="... and before this; the window is at most 31 days")


class AdviceOut(Out):
    text: str
    link: str


class DrillTimes(Out):
    """Seconds from sending to each step; null while the step has not happened."""

    delivery: int | None = Field(description="the notice.received webhook answered 2xx")
    first_view: int | None = Field(description="the provider first opened the order (API or inbox)")
    acknowledgement: int | None
    action: int | None = Field(description="the order was answered (removed, disabled, or cannot comply)")
    feedback: int | None = Field(description="the Annex II/III feedback was first produced")


class DrillOut(Out):
    id: str
    provider_id: str
    organiser_id: str
    exercise_id: str | None
    status: Literal["scheduled", "sent", "acted", "missed", "cancelled"]
    starts_after: datetime
    ends_before: datetime
    notice_id: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    first_viewed_at: datetime | None
    acknowledged_at: datetime | None
    acted_at: datetime | None
    feedback_at: datetime | None
    outcome: str | None
    webhook: Literal["none", "delivered", "failing", "pending"]
    seconds_to_action: int | None
    passed: bool = Field(description="acted on within the hour")
    times: DrillTimes
    advice: list[AdviceOut] = Field(description="what to fix, in the order the path runs")


class ItemOut(Out):
    key: str
    label: str
    ok: bool
    detail: str
    fix: str
    link: str = Field(description="the page that fixes it")


class ReadinessOut(Out):
    provider_id: str
    provider_name: str
    passed: int
    total: int
    ready: bool
    items: list[ItemOut]


class SignalIn(In):
    type: str = Field(max_length=40)
    value: str = Field(max_length=4000)


class ExerciseIn(In):
    title: str = Field(max_length=200)
    scenario: str = Field("", max_length=5000)
    provider_ids: list[str] = Field(min_length=2, max_length=500)
    starts_after: datetime
    ends_before: datetime
    signals: list[SignalIn] = Field(default_factory=list, max_length=100,
                                    description="hashes shared in the exercise's incident bank")


class ExerciseRowOut(Out):
    drill_id: str
    provider_id: str
    provider_name: str
    status: str
    times: DrillTimes
    passed: bool


class ExerciseGroupOut(Out):
    providers: int
    passed: int
    acted: int
    median_seconds_to_action: float | None
    median_seconds_to_acknowledgement: float | None


class ExerciseOut(Out):
    id: str
    title: str
    scenario: str
    incident_id: str | None
    created_at: datetime
    group: ExerciseGroupOut
    rows: list[ExerciseRowOut] = Field(description="every provider for the coordinator; a provider's own row only")
    rank: int | None = Field(None, description="a provider's place by time to action (1: fastest)")


class WebhookTestOut(Out):
    queued: int
