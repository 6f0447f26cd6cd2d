"""Retroactive scans: start one, run it on a runner (Dask, or this process), write what it found, resume it.

The client reads the banks once (``index_payload``: the active entries of the banks the organisation may use,
or only those it names), hands them to the runner with the batches not yet done, and writes each batch's
results as they arrive, in one transaction per batch together with the scan's counters and cursor: a scan
interrupted at any moment resumes (``resume``) with exactly the batches whose results were not committed.

A match goes the way every match goes (``accord.matching.lookup``): the database is the truth on entry state
and bank visibility (``lookup.find``), an allow-list match suppresses the others, and for a provider the match
opens or joins a case and may be decided automatically under its policy (``record_outcome``); the case is
labelled ``retroactive`` and carries the item's location. A shadow scan (``shadow``) writes nothing but its
figures: how many items would match, per bank and per label, so that a new bank is judged before it acts.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.banks.models import BankEntry, EntryState
from accord.banks.service import get_bank, visible_banks
from accord.cases.decisions import Decider
from accord.cases.models import Case
from accord.cases.service import annotate
from accord.clock import Clock
from accord.db import new_id, unit_of_work
from accord.errors import Conflict, InvalidInput, NotFound
from accord.identity.service import Principal
from accord.matching import can_index
from accord.matching.base import Hit
from accord.matching.lookup import Outcome, QuerySignal, find, record_outcome
from accord.matching.service import Matcher
from accord.scans import sources
from accord.scans.models import Scan, ScanStatus
from accord.scans.work import BatchResult, IndexPayload, Matched, scan_batch
from accord.settings import Settings
from accord.signals import MediaLimits

RETROACTIVE = "retroactive"
MAX_BATCH = 10_000
MAX_ERRORS_KEPT = 50
_IN_CHUNK = 900


class Runner(Protocol):
    """Runs ``scan_batch`` over batches and yields each result as it completes (in any order)."""

    name: str

    def map(self, payload: IndexPayload, batches: Iterator[tuple[int, list[str]]], limits: MediaLimits,
            fetch_settings: Settings) -> Iterator[BatchResult]: ...


class InProcess:
    """Every batch in this process, one after another (the demo, and the benchmark's baseline)."""

    name = "in process"

    def map(self, payload: IndexPayload, batches: Iterator[tuple[int, list[str]]], limits: MediaLimits,
            fetch_settings: Settings) -> Iterator[BatchResult]:
        for number, refs in batches:
            yield scan_batch(number, refs, payload, limits, fetch_settings)


# ---- starting, reading ---------------------------------------------------------------------------------------

def start_scan(session: Session, clock: Clock, principal: Principal, *, sources_: Sequence[str],
               banks: Sequence[str] = (), shadow: bool = False, batch_size: int = 200) -> Scan:
    """Record a new scan of ``sources_`` against ``banks`` (every bank the organisation may use when empty).
    Only a provider opens cases; any organisation may run a shadow scan."""
    if not shadow and principal.org_kind != "provider":
        raise InvalidInput("only a provider's matches open cases: run a shadow scan (--shadow)", field="shadow")
    if not 1 <= batch_size <= MAX_BATCH:
        raise InvalidInput(f"a batch holds 1 to {MAX_BATCH} items", field="batch_size")
    checked = sources.check_sources(sources_)
    refs = [get_bank(session, principal.org_id, ref).name for ref in banks]  # refused now, not mid-scan
    now = clock.now()
    scan = Scan(id=new_id("scn"), org_id=principal.org_id, created_by=principal.ref, sources=checked, banks=refs,
                shadow=shadow, status=ScanStatus.RUNNING, batch_size=batch_size, figures=_empty_figures(),
                errors=[], done_batches=[], cursor=0, items_done=0, items_matched=0, items_suppressed=0,
                items_failed=0, cases=0, created_at=now, updated_at=now)
    session.add(scan)
    session.flush()
    record(session, clock, principal.actor, Event.SCANS_SCAN_START, subject=scan.id, org_id=principal.org_id,
           payload={"sources": checked, "banks": refs, "shadow": shadow})
    return scan


def get_scan(session: Session, org_id: str, scan_id: str) -> Scan:
    """One of the organisation's scans (another's is not found)."""
    scan = session.get(Scan, scan_id)
    if scan is None or scan.org_id != org_id:
        raise NotFound(f"no scan {scan_id!r}")
    return scan


def list_scans(session: Session, org_id: str, *, limit: int = 100) -> list[Scan]:
    """The organisation's scans, newest first."""
    query = (select(Scan).where(Scan.org_id == org_id).order_by(Scan.created_at.desc(), Scan.id.desc())
             .limit(limit))
    return list(session.scalars(query))


def _empty_figures() -> dict[str, dict[str, int]]:
    return {"banks": {}, "labels": {}, "actions": {}}


# ---- running -------------------------------------------------------------------------------------------------

def index_payload(session: Session, org_id: str, bank_refs: Sequence[str]) -> IndexPayload:
    """The active entries of the scan's banks (each value and its variants) per signal type this process can
    index, and a key naming them."""
    banks = [get_bank(session, org_id, ref) for ref in bank_refs] or visible_banks(session, org_id)
    pairs: dict[str, list[tuple[int, str]]] = {}
    digest = hashlib.sha256()
    ids = [bank.id for bank in banks]
    for start in range(0, len(ids), _IN_CHUNK):
        rows = session.execute(
            select(BankEntry.id, BankEntry.signal_type, BankEntry.value, BankEntry.variants)
            .where(BankEntry.bank_id.in_(ids[start : start + _IN_CHUNK]), BankEntry.state == EntryState.ACTIVE)
            .order_by(BankEntry.id))
        for entry_id, signal_type, value, variants in rows:
            if can_index(signal_type):
                pairs.setdefault(signal_type, []).extend((entry_id, v) for v in [value, *variants])
                digest.update(f"{entry_id}:{signal_type}:{value}:{len(variants)};".encode())
    return IndexPayload(key=digest.hexdigest(), pairs=pairs)


def pending(scan: Scan) -> Iterator[tuple[int, list[str]]]:
    """The batches of ``scan`` not yet done, in order."""
    return sources.batches(scan.sources, scan.batch_size, skip=set(scan.done_batches), start=scan.cursor)


def count_items(scan: Scan) -> int:
    """How many items the scan's sources hold (read once, without opening any)."""
    return sum(1 for _ in sources.items(scan.sources))


Progress = Callable[[Scan], None]


def run_scan(factory: sessionmaker[Session], clock: Clock, principal: Principal, scan_id: str, runner: Runner, *,
             settings: Settings, limits: MediaLimits, decide: Decider | None = None,
             progress: Progress | None = None) -> Scan:
    """Run (or resume) a scan to its end: every batch not yet done goes to ``runner``; each result is written in
    its own transaction with the scan's cursor. A failure leaves the scan ``failed`` and resumable."""
    with unit_of_work(factory) as session:
        scan = get_scan(session, principal.org_id, scan_id)
        if scan.status == ScanStatus.FINISHED:
            return scan
        scan.status, scan.engine = ScanStatus.RUNNING, runner.name
        scan.items_total = count_items(scan)
        payload = index_payload(session, principal.org_id, scan.banks)
        todo = pending(scan)
    if progress is not None:
        progress(scan)
    try:
        for result in runner.map(payload, todo, limits, sources.fetch_settings(settings)):
            with unit_of_work(factory) as session:
                scan = get_scan(session, principal.org_id, scan_id)
                apply_batch(session, clock, principal, scan, result, decide)
            if progress is not None:
                progress(scan)
    except BaseException:
        with unit_of_work(factory) as session:
            get_scan(session, principal.org_id, scan_id).status = ScanStatus.FAILED
        raise
    with unit_of_work(factory) as session:
        return finish(session, clock, principal, get_scan(session, principal.org_id, scan_id))


def scan_in_session(session: Session, clock: Clock, principal: Principal, scan: Scan, runner: Runner, *,
                    settings: Settings, limits: MediaLimits, decide: Decider | None = None) -> Scan:
    """``run_scan`` inside the caller's transaction (the demo seeds a scan in its own unit of work)."""
    scan.engine, scan.items_total = runner.name, count_items(scan)
    payload = index_payload(session, principal.org_id, scan.banks)
    for result in runner.map(payload, pending(scan), limits, sources.fetch_settings(settings)):
        apply_batch(session, clock, principal, scan, result, decide)
    return finish(session, clock, principal, scan)


def resume_check(scan: Scan, sources_: Sequence[str]) -> None:
    """A resumed scan reads its own sources: others named on the command line are refused."""
    if sources_ and sources.check_sources(sources_) != scan.sources:
        raise Conflict(f"scan {scan.id} reads {', '.join(scan.sources)}; resume it without naming sources")


def apply_batch(session: Session, clock: Clock, principal: Principal, scan: Scan, result: BatchResult,
                decide: Decider | None) -> None:
    """Write one batch's results: matches (cases, or shadow figures), errors, counters and the cursor."""
    if result.number < scan.cursor or result.number in scan.done_batches:
        return  # a batch Dask ran twice (a worker lost after finishing it): counted once
    figures = {name: Counter(values) for name, values in (scan.figures or _empty_figures()).items()}
    for item in result.matched:
        _apply_item(session, clock, principal, scan, item, figures, decide)
    scan.figures = {name: dict(sorted(counter.items())) for name, counter in figures.items()}
    room = MAX_ERRORS_KEPT - len(scan.errors)
    scan.errors = [*scan.errors, *({"item": ref, "error": why} for ref, why in result.failed[:max(room, 0)])]
    scan.items_done += result.items
    scan.items_failed += len(result.failed)
    _mark_done(scan, result.number)
    scan.updated_at = clock.now()
    session.flush()


def _mark_done(scan: Scan, number: int) -> None:
    done = {*scan.done_batches, number}
    cursor = scan.cursor
    while cursor in done:
        done.discard(cursor)
        cursor += 1
    scan.cursor, scan.done_batches = cursor, sorted(done)


class _WorkerAnswers(Matcher):
    """What a worker's indexes answered for one item, asked again by ``lookup.find`` as if it were the matcher:
    the client then applies exactly the checks of a live lookup (entry still active, bank visible, allow-lists)."""

    def __init__(self, hits: dict[str, list[Hit]]) -> None:
        super().__init__()
        self._hits = hits

    def query(self, signal_type: str, values: Sequence[str]) -> list[Hit]:
        return [hit for value in values for hit in self._hits.get(f"{signal_type}:{value}", [])]


def _apply_item(session: Session, clock: Clock, principal: Principal, scan: Scan, item: Matched,
                figures: dict[str, Counter[str]], decide: Decider | None) -> None:
    signals = [QuerySignal(kind, value) for kind, value in item.signals]
    outcome = find(session, _WorkerAnswers(item.hits), principal.org_id, signals, scan.banks)
    if outcome.suppressed_by:
        scan.items_suppressed += 1
        return
    if not outcome.matches:
        return  # the entry was disabled since the payload was read, or its bank is out of scope
    scan.items_matched += 1
    figures["banks"].update({m.bank.name for m in outcome.matches})
    figures["labels"].update({label for m in outcome.matches for label in m.entry.labels} or {"(no label)"})
    if scan.shadow:
        return
    record_outcome(session, clock, principal, signals, outcome, decide)
    _tag_case(session, clock, outcome, item)
    scan.cases += 1
    figures["actions"].update([outcome.action or "review"])


def _tag_case(session: Session, clock: Clock, outcome: Outcome, item: Matched) -> None:
    """Label the case ``retroactive`` and give it the item's location (re-triaged while it is open)."""
    case = session.get(Case, outcome.case_id)
    assert case is not None  # record_outcome opened or joined it
    location = item.ref if sources.is_url(item.ref) else Path(item.ref).as_uri()
    if case.state == "open":
        annotate(session, clock, case, labels=[RETROACTIVE], media=[{"url": location, "type": item.kind}])
    else:  # decided automatically: its legal record is written, only the label is added
        case.labels = sorted({*case.labels, RETROACTIVE})


def finish(session: Session, clock: Clock, principal: Principal, scan: Scan) -> Scan:
    """Close a scan whose batches are all done, with one audit event carrying its figures."""
    scan.status, scan.finished_at, scan.updated_at = ScanStatus.FINISHED, clock.now(), clock.now()
    record(session, clock, principal.actor, Event.SCANS_SCAN_FINISH, subject=scan.id, org_id=principal.org_id,
           payload={"shadow": scan.shadow, "items": scan.items_done, "matched": scan.items_matched,
                    "suppressed": scan.items_suppressed, "failed": scan.items_failed, "cases": scan.cases,
                    "banks": scan.figures.get("banks", {}), "labels": scan.figures.get("labels", {})})
    session.flush()
    return scan
