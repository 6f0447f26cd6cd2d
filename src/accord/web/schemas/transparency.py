"""Trusted-flagger figures and SoR export answers on the wire (reports are free-form JSON documents)."""

from __future__ import annotations

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
