"""Bulk import of bank entries: a million hashes in chunks, each its own transaction and audit event.

The rows come from ``files.read_rows`` (streamed, every row through the same door as ``add_entries``). A chunk is
staged in a temporary table — with ``COPY`` on PostgreSQL, one ``executemany`` on SQLite — and moved into
``bank_entries`` by one ``INSERT .. SELECT .. ON CONFLICT DO NOTHING``: a hash already in the bank (from an
earlier import, a resumed one, or the same file twice) is counted as a duplicate and never stored twice. The
entries added get their ``bank_changes`` rows in the same statement's transaction, so matchers pick them up from
the change log like any other addition.

Each chunk records one ``banks:import:chunk`` event whose ``digest`` commits to the entries it added (their ids,
types and values); ``verify_import`` recomputes it from the stored rows. The events are also the import's
progress: a resumed import starts after the last line a recorded chunk covered. Services flush; the caller
commits each chunk (the CLI one transaction per chunk, the API the whole request).
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Integer, String, bindparam, select, text
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.audit.service import record
from accord.banks.files import CsvRow, read_rows
from accord.banks.models import Bank, BankEntry
from accord.banks.service import CHANGE_LOCK_KEY, entry_state_for, fingerprint, incident_tags_of
from accord.clock import Clock
from accord.db import UTCDateTime, is_postgres, new_id
from accord.errors import InvalidInput, NotFound
from accord.identity.service import Principal

CHUNK_ROWS = 25_000  # rows in flight: about 3 chunks (one written, one queued, one read) of ~350 bytes a row
ORIGIN_PREFIX = "import:"
_COPY = "COPY accord_ingest (signal_type, value, fingerprint, labels, incident_tags) FROM STDIN"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive rows of the input: those that passed the door, and those refused with their reason."""

    number: int
    first_line: int
    last_line: int
    rows: list[CsvRow]
    refused: list[CsvRow]


@dataclass(frozen=True, slots=True)
class ImportRun:
    """An import into one bank, new or resumed: what every chunk of it shares."""

    import_id: str
    bank_id: str
    state: str
    incident_tags: tuple[str, ...]
    source: str
    after_line: int = 0
    next_chunk: int = 1
    done: ChunkResult | None = None

    @property
    def origin(self) -> str:
        return f"{ORIGIN_PREFIX}{self.import_id}"


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What one chunk (or, summed, a whole import) did."""

    chunks: int = 0
    added: int = 0
    duplicates: int = 0
    refused: int = 0
    last_line: int = 0

    def __add__(self, other: ChunkResult) -> ChunkResult:
        return ChunkResult(self.chunks + other.chunks, self.added + other.added,
                           self.duplicates + other.duplicates, self.refused + other.refused,
                           max(self.last_line, other.last_line))


@dataclass(frozen=True, slots=True)
class ChunkCheck:
    """A recorded chunk against the stored entries: whether the digest still matches them."""

    chunk: int
    added: int
    ok: bool
    reason: str = ""


@dataclass(slots=True)
class _Staged:
    rows: dict[str, tuple[str, str, str, str, str]] = field(default_factory=dict)
    accepted: int = 0


# ---- reading -----------------------------------------------------------------------------------------


def chunked(rows: Iterable[CsvRow], *, size: int = CHUNK_ROWS, after_line: int = 0,
            first_number: int = 1) -> Iterator[Chunk]:
    """Rows gathered into chunks of ``size`` accepted rows, skipping the lines up to ``after_line`` (those an
    interrupted import committed already)."""
    if size < 1:
        raise InvalidInput("a chunk has at least one row", field="chunk_size")
    number, first, last = first_number, 0, 0
    accepted: list[CsvRow] = []
    refused: list[CsvRow] = []
    for row in rows:
        if row.line <= after_line:
            continue
        first, last = first or row.line, row.line
        (accepted if row.signal is not None else refused).append(row)
        if len(accepted) >= size:
            yield Chunk(number, first, last, accepted, refused)
            number, accepted, refused, first = number + 1, [], [], 0
    if accepted or refused:
        yield Chunk(number, first, last, accepted, refused)


def ahead(chunks: Iterator[Chunk], depth: int = 1) -> Iterator[Chunk]:
    """``chunks`` read by a thread ``depth`` chunks ahead of the caller: reading and checking the next chunk
    (Python's work) overlaps writing this one (the database's). An error while reading reaches the caller at
    that chunk; a caller that stops early stops the reader."""
    handoff: queue.Queue[tuple[Chunk | None, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for chunk in chunks:
                if not _hand(handoff, (chunk, None), stop):
                    return
            _hand(handoff, (None, None), stop)
        except BaseException as exc:  # handed to the caller's thread, which raises it
            _hand(handoff, (None, exc), stop)

    reader = threading.Thread(target=read, name="bank-import-reader", daemon=True)
    reader.start()
    try:
        while True:
            chunk, error = handoff.get()
            if error is not None:
                raise error
            if chunk is None:
                return
            yield chunk
    finally:
        stop.set()
        reader.join(timeout=5)


def _hand(handoff: queue.Queue[tuple[Chunk | None, BaseException | None]],
          item: tuple[Chunk | None, BaseException | None], stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            handoff.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


# ---- starting or resuming ----------------------------------------------------------------------------


def begin_import(session: Session, clock: Clock, principal: Principal, bank: Bank, *, source: str,
                 resume: str | None = None) -> ImportRun:
    """A new import into ``bank``, or the continuation of ``resume`` after the chunks it committed.

    Entries are active when the bank's curator imports them, quarantined for a contributor (as ``add_entries``
    decides); an incident's bank tags them with each incident active on it."""
    state = entry_state_for(bank, principal)
    tags = tuple(incident_tags_of(session, clock, bank))
    if resume is None:
        return ImportRun(new_id("imp"), bank.id, state, tags, source[:200])
    chunks = _recorded(session, resume)
    if any(e.org_id != principal.org_id for e in chunks):
        raise NotFound(f"no import {resume!r}")
    if any(e.payload.get("bank_id") != bank.id for e in chunks):
        raise InvalidInput(f"import {resume!r} went into another bank", field="resume")
    read = {str(e.payload.get("source")) for e in chunks} - {source[:200]}
    if read:
        raise InvalidInput(f"import {resume!r} read {sorted(read)[0]}, not {source[:200]}", field="resume")
    if not resume.startswith("imp_") or len(resume) > 40:
        raise InvalidInput("an import id looks like imp_...", field="resume")
    done = sum((_result_of(e.payload) for e in chunks), ChunkResult())
    last = max((int(e.payload["chunk"]) for e in chunks), default=0)
    return ImportRun(resume, bank.id, state, tags, source[:200], after_line=done.last_line, next_chunk=last + 1,
                     done=done)


