"""Bulk import: streamed chunks through the door, the fast write path, chunk audit events with digests, resume."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.audit.service import Actor, verify
from accord.banks import ingest, service
from accord.banks.files import read_rows
from accord.banks.models import Bank, BankChange, BankEntry, EntryState
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import InvalidInput, NotFound, PermissionDenied
from accord.flows import incidents
from accord.identity.service import Principal
from accord.matching.service import Matcher
from tests.unit.banks.helpers import PDQ_A, flip, org


def hashes(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.getrandbits(256):064x}" for _ in range(count)]


def lines(values: list[str], *extra: str) -> Iterator[str]:
    """A generator of CSV lines: the reader never sees the input whole."""
    yield "signal_type,signal_value,labels\n"
    for number, value in enumerate(values):
        yield f"pdq,{value},{'imminent_credible_threat' if number % 2 else ''}\n"
    yield from extra


def run_import(factory: sessionmaker[Session], clock: FrozenClock, who: Principal, bank: Bank,
               source: Iterator[str], *, size: int = 4, resume: str | None = None) -> ingest.ImportRun:
    """What the command line does: begin, then one unit of work per chunk."""
    with unit_of_work(factory) as session:
        run = ingest.begin_import(session, clock, who, session.get(Bank, bank.id) or bank, source="test.csv",
                                  resume=resume)
    for chunk in ingest.ahead(ingest.chunked(read_rows(source), size=size, after_line=run.after_line,
                                             first_number=run.next_chunk)):
        with unit_of_work(factory) as session:
            ingest.write_chunk(session, clock, who, run, chunk)
    return run


def chunk_events(session: Session, import_id: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.tag == Event.BANKS_IMPORT_CHUNK.value,
                                     AuditEvent.subject == import_id)
    return sorted(session.scalars(query), key=lambda e: int(e.payload["chunk"]))


@pytest.fixture
def owner(factory: sessionmaker[Session], clock: FrozenClock) -> tuple[Principal, Bank]:
    with unit_of_work(factory) as session:
        who = org(session, clock, "coordinator")
        bank = service.create_bank(session, clock, who, name="bulk")
        service.add_entries(session, clock, who, bank, [NewSignal("pdq", PDQ_A)], EntryDetails())
    return who, bank


def test_streamed_rows_are_stored_in_chunks_with_their_change_log(
        factory: sessionmaker[Session], clock: FrozenClock, owner: tuple[Principal, Bank]) -> None:
    who, bank = owner
    values = hashes(10)
    source = lines(values, f"pdq,{PDQ_A},\n", "pdq,0000,\n", f"pdq,{values[0].upper()},\n", "md5,nothex,\n")
    run = run_import(factory, clock, who, bank, source)
    with factory() as session:
        stored = session.execute(select(BankEntry.value, BankEntry.labels, BankEntry.state, BankEntry.origin)
                                 .where(BankEntry.bank_id == bank.id, BankEntry.value != PDQ_A)).all()
        assert sorted(v for v, *_ in stored) == sorted(values), "each new hash once, the door's normal form"
        assert {tuple(labels) for _, labels, _, _ in stored} == {(), ("imminent_credible_threat",)}
        assert {(state, origin) for _, _, state, origin in stored} == {("active", f"import:{run.import_id}")}
        logged = session.scalar(select(func.count()).select_from(BankChange).where(BankChange.bank_id == bank.id))
        assert logged == 11, "one change per entry added (and the first entry's)"
        events = chunk_events(session, run.import_id)
        assert [e.payload["chunk"] for e in events] == [1, 2, 3, 4]
        assert sum(e.payload["added"] for e in events) == 10
        assert sum(e.payload["duplicates"] for e in events) == 2, "PDQ_A and the upper-case repeat"
        assert sum(e.payload["refused"] for e in events) == 2
        assert events[-1].payload["last_line"] == 15
        assert verify(session)[1] is None, "the chain stays intact"
        assert all(check.ok for check in ingest.verify_import(session, who.org_id, run.import_id))


def test_refused_rows_carry_their_line_and_the_door_s_reason() -> None:
    rows = list(read_rows(lines([PDQ_A], "pdq,abc,\n", "sha256,nothex,\n", f"pdq,{PDQ_A},not_a_label\n",
                                "justonecolumn\n")))
    refused = [(row.line, row.error) for row in rows if row.signal is None]
    assert [line for line, _ in refused] == [3, 4, 5, 6]
    assert "64 hex digits" in str(refused[0][1]) and "label" in str(refused[2][1])
    accepted = [row for row in rows if row.signal is not None]
    assert [(r.line, r.signal.value if r.signal else None) for r in accepted] == [(2, PDQ_A)]


def test_a_matcher_finds_bulk_entries_through_the_change_log(
        factory: sessionmaker[Session], clock: FrozenClock, owner: tuple[Principal, Bank]) -> None:
    who, bank = owner
    values = hashes(9, seed=3)
    matcher = Matcher()
    with factory() as session:
        matcher.refresh(session)
    run_import(factory, clock, who, bank, lines(values), size=5)
    with factory() as session:
        assert matcher.refresh(session).added == 9
    [hit] = matcher.query("pdq", [flip(values[6], 9)])
    with factory() as session:
        entry = session.get(BankEntry, hit.entry_id)
        assert entry is not None and entry.value == values[6] and hit.distance == 9


def test_the_digest_reveals_an_entry_edited_or_deleted_after_the_import(
        factory: sessionmaker[Session], clock: FrozenClock, owner: tuple[Principal, Bank]) -> None:
    who, bank = owner
    values = hashes(6, seed=4)
    run = run_import(factory, clock, who, bank, lines(values), size=3)
    with unit_of_work(factory) as session:
        session.execute(update(BankEntry).where(BankEntry.value == values[1]).values(value=flip(values[1], 1)))
    with factory() as session:
        checks = ingest.verify_import(session, who.org_id, run.import_id)
    assert [(c.chunk, c.ok) for c in checks] == [(1, False), (2, True)]
    assert "differ" in checks[0].reason
    with unit_of_work(factory) as session:
        doomed = session.scalar(select(BankEntry).where(BankEntry.value == values[4]))
        assert doomed is not None
        session.execute(delete(BankChange).where(BankChange.entry_id == doomed.id))
        session.delete(doomed)
    with factory() as session:
        checks = ingest.verify_import(session, who.org_id, run.import_id)
    assert [(c.chunk, c.ok) for c in checks] == [(1, False), (2, False)]
    assert checks[1].reason == "2 entries stored, 3 recorded"


def test_an_interrupted_import_resumes_after_its_last_chunk_without_duplicates(
        factory: sessionmaker[Session], clock: FrozenClock, owner: tuple[Principal, Bank],
        monkeypatch: pytest.MonkeyPatch) -> None:
    who, bank = owner
    values = hashes(11, seed=5)
    real, calls = ingest._digest, []

    def failing(added: list[tuple[int, str, str]]) -> str:  # once the chunk's rows are written
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the machine went down")
        return real(added)

    monkeypatch.setattr(ingest, "_digest", failing)
    with factory() as session:
        before = session.scalar(select(func.count()).select_from(BankEntry))
    with pytest.raises(RuntimeError):
        run_import(factory, clock, who, bank, lines(values), size=4)
    with factory() as session:
        [import_id] = {e.subject for e in session.scalars(select(AuditEvent).where(
            AuditEvent.tag == Event.BANKS_IMPORT_CHUNK.value))}
        assert session.scalar(select(func.count()).select_from(BankEntry)) == (before or 0) + 8
    monkeypatch.setattr(ingest, "_digest", real)
    assert import_id is not None
    resumed = run_import(factory, clock, who, bank, lines(values), size=4, resume=import_id)
    assert (resumed.after_line, resumed.next_chunk) == (9, 3)
    with factory() as session:
        stored = list(session.scalars(select(BankEntry.value).where(BankEntry.bank_id == bank.id)))
        assert sorted(stored) == sorted([PDQ_A, *values]), "every hash once"
        assert [e.payload["chunk"] for e in chunk_events(session, import_id)] == [1, 2, 3]
        changes = list(session.scalars(select(BankChange.entry_id).where(BankChange.bank_id == bank.id)))
        assert len(changes) == len(set(changes)) == 12
        assert all(check.ok for check in ingest.verify_import(session, who.org_id, import_id))


def test_starting_the_same_file_again_adds_nothing(
        factory: sessionmaker[Session], clock: FrozenClock, owner: tuple[Principal, Bank]) -> None:
    who, bank = owner
    values = hashes(5, seed=6)
    run_import(factory, clock, who, bank, lines(values))
    again = run_import(factory, clock, who, bank, lines(values))
    with factory() as session:
        events = chunk_events(session, again.import_id)
        assert sum(e.payload["added"] for e in events) == 0 and sum(e.payload["duplicates"] for e in events) == 5
        assert session.scalar(select(func.count()).select_from(BankEntry)) == 6


def test_resume_belongs_to_its_organisation_and_bank(
        factory: sessionmaker[Session], clock: FrozenClock, owner: tuple[Principal, Bank]) -> None:
    who, bank = owner
    run = run_import(factory, clock, who, bank, lines(hashes(2)))
    with unit_of_work(factory) as session:
        other = org(session, clock)
        theirs = service.create_bank(session, clock, other, name="theirs")
        mine = service.create_bank(session, clock, who, name="second")
        with pytest.raises(NotFound):
            ingest.begin_import(session, clock, other, theirs, source="x", resume=run.import_id)
        with pytest.raises(InvalidInput, match="another bank"):
            ingest.begin_import(session, clock, who, mine, source="x", resume=run.import_id)
        with pytest.raises(InvalidInput, match=r"read test\.csv, not other\.csv"):
            ingest.begin_import(session, clock, who, bank, source="other.csv", resume=run.import_id)
        with pytest.raises(NotFound):
            ingest.verify_import(session, other.org_id, run.import_id)


def test_a_contributor_s_import_waits_in_quarantine_and_a_stranger_is_refused(
        factory: sessionmaker[Session], clock: FrozenClock, owner: tuple[Principal, Bank]) -> None:
    who, _ = owner
    with unit_of_work(factory) as session:
        open_bank = service.create_bank(session, clock, who, name="open", visibility="all",
                                        accepts_contributions=True)
        closed = service.create_bank(session, clock, who, name="closed", visibility="all")
        contributor = org(session, clock)
        with pytest.raises(PermissionDenied):
            ingest.begin_import(session, clock, contributor, closed, source="x")
    run_import(factory, clock, contributor, open_bank, lines(hashes(3)))
    with factory() as session:
        states = set(session.scalars(select(BankEntry.state).where(BankEntry.bank_id == open_bank.id)))
        assert states == {EntryState.QUARANTINED}


def test_import_all_refuses_the_whole_input_for_one_bad_line(
        factory: sessionmaker[Session], clock: FrozenClock, owner: tuple[Principal, Bank]) -> None:
    who, bank = owner
    values = hashes(4, seed=8)
    with unit_of_work(factory) as session, pytest.raises(InvalidInput) as refused:
        ingest.import_all(session, clock, who, bank, lambda: lines(values, "pdq,12,\n"), source="api", size=2)
    assert refused.value.extra["errors"] == [{"field": "line 6", "message": "a pdq hash has 64 hex digits, not 2"}]
    with factory() as session:
        assert list(session.scalars(select(BankEntry.value).where(BankEntry.bank_id == bank.id))) == [PDQ_A]
    with unit_of_work(factory) as session:
        summary = ingest.import_all(session, clock, who, bank, lambda: lines(values), source="api", size=3)
    assert (summary.result.added, summary.result.chunks) == (4, 2)


def test_chunks_cover_every_line_once() -> None:
    rows = list(read_rows(lines(hashes(7), "pdq,x,\n")))
    chunks = list(ingest.chunked(rows, size=3, after_line=3, first_number=2))
    assert [(c.number, c.first_line, c.last_line, len(c.rows), len(c.refused)) for c in chunks] == [
        (2, 4, 6, 3, 0), (3, 7, 9, 2, 1)]
    with pytest.raises(InvalidInput):
        next(ingest.chunked(rows, size=0))


def test_an_incident_bank_s_import_is_tagged_and_counted_in_the_debrief(
        factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        hub, member = org(session, clock, "coordinator"), org(session, clock)
        incident = incidents.declare_incident(session, clock, Actor("test:hub", hub.org_id), coordinator_id=hub.org_id,
                                              title="Attack", level="content_incident_protocol",
                                              member_ids=[member.org_id],
                                              criteria=dict.fromkeys(incidents.CRITERIA, True))
        crisis = service.get_bank(session, hub.org_id, str(incident.bank_id))
    clock.advance(minutes=3)
    run_import(factory, clock, hub, crisis, lines(hashes(5, seed=9)), size=2)
    with factory() as session:
        tags = {tuple(t) for t in session.scalars(select(BankEntry.incident_tags))}
        assert tags == {(incident.tag,)}
        report = incidents.debrief(session, incident, clock.now())
    assert report["hashes_added"] == 5 and report["seconds_to_first_hash"] == 180
