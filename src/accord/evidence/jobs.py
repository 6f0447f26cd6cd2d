"""The worker's duty for evidence orders: their clocks (``evidence.deadlines``)."""

from __future__ import annotations

from accord.evidence.deadlines import run_all
from accord.jobs.registry import JobContext, periodic

DEADLINE_CHECK_SECONDS = 60.0  # the shortest window is 8 hours; escalations land within a minute of their mark


@periodic("evidence.deadlines", DEADLINE_CHECK_SECONDS)
def deadlines(ctx: JobContext) -> int:
    """Escalate and breach production orders, end preservations, lapse notifications, purge packages."""
    return run_all(ctx.session, ctx.clock)