def _recorded(session: Session, import_id: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.tag == Event.BANKS_IMPORT_CHUNK.value,
                                     AuditEvent.subject == import_id)
    return list(session.scalars(query))


def _result_of(payload: dict[str, Any]) -> ChunkResult:
    return ChunkResult(1, int(payload["added"]), int(payload["duplicates"]), int(payload["refused"]),
                       int(payload["last_line"]))


# ---- writing a chunk ---------------------------------------------------------------------------------


def write_chunk(session: Session, clock: Clock, principal: Principal, run: ImportRun, chunk: Chunk) -> ChunkResult:
    """Store a chunk's new entries and their change-log rows, and record the chunk's audit event (flushed,
    not committed: the caller commits the chunk as one unit)."""
    staged = _stage_rows(chunk.rows, run.incident_tags)
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOCK_KEY})
    added = _insert(session, clock, principal, run, staged) if staged.rows else []
    added.sort()
    if added and not is_postgres(session):  # PostgreSQL logged them in the INSERT's own statement
        _log_added(session, clock, run, added[0][0], added[-1][0])
    digest = _digest(added)
    result = ChunkResult(1, len(added), staged.accepted - len(added), len(chunk.refused), chunk.last_line)
    record(session, clock, principal.actor, Event.BANKS_IMPORT_CHUNK, subject=run.import_id, org_id=principal.org_id,
           payload={"bank_id": run.bank_id, "import_id": run.import_id, "chunk": chunk.number,
                    "first_line": chunk.first_line, "last_line": chunk.last_line, "added": result.added,
                    "duplicates": result.duplicates, "refused": result.refused,
                    "first_entry_id": added[0][0] if added else None,
                    "last_entry_id": added[-1][0] if added else None, "digest": digest, "state": run.state,
                    "source": run.source})
    return result


