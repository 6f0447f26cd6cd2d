"""Blocking-list work done by the worker: entries expire on time (nothing is blocked forever, and the export
changes the moment they do) and the authority is reminded of each periodic re-examination and of appeals due."""

from __future__ import annotations

from sqlalchemy import select

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.blocklists.models import Blocklist, BlocklistAppeal, BlocklistEntry
from accord.blocklists.service import LIVE, end_entry
from accord.jobs.registry import JobContext, periodic
from accord.jobs.webhooks import emit

SYSTEM = Actor("system:blocklists", None)


def expire_due(ctx: JobContext) -> int:
    """Every entry whose expiry has come leaves the list; each list's serial grows once per entry."""
    due = list(ctx.session.scalars(select(BlocklistEntry).where(BlocklistEntry.state.in_((LIVE, "proposed",
                                                                                          "suspended")),
                                                                BlocklistEntry.expires_at <= ctx.clock.now())
                                   .order_by(BlocklistEntry.expires_at)))
    for entry in due:
        blocklist = ctx.session.get(Blocklist, entry.blocklist_id)
        assert blocklist is not None
        end_entry(ctx.session, ctx.clock, SYSTEM, blocklist, entry, "expired", "expiry reached")
    return len(due)


def _remind(ctx: JobContext, entry: BlocklistEntry, blocklist: Blocklist) -> None:
    entry.reminded_at = ctx.clock.now()
    record(ctx.session, ctx.clock, SYSTEM, Event.BLOCKLISTS_ENTRY_REEXAMINATION_DUE, subject=entry.id,
           org_id=blocklist.authority_id,
           payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                    "overseer_id": blocklist.overseer_id, "due_at": entry.next_reexamination_at.isoformat()})
    emit(ctx.session, ctx.clock, org_id=blocklist.authority_id, event="blocklist.reexamination_due",
         data={"blocklist_id": blocklist.id, "entry_id": entry.id, "value": entry.value})


def remind_reexaminations(ctx: JobContext) -> int:
    """One reminder per entry whose re-examination is due and not yet reminded."""
    due = list(ctx.session.scalars(select(BlocklistEntry).where(BlocklistEntry.state.in_((LIVE, "suspended")),
                                                                BlocklistEntry.next_reexamination_at <= ctx.clock.now(),
                                                                BlocklistEntry.reminded_at.is_(None))))
    for entry in due:
        blocklist = ctx.session.get(Blocklist, entry.blocklist_id)
        assert blocklist is not None
        _remind(ctx, entry, blocklist)
    return len(due)


@periodic("blocklists.expire", 60)
def expire_entries(ctx: JobContext) -> int:
    return expire_due(ctx)


@periodic("blocklists.reexamine", 3600)
def reexamination_reminders(ctx: JobContext) -> int:
    return remind_reexaminations(ctx)


@periodic("blocklists.appeals", 3600)
def appeal_reminders(ctx: JobContext) -> int:
    """Appeals past their answer date and unanswered: one event each, once."""
    late = list(ctx.session.scalars(select(BlocklistAppeal).where(BlocklistAppeal.outcome.is_(None),
                                                                  BlocklistAppeal.reminded_at.is_(None),
                                                                  BlocklistAppeal.due_at <= ctx.clock.now())))
    for appeal in late:
        appeal.reminded_at = ctx.clock.now()
        blocklist = ctx.session.get(Blocklist, appeal.blocklist_id)
        assert blocklist is not None
        record(ctx.session, ctx.clock, SYSTEM, Event.BLOCKLISTS_APPEAL_OVERDUE, subject=appeal.id,
               org_id=blocklist.authority_id,
               payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                        "overseer_id": blocklist.overseer_id, "due_at": appeal.due_at.isoformat()})
    return len(late)
