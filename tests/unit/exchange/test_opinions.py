"""Opinions written back by python-threatexchange clients: votes and sightings on the entries a signal matches."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.banks import service
from accord.clock import FrozenClock
from accord.errors import InvalidInput, NotFound
from accord.exchange.opinions import Opinion, report
from accord.matching.service import Matcher
from tests.unit.banks.helpers import PDQ_A, PDQ_B, bank_with, flip, org


def test_an_opinion_votes_on_every_near_entry_of_others(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    shared = bank_with(session, clock, hub, values=(PDQ_A, PDQ_B), visibility="all")
    own = bank_with(session, clock, provider, "own", values=(PDQ_A,))
    reached = report(session, clock, Matcher(), provider, Opinion("pdq", flip(PDQ_A, 6), "disagree", ("x",)))
    assert [(r.bank, r.distance, r.verdict) for r in reached] == [(shared.name, 6, "disagree")], \
        "a near PDQ reaches the entry; the caller's own bank is not voted on"
    [entry_a, _] = service.list_entries(session, shared)
    [vote] = service.votes_for(session, hub.org_id, shared, [entry_a.id])
    assert (vote.org_id, vote.agree, vote.comment) == (provider.org_id, False,
                                                       "via python-threatexchange (distance 6); labels: x")
    report(session, clock, Matcher(), provider, Opinion("pdq", PDQ_A, "agree"))
    assert service.vote_tally(session, [entry_a.id]) == {entry_a.id: (1, 0)}, "one vote per organisation"
    assert own.id


def test_seen_tells_the_owner_without_a_vote(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    bank = bank_with(session, clock, hub, values=(), visibility="all")
    [entry] = service.add_entries(session, clock, hub, bank, [service.NewSignal("url", "https://x.example/a")],
                                  service.EntryDetails())
    report(session, clock, Matcher(), provider, Opinion("url", "https://x.example/a", "seen"))
    event = session.scalars(select(AuditEvent).where(AuditEvent.tag == "exchange:entry:seen")).one()
    assert (event.subject, event.payload["owner_id"], event.org_id) == (str(entry.id), hub.org_id, provider.org_id)
    assert service.vote_tally(session, [entry.id]) == {}


def test_what_an_opinion_cannot_reach(session: Session, clock: FrozenClock) -> None:
    hub, provider, outsider = org(session, clock, "coordinator"), org(session, clock), org(session, clock)
    bank_with(session, clock, hub, values=(PDQ_A,), visibility="shared", shared_with=[provider.org_id])
    with pytest.raises(NotFound):
        report(session, clock, Matcher(), outsider, Opinion("pdq", PDQ_A, "agree"))
    with pytest.raises(NotFound):
        report(session, clock, Matcher(), hub, Opinion("pdq", PDQ_A, "agree"))  # the owner does not vote
    with pytest.raises(InvalidInput, match="unknown signal type"):
        report(session, clock, Matcher(), provider, Opinion("tmk", PDQ_A, "agree"))
    with pytest.raises(InvalidInput, match="opinion is one of"):
        report(session, clock, Matcher(), provider, Opinion("pdq", PDQ_A, "love"))
    assert len(report(session, clock, Matcher(), provider, Opinion("pdq", PDQ_A, "agree"))) == 1
