"""Flood protection: a junk hash that matches everything is quarantined, its matches marked for re-review."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.banks import service
from accord.banks.models import BankChange, EntryState, MatchRecord
from accord.clock import FrozenClock
from accord.jobs import webhooks
from accord.jobs.models import Job
from accord.matching import flood, lookup
from accord.matching.lookup import QuerySignal
from accord.matching.service import Matcher
from accord.settings import Settings
from tests.factories import TEST_ACTOR
from tests.unit.banks.helpers import bank_with, org

JUNK = "0" * 62 + "01"  # a nearly blank frame's hash: every nearly blank upload is within 31 bits of it
LIMIT = 5


def near_blank(rng: np.random.Generator) -> str:
    """A different upload each time, within 31 bits of the junk hash."""
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(JUNK), dtype=np.uint8))
    bits[rng.choice(248, int(rng.integers(1, 32)), replace=False)] ^= 1
    return np.packbits(bits).tobytes().hex()


def test_a_junk_hash_matching_everything_is_quarantined_and_its_matches_marked(
    session: Session, clock: FrozenClock, settings: Settings
) -> None:
    hub, owner = org(session, clock, "coordinator"), org(session, clock)
    providers = [org(session, clock) for _ in range(2)]
    for handle in (hub, owner, *providers):
        webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=handle.org_id, url="http://127.0.0.1:9/h")
    bank = bank_with(session, clock, owner, values=(JUNK,), visibility="all")
    [entry] = service.list_entries(session, bank)
    matcher, rng = Matcher(), np.random.default_rng(3)

    def upload(provider_index: int) -> lookup.Outcome:
        clock.advance(timedelta(minutes=1))
        return lookup.match_content(session, clock, matcher, providers[provider_index % 2],
                                    [QuerySignal("pdq", near_blank(rng))], flood_limit=LIMIT)

    for i in range(LIMIT):  # matches up to the limit, across two organisations: still active
        assert [m.entry.id for m in upload(i).matches] == [entry.id]
    assert entry.state == EntryState.ACTIVE
    assert flood.check(session, clock, [entry.id], limit=LIMIT) == []

    assert [m.entry.id for m in upload(LIMIT).matches] == [entry.id]  # one more than the limit in the hour
    session.refresh(entry)
    assert entry.state == EntryState.QUARANTINED
    assert session.scalars(select(BankChange.op).where(BankChange.entry_id == entry.id)
                           .order_by(BankChange.seq.desc())).first() == "quarantine"
    assert [m.rereview for m in flood.flagged(session, entry.id)] == ["flood"] * (LIMIT + 1)
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.tag == Event.BANKS_ENTRY_FLOOD)).all()
    assert event.payload == {"bank_id": bank.id, "matches_in_hour": LIMIT + 1, "limit": LIMIT, "rereview": LIMIT + 1}
    told = session.scalars(select(Job).where(Job.kind == "webhook.deliver")).all()
    told = [job for job in told if job.payload["event"] == flood.WEBHOOK_EVENT]
    assert sorted(job.org_id or "" for job in told) == sorted([owner.org_id, hub.org_id])

    assert upload(0).matches == []  # the matcher followed the change log: the junk hash matches nothing now


def test_matches_spread_over_more_than_an_hour_do_not_flood(session: Session, clock: FrozenClock) -> None:
    owner, provider = org(session, clock), org(session, clock)
    bank = bank_with(session, clock, owner, values=(JUNK,), visibility="all")
    [entry] = service.list_entries(session, bank)
    matcher, rng = Matcher(), np.random.default_rng(4)
    for _ in range(3 * LIMIT):
        clock.advance(timedelta(minutes=15))  # four an hour, under the limit of five
        outcome = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", near_blank(rng))],
                                       flood_limit=LIMIT)
        assert [m.entry.id for m in outcome.matches] == [entry.id]
    assert entry.state == EntryState.ACTIVE
    assert session.scalars(select(MatchRecord.rereview).where(MatchRecord.entry_id == entry.id)).all() == [None] * 15


def test_an_entry_its_owner_confirmed_again_counts_from_the_confirmation(session: Session, clock: FrozenClock) -> None:
    owner, provider = org(session, clock), org(session, clock)
    bank = bank_with(session, clock, owner, values=(JUNK,), visibility="all")
    [entry] = service.list_entries(session, bank)
    matcher, rng = Matcher(), np.random.default_rng(5)
    for _ in range(LIMIT + 1):
        clock.advance(timedelta(minutes=1))
        lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", near_blank(rng))],
                             flood_limit=LIMIT)
    assert entry.state == EntryState.QUARANTINED
    clock.advance(timedelta(minutes=1))
    service.change_entry_state(session, clock, owner, bank, entry, "confirm", reason="a real signal after all")
    clock.advance(timedelta(minutes=1))
    outcome = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", near_blank(rng))],
                                   flood_limit=LIMIT)
    assert [m.entry.id for m in outcome.matches] == [entry.id]
    assert entry.state == EntryState.ACTIVE  # one match since the confirmation, not seven in the hour
