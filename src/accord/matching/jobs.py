"""The worker's matching duty: keep an index snapshot near the head of the change log.

Matcher processes start from the newest snapshot and replay only the changes past its mark, so a recent
snapshot is what makes a restart fast. The worker writes one every five minutes when anything changed.
"""

from __future__ import annotations

from accord.jobs.registry import JobContext, periodic
from accord.matching.service import Matcher

SNAPSHOT_EVERY_SECONDS = 300.0


@periodic("matching:snapshot", SNAPSHOT_EVERY_SECONDS)
def snapshot(context: JobContext) -> int:
    """Open the newest snapshot, replay the changes since it, and save a new one; answers changes applied."""
    matcher = Matcher.open(context.settings.index_snapshot_dir)
    applied = matcher.refresh(context.session).changes
    if applied:
        matcher.save_snapshot()
    return applied