def _stage_rows(rows: Sequence[CsvRow], incident_tags: tuple[str, ...]) -> _Staged:
    """The chunk's rows as staging tuples, one per distinct signal (the first spelling of a repeated one)."""
    staged = _Staged()
    labels_json: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, str]] = {}
    for row in rows:
        signal = row.signal
        assert signal is not None  # chunked() keeps refused rows apart
        key = fingerprint(signal.type, signal.value)
        staged.accepted += 1
        if key in staged.rows:
            continue
        names = (tuple(row.details.labels), tuple(row.details.incident_tags))
        encoded = labels_json.get(names)
        if encoded is None:
            encoded = labels_json[names] = (json.dumps(sorted(set(names[0]))),
                                            json.dumps(sorted({*names[1], *incident_tags})))
        staged.rows[key] = (signal.type, signal.value, key, *encoded)
    return staged


def _insert(session: Session, clock: Clock, principal: Principal, run: ImportRun,
            staged: _Staged) -> list[tuple[int, str, str]]:
    """Stage the rows, then move the new ones into ``bank_entries``; the (id, type, value) of those added."""
    if is_postgres(session):
        _copy_postgres(session, staged)
    else:
        _fill_sqlite(session, staged)
    now = clock.now()
    statement = _MOVE_AND_LOG if is_postgres(session) else _MOVE
    moved = session.execute(statement, {"bank": run.bank_id, "org": principal.org_id, "empty_list": [],
                                        "empty_dict": {}, "state": run.state, "origin": run.origin, "at": now})
    return [(int(r[0]), str(r[1]), str(r[2])) for r in moved]


def _copy_postgres(session: Session, staged: _Staged) -> None:
    """``COPY`` into a temporary table that disappears with the transaction."""
    session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS accord_ingest (signal_type text, value text, "
                         "fingerprint text, labels json, incident_tags json) ON COMMIT DROP"))
    session.execute(text("TRUNCATE accord_ingest"))
    driver: Any = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
        for row in staged.rows.values():
            copy.write_row(row)


def _fill_sqlite(session: Session, staged: _Staged) -> None:
    """One ``executemany`` into a temporary table (SQLite keeps it per connection: emptied first). The
    connection's page cache grows to 32 MiB (from 2): the unique index takes each new fingerprint at a random
    place, and a small cache rereads its pages from the file at every chunk (a third faster at 300,000)."""
    session.execute(text("PRAGMA cache_size = -32768"))
    session.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS accord_ingest (signal_type TEXT, value TEXT, "
                         "fingerprint TEXT, labels TEXT, incident_tags TEXT)"))
    session.execute(text("DELETE FROM temp.accord_ingest"))
    driver: Any = session.connection().connection.driver_connection
    driver.executemany("INSERT INTO temp.accord_ingest VALUES (?, ?, ?, ?, ?)", staged.rows.values())


_INSERT_SELECT = (
    "INSERT INTO bank_entries (bank_id, added_by_org_id, signal_type, value, fingerprint, variants, labels, "
    "incident_tags, entity, list_source, note, metadata, state, origin, created_at, updated_at) "
    "SELECT :bank, :org, signal_type, value, fingerprint, :empty_list, labels, incident_tags, NULL, NULL, '', "
    ":empty_dict, :state, :origin, :at, :at FROM accord_ingest WHERE true "
    "ON CONFLICT (bank_id, fingerprint) DO NOTHING RETURNING id, signal_type, value"
)
_MOVE_PARAMS = (
    bindparam("bank", type_=String()), bindparam("org", type_=String()), bindparam("empty_list", type_=JSON()),
    bindparam("empty_dict", type_=JSON()), bindparam("state", type_=String()), bindparam("origin", type_=String()),
    bindparam("at", type_=UTCDateTime()),
)
_MOVE = text(_INSERT_SELECT).bindparams(*_MOVE_PARAMS)
# PostgreSQL writes the change-log rows from the INSERT's own RETURNING (SQLite has no data-modifying WITH).
_LOG_MOVED = ("logged AS (INSERT INTO bank_changes (entry_id, bank_id, signal_type, op, at) "
              "SELECT id, :bank, signal_type, 'add', :at FROM moved ORDER BY id)")
_MOVE_AND_LOG = text(
    f"WITH moved AS ({_INSERT_SELECT}), {_LOG_MOVED} SELECT id, signal_type, value FROM moved"  # noqa: S608 -- constants
).bindparams(*_MOVE_PARAMS)

_LOG = text(
    f"WITH moved AS ({_INSERT_SELECT}), logged AS (INSERT INTO bank_changes (entry_id, bank_id, signal_type, op, "  # noqa: S608 -- constant SQL
    "at) SELECT id, :bank, signal_type, 'add', :at FROM moved ORDER BY id) SELECT id, signal_type, value FROM moved"
).bindparams(*_MOVE_PARAMS)

