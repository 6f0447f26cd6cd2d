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
INT64_MAX = 2**63 - 1
"""The largest value of a ``bigint`` column (entry ids, bank change and audit sequence numbers)."""
MAX_PAGE = 1000
"""The most rows one page may ask for."""
VersionInPath = Annotated[int, Path(ge=1, le=INT32_MAX)]
VersionInQuery = Annotated[int, Query(ge=1, le=INT32_MAX)]
OptionalVersion = Annotated[int | None, Query(ge=1, le=INT32_MAX)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"At most {MAX_PAGE} rows")]
Offset = Annotated[int, Query(ge=0, le=INT32_MAX, description="Rows to skip")]
Position = Annotated[int, Query(ge=0, le=INT64_MAX, description="A sequence number or id to page from")]
OptionalPosition = Annotated[int | None, Query(ge=0, le=INT64_MAX, description="A sequence number to page from")]
EntryIdInPath = Annotated[int, Path(ge=1, le=INT64_MAX)]
Year = Annotated[int, Query(ge=1, le=9999)]
OptionalYear = Annotated[int | None, Query(ge=1, le=9999)]
