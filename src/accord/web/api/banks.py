"""/v1/banks: banks, their entries (from a file or signals), curation, quarantine and votes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from accord.banks import ingest, service
from accord.banks.files import limits_for, signals_for_bank
from accord.banks.models import Bank, BankEntry
from accord.banks.service import EntryDetails, NewSignal
from accord.identity.service import Principal
from accord.web.api._uploads import Body, inline_schema, parse, read_body
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep
from accord.web.schemas.banks import (
    BankIn,
    BankOut,
    EntriesIn,
    EntriesOut,
    EntryDetailsIn,
    EntryOut,
    ImportOut,
    StateChangeIn,
    VoteIn,
    VoteOut,
)
from accord.web.schemas.common import EntryIdInPath, Limit, Position

router = APIRouter(prefix="/v1", tags=["banks"])
Reader = Annotated[Principal, Depends(Scoped("banks:read"))]
Writer = Annotated[Principal, Depends(Scoped("banks:write"))]
BodyDep = Annotated[Body, Depends(read_body)]

_FILE_OR_SIGNALS: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "labels": {"type": "string", "description": "GIFCT behaviour labels, comma-separated"},
        "incident_tags": {"type": "string"}, "entity": {"type": "string"}, "list_source": {"type": "string"},
        "note": {"type": "string"}}}},
    "application/json": {"schema": inline_schema(EntriesIn)},
    "text/csv": {"schema": {"type": "string", "description": "Bulk import: `signal_type,signal_value,labels` per "
                            "line (a header row is optional), all or nothing"}},
}}}


def _bank_out(session: Session, bank: Bank) -> BankOut:
    counts = service.bank_counts(session, [bank.id])[bank.id]
    return BankOut.model_validate({**BankOut.model_validate(bank).model_dump(exclude={"counts"}), "counts": counts})


def _entry_out(session: Session, principal: Principal, bank: Bank, entry: BankEntry) -> EntryOut:
    votes = [VoteOut.model_validate(v) for v in service.votes_for(session, principal.org_id, bank, [entry.id])]
    return EntryOut.model_validate(entry).model_copy(update={"votes": votes})


@router.post("/banks", status_code=201)
def create_bank(body: BankIn, principal: Writer, session: SessionDep, clock: ClockDep) -> BankOut:
    """Create a bank owned by your organisation: private, shared with named organisations, or with all."""
    bank = service.create_bank(session, clock, principal, **body.model_dump())
    return _bank_out(session, bank)


@router.get("/banks")
def list_banks(principal: Reader, session: SessionDep) -> list[BankOut]:
    """Every bank you may use: your own, those shared with you, and those shared with all."""
    banks = service.visible_banks(session, principal.org_id)
    counts = service.bank_counts(session, [b.id for b in banks])
    return [BankOut.model_validate({**BankOut.model_validate(b).model_dump(exclude={"counts"}),
                                    "counts": counts[b.id]}) for b in banks]


@router.get("/banks/{name}")
def get_bank(name: str, principal: Reader, session: SessionDep) -> BankOut:
    return _bank_out(session, service.get_bank(session, principal.org_id, name))


@router.post("/banks/{name}/entries", status_code=201, openapi_extra=_FILE_OR_SIGNALS)
def add_entries(name: str, principal: Writer, body: BodyDep, session: SessionDep, clock: ClockDep,
                settings: SettingsDep) -> EntriesOut | ImportOut:
    """Add a file (hashed here; photos also get crop variants) or signals. A bad hash refuses the request
    with 422 and the reason; an entry from outside the bank's owner waits in quarantine.

    In bulk: a `text/csv` body (`signal_type,signal_value,labels` per line) is imported in chunks, each with
    its `banks:import:chunk` audit event; any refused line refuses the whole request (422, every refused line
    in `errors`) and nothing is stored. A hash already in the bank is counted in `duplicates`."""
    bank = service.get_bank(session, principal.org_id, name)
    if body.csv is not None:
        summary = ingest.import_all(session, clock, principal, bank, body.csv_lines, source="api")
        result = summary.result
        return ImportOut(import_id=summary.import_id, added=result.added, duplicates=result.duplicates,
                         lines=result.last_line, chunks=result.chunks)
    if body.file is not None:
        signals = signals_for_bank(body.file, limits_for(settings))
        details = EntryDetails(labels=body.items("labels"), incident_tags=body.items("incident_tags"),
                               entity=body.field("entity"), list_source=body.field("list_source"),
                               note=body.field("note") or "")
    else:
        request = parse(EntriesIn, body.json)
        signals = [NewSignal(s.type, s.value) for s in request.signals]
        details = EntryDetails(**request.model_dump(exclude={"signals"}))
    entries = service.add_entries(session, clock, principal, bank, signals, details)
    return EntriesOut(entries=[EntryOut.model_validate(e) for e in entries])


@router.get("/banks/{name}/entries")
def list_entries(name: str, principal: Reader, session: SessionDep, state: str | None = None, after: Position = 0,
                 limit: Limit = 100) -> EntriesOut:
    """A bank's entries in id order; page with ``after`` (the last id seen)."""
    bank = service.get_bank(session, principal.org_id, name)
    entries = service.list_entries(session, bank, state=state, after=after, limit=limit)
    return EntriesOut(entries=[EntryOut.model_validate(e) for e in entries])


@router.get("/banks/{name}/entries/{entry_id}")
def get_entry(name: str, entry_id: EntryIdInPath, principal: Reader, session: SessionDep) -> EntryOut:
    """One entry; the bank's owner sees every vote on it, others only their own."""
    bank = service.get_bank(session, principal.org_id, name)
    return _entry_out(session, principal, bank, service.get_entry(session, principal.org_id, bank, entry_id))


@router.patch("/banks/{name}/entries/{entry_id}")
def update_entry(name: str, entry_id: EntryIdInPath, body: EntryDetailsIn, principal: Writer, session: SessionDep,
                 clock: ClockDep) -> EntryOut:
    """Replace an entry's labels, incident tags, entity, list source, note and metadata."""
    bank = service.get_bank(session, principal.org_id, name)
    entry = service.get_entry(session, principal.org_id, bank, entry_id)
    service.update_details(session, clock, principal, bank, entry, EntryDetails(**body.model_dump()))
    return _entry_out(session, principal, bank, entry)


@router.post("/banks/{name}/entries/{entry_id}/votes", status_code=201)
def vote(name: str, entry_id: EntryIdInPath, body: VoteIn, principal: Writer, session: SessionDep,
         clock: ClockDep) -> VoteOut:
    """Agree or disagree with an entry's labels; the bank's owner sees the votes."""
    bank = service.get_bank(session, principal.org_id, name)
    entry = service.get_entry(session, principal.org_id, bank, entry_id)
    return VoteOut.model_validate(service.vote(session, clock, principal, bank, entry, agree=body.agree,
                                               comment=body.comment))


@router.post("/banks/{name}/entries/{entry_id}/{action}")
def change_state(name: str, entry_id: EntryIdInPath, action: Literal["disable", "enable", "confirm", "reject"],
                 principal: Writer, session: SessionDep, clock: ClockDep,
                 body: StateChangeIn | None = None) -> EntryOut:
    """Disable or enable an entry, or confirm or reject one waiting in quarantine (the curator only)."""
    bank = service.get_bank(session, principal.org_id, name)
    entry = service.get_entry(session, principal.org_id, bank, entry_id)
    service.change_entry_state(session, clock, principal, bank, entry, action,
                               reason=body.reason if body else "")
    return _entry_out(session, principal, bank, entry)