_LOG = text(
    "INSERT INTO bank_changes (entry_id, bank_id, signal_type, op, at) "
    "SELECT id, bank_id, signal_type, 'add', :at FROM bank_entries "
    "WHERE id BETWEEN :low AND :high AND bank_id = :bank AND origin = :origin ORDER BY id"
).bindparams(bindparam("low", type_=Integer()), bindparam("high", type_=Integer()),
             bindparam("bank", type_=String()), bindparam("origin", type_=String()),
             bindparam("at", type_=UTCDateTime()))


def _log_added(session: Session, clock: Clock, run: ImportRun, low: int, high: int) -> None:
    """The change-log rows matchers follow, one per entry added (taken under the change log's lock on
    PostgreSQL, as ``log_changes`` does)."""
    session.execute(_LOG, {"low": low, "high": high, "bank": run.bank_id, "origin": run.origin, "at": clock.now()})


def _digest(added: Iterable[tuple[int, str, str]]) -> str:
    """SHA-256 over ``<id>\\t<signal_type>\\t<value>\\n`` of the entries, in id order."""
    digest = hashlib.sha256()
    for entry_id, signal_type, value in added:
        digest.update(f"{entry_id}\t{signal_type}\t{value}\n".encode())
    return digest.hexdigest()


# ---- all at once (the API) ---------------------------------------------------------------------------

MAX_REFUSALS_LISTED = 100


def import_all(session: Session, clock: Clock, principal: Principal, bank: Bank,
               lines: Callable[[], Iterable[str]], *, source: str, size: int = CHUNK_ROWS) -> ImportSummary:
    """Import a whole CSV in the caller's transaction, all or nothing: a first pass checks every row (the
    input is read twice, from ``lines()``, never held), and one refused row refuses the request with each
    refused line and its reason (the first ``MAX_REFUSALS_LISTED``). Then the chunks are written as the command
    line writes them, each with its audit event; a retried request adds nothing twice."""
    refused = [(row.line, row.error or "") for row in read_rows(lines()) if row.signal is None]
    if refused:
        listed = [{"field": f"line {line}", "message": reason} for line, reason in refused[:MAX_REFUSALS_LISTED]]
        raise InvalidInput(f"{len(refused)} line(s) refused, nothing imported; the first: line {refused[0][0]}: "
                           f"{refused[0][1]}", field="body", errors=listed, refused=len(refused))
    run = begin_import(session, clock, principal, bank, source=source)
    total = ChunkResult()
    for chunk in chunked(read_rows(lines()), size=size):
        total += write_chunk(session, clock, principal, run, chunk)
    if not total.chunks:
        raise InvalidInput("the CSV has no rows", field="body")
    return ImportSummary(run.import_id, total)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    import_id: str
    result: ChunkResult


# ---- verifying ---------------------------------------------------------------------------------------


def verify_import(session: Session, org_id: str, import_id: str) -> list[ChunkCheck]:
    """Each recorded chunk of ``import_id`` against the entries stored now: their count and digest must be
    those the chunk's event committed to (an entry edited, slipped in or deleted since shows here)."""
    chunks = [e for e in _recorded(session, import_id) if e.org_id == org_id]
    if not chunks:
        raise NotFound(f"no import {import_id!r}")
    return [_check(session, e.payload) for e in sorted(chunks, key=lambda e: int(e.payload["chunk"]))]


def _check(session: Session, payload: dict[str, Any]) -> ChunkCheck:
    number, added = int(payload["chunk"]), int(payload["added"])
    if not added:
        return ChunkCheck(number, 0, True)
    query = (select(BankEntry.id, BankEntry.signal_type, BankEntry.value)
             .where(BankEntry.bank_id == payload["bank_id"],
                    BankEntry.origin == f"{ORIGIN_PREFIX}{payload['import_id']}",
                    BankEntry.id.between(payload["first_entry_id"], payload["last_entry_id"]))
             .order_by(BankEntry.id).execution_options(yield_per=10_000))
    stored = [(int(r[0]), str(r[1]), str(r[2])) for r in session.execute(query)]
    if len(stored) != added:
        return ChunkCheck(number, added, False, f"{len(stored)} entries stored, {added} recorded")
    if _digest(stored) != payload["digest"]:
        return ChunkCheck(number, added, False, "the entries differ from those the chunk recorded")
    return ChunkCheck(number, added, True)
