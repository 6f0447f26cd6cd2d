"""Response models for retroactive scans."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from accord.web.schemas.common import Out


class ScanFigures(Out):
    banks: dict[str, int] = Field(default_factory=dict, description="Items matched per bank (by name)")
    labels: dict[str, int] = Field(default_factory=dict, description="Items matched per entry label")
    actions: dict[str, int] = Field(default_factory=dict,
                                    description="What recording decided per item: review, or an automatic action")


class ScanOut(Out):
    id: str
    org_id: str
    status: str = Field(description="running, finished or failed (a failed or interrupted scan resumes)")
    shadow: bool = Field(description="Only counted: no case opened")
    sources: list[str]
    banks: list[str] = Field(description="Banks matched against; empty: every bank the organisation may use")
    engine: str = Field(description="Where it ran: in process, a Dask LocalCluster, or a scheduler's address")
    batch_size: int
    items_total: int | None
    items_done: int
    items_matched: int
    items_suppressed: int = Field(description="Items whose match an allow-list (negative bank) suppressed")
    items_failed: int = Field(description="Items that could not be read or decoded")
    cases: int = Field(description="Items whose match opened or joined a case (labelled retroactive)")
    figures: ScanFigures
    errors: list[dict[str, str]] = Field(description="The first unreadable items and why")
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
