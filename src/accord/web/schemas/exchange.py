"""Request and response shapes of the exchange: opinions written back by python-threatexchange clients."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from accord.web.schemas.common import In, Out


class OpinionIn(In):
    signal_type: str = Field(max_length=40, description="Accord's name or python-threatexchange's (raw_text)")
    value: str = Field(max_length=20_000, description="The signal: a hash, a URL or a text")
    opinion: Literal["agree", "disagree", "seen"] = Field(
        description="agree / disagree: a vote on every matching entry; seen: the signal was met on your service"
    )
    labels: list[str] = Field(default_factory=list, max_length=20, description="The labels you gave it")


class ReachedOut(Out):
    bank: str
    entry_id: int
    distance: int
    verdict: str


class OpinionOut(Out):
    entries: list[ReachedOut]


class ExchangeKeyOut(Out):
    """The key that signs this instance's feed, to pin before a first pull."""

    algorithm: Literal["ed25519"]
    public_key: str = Field(description="Raw Ed25519 public key, hex")
