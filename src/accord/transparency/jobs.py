"""Transparency work done by the worker: submitting statements of reasons to the DSA Transparency Database
"without undue delay" (Art. 24(5)), every five minutes, with each statement's backoff respected."""

from __future__ import annotations

from accord.audit.service import Actor
from accord.identity.service import list_organisations
from accord.jobs.registry import JobContext, periodic
from accord.transparency import tdb

SYSTEM = Actor("system:transparency", None)


@periodic("transparency.submit_statements", 300)
def submit_statements(ctx: JobContext) -> int:
    """Post every provider's pending statements; nothing when no Database is configured."""
    if not ctx.settings.tdb_url or ctx.settings.tdb_token is None:
        return 0
    handled = 0
    for org in list_organisations(ctx.session, "provider"):
        report = tdb.submit(ctx.session, ctx.clock, ctx.settings, SYSTEM, provider_id=org.id)
        handled += report.accepted + report.duplicates + report.rejected
    return handled
