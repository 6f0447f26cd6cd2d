"""/v1/hashes, /v1/match and /v1/matching/status: the routes a ``--role matcher`` process serves.

The process keeps one matcher (an in-memory index per signal type), opened from the latest snapshot on first
use and brought up to date from the banks' change log before a lookup (``Matcher.catch_up``: lookups arriving
together share one read of the log).

``POST /v1/match`` is built for a platform that checks every upload. A miss writes nothing and opens no
transaction: the key comes from the process's key cache, the lookup reads the change log past the matcher's
mark and nothing else (naming ``banks`` adds their look-up). A hit reads its entries and banks once; a
provider's hit is then recorded (case, audit events, automatic action) by the process's ``GroupRecorder``,
which commits the hits arriving together in one transaction, and is answered after that commit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from accord.banks import service as bank_service
from accord.banks.files import limits_for
from accord.db import unit_of_work
from accord.errors import InvalidInput, NotFound
from accord.flows import decisions as flows
from accord.identity.service import Principal
from accord.matching import ledger, pdq
from accord.matching import lookup as matching
from accord.matching import service as matching_service
from accord.matching.recording import GroupRecorder, Recorded
from accord.matching.service import Matcher
from accord.signals import hash_media
from accord.web.api._uploads import Body, inline_schema, parse, read_body
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep, app_state, reading
from accord.web.schemas.banks import ComputedSignalOut, HashesOut, MatchesOut, MatchOut, MatchSignalsIn
from accord.web.schemas.matching import (
    BankLookupsOut,
    LookupCountOut,
    MatchBatchIn,
    MatchBatchOut,
    MatchingStatusOut,
)
from accord.web.state import AppState

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["matching"])
Matching = Annotated[Principal, Depends(Scoped("match"))]
Reader = Annotated[Principal, Depends(Scoped("banks:read"))]
_OPEN_LOCK = threading.Lock()
RECORDING_WRITERS = 8  # threads recording groups of hits side by side on PostgreSQL

_UPLOAD_OR_SIGNALS: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "banks": {"type": "string", "description": "Only these banks (names or ids, comma-separated)"}}}},
    "application/json": {"schema": {"oneOf": [inline_schema(MatchSignalsIn), inline_schema(MatchBatchIn)]}},
}}}
_UPLOAD: dict[str, Any] = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


def _open_matcher(state: AppState) -> Matcher:
    with _OPEN_LOCK:
        found = state.matcher
        if found is None:
            pdq.warm_up()  # numba's cache loaded before the first lookup, not during it
            found = state.matcher = Matcher.open(state.settings.index_snapshot_dir)
    return found


async def process_matcher(request: Request) -> Matcher:
    """This process's matcher, opened from the snapshot directory on first use (in a worker thread)."""
    found = app_state(request).matcher
    if found is not None:
        return found
    return await run_in_threadpool(_open_matcher, app_state(request))


def process_recorder(state: AppState) -> GroupRecorder:
    """This process's group writer of hits, deciding automatically through the decision flow."""
    with _OPEN_LOCK:
        found = state.match_recorder
        if found is None:
            writers = 1 if state.settings.is_sqlite else RECORDING_WRITERS
            found = state.match_recorder = GroupRecorder(
                state.factory, state.clock, flows.decide, writers=writers,
                flood_limit=state.settings.flood_matches_per_entry_per_hour)
    return found


MatcherDep = Annotated[Matcher, Depends(process_matcher)]
BodyDep = Annotated[Body, Depends(read_body)]


@router.post("/hashes", openapi_extra=_UPLOAD)
async def hashes(principal: Matching, body: BodyDep, settings: SettingsDep) -> HashesOut:
    """Hash an uploaded file: PDQ for photos, MD5 and SHA-256 for every file, video MD5 for videos."""
    if body.file is None:
        raise InvalidInput("send the file as the multipart field `file`", field="file")
    computed = await run_in_threadpool(lambda: hash_media(body.file or b"", limits=limits_for(settings)))
    return HashesOut(signals=[ComputedSignalOut(type=s.type, value=s.value, quality=s.quality,
                                                indexable=s.indexable) for s in computed])


@router.post("/match", openapi_extra=_UPLOAD_OR_SIGNALS, response_model=MatchesOut | MatchBatchOut)
async def match(request: Request, principal: Matching, body: BodyDep,
                matcher: MatcherDep) -> MatchesOut | MatchBatchOut:
    """Match a file, signals, or a batch of items against every bank the caller may use; a provider's match
    opens or joins a case. Answers each match's bank, entry id, signal type, distance, labels and metadata.

    The batch form, `{"items": [{"signals": [...]}, ...]}` (up to 1,000 items), answers `{"results": [...]}`:
    one answer per item, in order, as the single form would have answered it."""
    arrived = time.monotonic()
    state = app_state(request)
    contents, banks, batch = await _contents(state, body)
    state.lookup_ledger.admit(principal.ref, len(contents))
    outcomes = await run_in_threadpool(_find_all, state, matcher, principal.org_id, contents, banks, arrived)
    state.lookup_ledger.count(principal.ref, principal.org_id, len(contents),
                              [m.bank.id for outcome in outcomes for m in outcome.matches])
    flush_lookups_when_due(state)
    reload_when_due(state, matcher)
    await _record_hits(state, principal, contents, outcomes)
    answers = [_answer(principal, outcome) for outcome in outcomes]
    return MatchBatchOut(results=answers) if batch else answers[0]


