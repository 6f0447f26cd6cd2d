"""The worker's liveness work: a duty queues re-checks of alerts and referrals, a job runs each (``liveness``)."""

from __future__ import annotations

from typing import Any

from accord.jobs.registry import JobContext, handler, periodic
from accord.notices.liveness import RECHECK_JOB, queue_due, run_recheck

LIVENESS_CHECK_SECONDS = 300.0  # each notice is re-checked at most hourly; this only bounds the lag


@periodic("notices.liveness", LIVENESS_CHECK_SECONDS)
def liveness(ctx: JobContext) -> int:
    """Queue a re-check of every alert and referral that is due."""
    return queue_due(ctx.session, ctx.clock)


@handler(RECHECK_JOB)
def recheck(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Fetch one notice's URLs; mark it offline when every one is gone."""
    run_recheck(ctx.session, ctx.clock, ctx.settings, str(payload["notice_id"]))
