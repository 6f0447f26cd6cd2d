"""Identity work done by the worker: forgetting failed-login counters and sessions that no longer matter."""

from __future__ import annotations

from accord.identity import sessions
from accord.jobs.registry import JobContext, periodic


@periodic("identity.purge_logins", 3600)
def purge_logins(ctx: JobContext) -> int:
    """Hourly: throttle rows whose failures and lockouts are forgotten, and expired UI sessions, are deleted."""
    return sessions.purge_expired(ctx.session, ctx.clock, ctx.settings)
