"""Shared schema pieces."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """Response models read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class In(BaseModel):
    """Request models refuse unknown fields so that a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid")
