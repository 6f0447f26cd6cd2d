"""The worker's liveness duty: re-check alerts and referrals until their content is offline (``liveness``)."""

from __future__ import annotations

from accord.jobs.registry import JobContext, periodic
from accord.notices.liveness import recheck_due

LIVENESS_CHECK_SECONDS = 300.0  # each notice is re-checked at most hourly; this only bounds the lag


@periodic("notices.liveness", LIVENESS_CHECK_SECONDS)
def liveness(ctx: JobContext) -> int:
    """Re-check the URLs of alerts and referrals that are due; mark the ones gone offline."""
    return recheck_due(ctx.session, ctx.clock, ctx.settings)