async def _contents(state: AppState, body: Body) -> tuple[list[list[matching.QuerySignal]], list[str], bool]:
    """The pieces of content to look up (one, or a batch's items), the banks named, and whether a batch."""
    if body.file is not None:
        limits = limits_for(state.settings)
        signals = await run_in_threadpool(matching.signals_of_upload, body.file, limits)
        return [signals], body.items("banks"), False
    if isinstance(body.json, dict) and "items" in body.json:
        batch = parse(MatchBatchIn, body.json)
        return [_item_signals(i, item.signals) for i, item in enumerate(batch.items)], batch.banks, True
    single = parse(MatchSignalsIn, body.json)
    return [matching.signals_of_values([(s.type, s.value) for s in single.signals])], single.banks, False


def flush_lookups_when_due(state: AppState) -> threading.Thread | None:
    """Write the process's lookup counts in a thread of their own once they are due (never in a request's
    transaction, never two flushes at once); answers the thread started, if any."""
    ledger = state.lookup_ledger
    if not ledger.due() or not ledger.flushing.acquire(blocking=False):
        return None

    def flush() -> None:
        try:
            with unit_of_work(state.factory) as session:
                ledger.flush(session)
        except SQLAlchemyError:
            log.exception("lookup counts not written (they are lost; lookups go on)")
        finally:
            ledger.flushing.release()

    state.lookup_flush = thread = threading.Thread(target=flush, name="accord-lookup-ledger", daemon=True)
    thread.start()
    return thread


def reload_when_due(state: AppState, matcher: Matcher) -> threading.Thread | None:
    """Move this replica to a newer snapshot at its planned moment, one replica of the host at a time
    (``accord.matching.replicas``): a new matcher is opened and caught up in a thread while this one answers,
    then takes its place. Answers the thread started, if any."""
    schedule = state.reload_schedule
    if schedule.notice(matcher.snapshot_name) is None:
        return None
    lease = schedule.begin()
    if lease is None:
        return None

    def reload() -> None:
        try:
            fresh = Matcher.open(state.settings.index_snapshot_dir)
            with reading(state) as session:
                fresh.refresh(session)
            state.matcher = fresh
        except (OSError, ValueError, KeyError, SQLAlchemyError):
            log.exception("reloading the index snapshot failed; this replica goes on with its index")
        finally:
            lease.release()

    state.matcher_reload = thread = threading.Thread(target=reload, name="accord-matcher-reload", daemon=True)
    thread.start()
    return thread


def _item_signals(position: int, signals: Sequence[Any]) -> list[matching.QuerySignal]:
    try:
        return matching.signals_of_values([(s.type, s.value) for s in signals])
    except InvalidInput as exc:
        raise InvalidInput(f"items[{position}]: {exc}", field=f"items[{position}].signals") from None


def _find_all(state: AppState, matcher: Matcher, org_id: str, contents: Sequence[Sequence[matching.QuerySignal]],
              banks: Sequence[str], arrived: float) -> list[matching.Outcome]:
    """Catch the matcher up and look every piece of content up, outside any transaction (reads only)."""
    with reading(state) as session:
        matcher.catch_up(session, arrived)
        return [matching.find(session, matcher, org_id, signals, banks) for signals in contents]


async def _record_hits(state: AppState, principal: Principal, contents: Sequence[Sequence[matching.QuerySignal]],
                       outcomes: Sequence[matching.Outcome]) -> None:
    """Hand a provider's hits to the group writer and wait for their commit (a miss never waits)."""
    pairs = zip(contents, outcomes, strict=True)
    waiting = [(outcome, process_recorder(state).submit(principal, signals, outcome))
               for signals, outcome in pairs if matching.needs_record(principal, outcome)]
    for outcome, future in waiting:
        recorded: Recorded = await asyncio.wrap_future(future)
        outcome.case_id, outcome.action = recorded.case_id, recorded.action


def _answer(principal: Principal, outcome: matching.Outcome) -> MatchesOut:
    org_id, may_read = principal.org_id, "banks:read" in principal.scopes
    return MatchesOut(
        matches=[MatchOut.model_validate(m.as_dict(org_id, may_read=may_read)) for m in outcome.matches],
        suppressed_by=[MatchOut.model_validate(m.as_dict(org_id, may_read=may_read)) for m in outcome.suppressed_by],
        case_id=outcome.case_id, action=outcome.action,
    )


@router.get("/matching/status")
def status(principal: Matching, session: SessionDep, matcher: MatcherDep) -> MatchingStatusOut:
    """What the caller's lookups search, after the matcher has caught up: the banks it may use and their active
    entries per signal type (``banks``, ``entries``, ``indexes``). Instance-wide figures are for operators
    (``accord`` CLI, ``/metrics``)."""
    matcher.refresh(session)
    visible = [bank.id for bank in bank_service.visible_banks(session, principal.org_id)]
    return MatchingStatusOut.model_validate(matching_service.visible_status(session, visible))


@router.get("/banks/{name}/lookups")
def bank_lookups(name: str, principal: Reader, session: SessionDep, clock: ClockDep,
                 days: Annotated[int, Query(ge=1, le=366)] = 30) -> BankLookupsOut:
    """For the bank's owner only: the lookups every key made that searched the bank in the past `days`, and
    how many matched it (hosted matching's audit; counts are written in batches, so the last minute or so may
    not show yet)."""
    bank = bank_service.get_bank(session, principal.org_id, name)
    if bank.org_id != principal.org_id:
        raise NotFound(f"no bank {name!r}")
    since = clock.now() - timedelta(days=days)
    rows = ledger.lookups_of_bank(session, bank.id, since=since)
    return BankLookupsOut(bank=bank.name, since=since, lookups=[
        LookupCountOut(org_id=org_id, key=key, lookups=lookups, hits=hits) for org_id, key, lookups, hits in rows])
