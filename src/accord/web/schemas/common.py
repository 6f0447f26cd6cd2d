"""Shared schema pieces."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """Response models read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class In(BaseModel):
    """Request models refuse unknown fields so that a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid")


INT32_MAX = 2**31 - 1
"""The largest value of a PostgreSQL ``integer`` column; a larger number in a query is refused, not a 500."""
VersionInPath = Annotated[int, Path(ge=1, le=INT32_MAX)]
VersionInQuery = Annotated[int, Query(ge=1, le=INT32_MAX)]
