"""Flood protection: an entry that matches far more than any real signal does is taken out of matching.

A junk hash (all zeros, a blank frame, a logo every upload carries) would open a case for every upload of every
provider. After a provider's matches are recorded, each matched entry's matches of the past hour, across
organisations, are counted; past ``flood_matches_per_entry_per_hour`` the entry is quarantined (matchers drop it
through the change log, as for any quarantine), every match it made is marked for re-review, its owner and the
coordinators are told by webhook (``bank_entry.flood_quarantined``), and ``banks:entry:flood`` is written.
The owner confirms the entry again if it was right after all; the count then starts over from that change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.banks.models import Bank, BankEntry, EntryState, MatchRecord
from accord.banks.service import log_change
from accord.clock import Clock
from accord.identity.models import Organisation
from accord.jobs import webhooks

WEBHOOK_EVENT = "bank_entry.flood_quarantined"
REASON = "flood"
WINDOW = timedelta(hours=1)


def check(session: Session, clock: Clock, entry_ids: Iterable[int], *, limit: int) -> list[int]:
    """Quarantine the active entries among ``entry_ids`` matched more than ``limit`` times in the past hour
    (0: never); answers the ids quarantined."""
    ids = sorted(set(entry_ids))
    if limit <= 0 or not ids:
        return []
    counts = session.execute(
        select(MatchRecord.entry_id, func.count())
        .where(MatchRecord.entry_id.in_(ids), MatchRecord.created_at > clock.now() - WINDOW)
        .group_by(MatchRecord.entry_id)
    )
    flooding = {entry_id: count for entry_id, count in counts if count > limit}
    return [entry_id for entry_id, count in sorted(flooding.items())
            if _quarantine(session, clock, entry_id, count, limit)]


def _quarantine(session: Session, clock: Clock, entry_id: int, count: int, limit: int) -> bool:
    entry = session.get(BankEntry, entry_id)
    if entry is None or entry.state != EntryState.ACTIVE:
        return False
    if entry.updated_at > clock.now() - WINDOW:  # changed (confirmed again) within the hour: count since then
        count = session.scalar(select(func.count()).select_from(MatchRecord).where(
            MatchRecord.entry_id == entry_id, MatchRecord.created_at > entry.updated_at)) or 0
        if count <= limit:
            return False
    bank = session.get(Bank, entry.bank_id)
    assert bank is not None
    entry.state = EntryState.QUARANTINED
    entry.updated_at = clock.now()
    log_change(session, clock, entry, "quarantine")
    marked = int(getattr(session.execute(
        update(MatchRecord).where(MatchRecord.entry_id == entry_id, MatchRecord.rereview.is_(None))
        .values(rereview=REASON)
    ), "rowcount", 0))
    record(session, clock, Actor.system(), Event.BANKS_ENTRY_FLOOD, subject=str(entry_id), org_id=bank.org_id,
           payload={"bank_id": bank.id, "matches_in_hour": count, "limit": limit, "rereview": marked})
    data = {"entry_id": entry_id, "bank_id": bank.id, "bank": bank.name, "matches_in_hour": count, "limit": limit,
            "rereview": marked}
    for org_id in _told(session, bank):
        webhooks.emit(session, clock, org_id=org_id, event=WEBHOOK_EVENT, data=data)
    return True


def _told(session: Session, bank: Bank) -> list[str]:
    """The bank's owner, then every coordinator organisation of the instance."""
    coordinators = session.scalars(select(Organisation.id).where(Organisation.kind == "coordinator")
                                   .order_by(Organisation.id))
    return list(dict.fromkeys([bank.org_id, *coordinators]))


def flagged(session: Session, entry_id: int) -> list[MatchRecord]:
    """The matches of an entry marked for re-review."""
    return list(session.scalars(select(MatchRecord).where(MatchRecord.entry_id == entry_id,
                                                          MatchRecord.rereview.is_not(None))
                                .order_by(MatchRecord.created_at, MatchRecord.id)))
