"""The worker's duties for notices: the one-hour clock of removal orders."""

from __future__ import annotations

from accord.jobs.registry import JobContext, periodic
from accord.notices.deadlines import check_deadlines

DEADLINE_CHECK_SECONDS = 10.0  # escalations land within 10 s of the 15/30/45-minute marks


@periodic("notices.deadlines", DEADLINE_CHECK_SECONDS)
def deadlines(ctx: JobContext) -> int:
    """Escalate removal orders at 15/30/45 minutes without an outcome and record breaches after the hour."""
    return check_deadlines(ctx.session, ctx.clock)
