"""The worker's duty for drills: send each one at its moment."""

from __future__ import annotations

from accord.jobs.registry import JobContext, periodic
from accord.readiness.drills import send_due

SEND_CHECK_SECONDS = 30.0  # a drill leaves within 30 s of its drawn moment


@periodic("readiness.send_drills", SEND_CHECK_SECONDS)
def send_drills(ctx: JobContext) -> int:
    """Send the drills whose random moment has come."""
    return send_due(ctx.session, ctx.clock)
