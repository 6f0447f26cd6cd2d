"""Periodic duties: release user notices whose non-disclosure ended; purge expired preserved items daily."""

from __future__ import annotations

from accord.audit.service import Actor
from accord.jobs.registry import JobContext, periodic
from accord.rights import preservation, user_notices

SYSTEM = Actor("system:rights", None)


@periodic("rights.release_user_notices", 60)
def release_user_notices(ctx: JobContext) -> int:
    """TCO Art. 11(3): a held notice goes out by itself once the non-disclosure period ends."""
    return user_notices.release_due(ctx.session, ctx.clock, SYSTEM)


@periodic("rights.purge_preservation", 24 * 3600)
def purge_preservation(ctx: JobContext) -> int:
    """TCO Art. 6(2): erase what was kept six months (or until a legal hold ended), recording each purge."""
    return preservation.purge_expired(ctx.session, ctx.clock, SYSTEM)
