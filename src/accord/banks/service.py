"""Banks and their entries: creating, sharing, adding signals, disabling, quarantine and votes.

Every hash enters through ``validate_signal`` (bad hashes are refused with the reason and never reach an
index), and every change to an entry appends a row to ``bank_changes``, the log matcher processes follow to
update their in-memory indexes without rebuilding them. Another organisation's private bank is ``NotFound``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.banks.labels import canonical_labels
from accord.banks.models import (
    Bank,
    BankChange,
    BankEntry,
    BankKind,
    EntryState,
    EntryVote,
    ListSource,
    MatchRecord,
    Visibility,
)
from accord.clock import Clock
from accord.db import is_postgres, new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.policies.crisis import active_incidents
from accord.signals import PDQ_QUALITY_THRESHOLD, validate_signal
from accord.signals.types import INDEXED_SIGNAL_TYPES

CHANGE_LOCK_KEY = 0xBA4C5  # PostgreSQL advisory lock: bank changes commit in sequence order
MAX_TAG_LENGTH = 80
MATCHABLE_TYPES = INDEXED_SIGNAL_TYPES  # pdq, the exact types, and vpdq where the vpdq extra is installed
MAX_NAME_LENGTH = 120


@dataclass(frozen=True, slots=True)
class NewSignal:
    """A signal offered to a bank, before the door checks it."""

    type: str
    value: str
    variants: tuple[str, ...] = ()
    quality: int | None = None


@dataclass(frozen=True, slots=True)
class EntryDetails:
    """What reviewers record about an entry beside its hash."""

    labels: Sequence[str] = ()
    incident_tags: Sequence[str] = ()
    entity: str | None = None
    list_source: str | None = None
    note: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


# ---- banks -------------------------------------------------------------------------------------------


def create_bank(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    name: str,
    kind: str = BankKind.POSITIVE,
    visibility: str = Visibility.PRIVATE,
    shared_with: Sequence[str] = (),
    description: str = "",
    accepts_contributions: bool = False,
    quarantine_imports: bool = True,
) -> Bank:
    """A new bank owned by the caller's organisation, private or shared with named organisations or all."""
    clean = _check_bank_fields(session, name, kind, visibility, shared_with)
    if any(bank.name == clean for bank in visible_banks(session, principal.org_id)):
        # Also a bank shared with the organisation: its own would shadow it wherever the name is used.
        raise Conflict(f"a bank you can see is named {clean!r} already; choose another name", field="name")
    bank = Bank(id=new_id("bank"), org_id=principal.org_id, name=clean, description=description, kind=kind,
                visibility=visibility, shared_with=sorted(set(shared_with)),
                accepts_contributions=accepts_contributions, quarantine_imports=quarantine_imports,
                created_at=clock.now())
    session.add(bank)
    session.flush()
    record(session, clock, principal.actor, Event.BANKS_BANK_CREATE, subject=bank.id,
           payload={"name": bank.name, "kind": kind, "visibility": visibility, "shared_with": bank.shared_with})
    return bank


def _check_bank_fields(session: Session, name: str, kind: str, visibility: str, shared_with: Sequence[str]) -> str:
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME_LENGTH or "/" in clean:
        raise InvalidInput(f"a bank name has 1 to {MAX_NAME_LENGTH} characters and no '/'", field="name")
    if kind not in set(BankKind):
        raise InvalidInput("kind is positive or negative", field="kind")
    if visibility not in set(Visibility):
        raise InvalidInput("visibility is private, shared or all", field="visibility")
    if visibility == Visibility.SHARED and not shared_with:
        raise InvalidInput("a shared bank names the organisations it is shared with", field="shared_with")
    known = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(list(shared_with)))))
    unknown = sorted(set(shared_with) - known)
    if unknown:
        raise InvalidInput(f"no organisation {unknown[0]!r}", field="shared_with")
    return clean


def can_see(bank: Bank, org_id: str) -> bool:
    """Whether ``org_id`` may read and match against ``bank``."""
    if bank.org_id == org_id or bank.visibility == Visibility.ALL:
        return True
    return bank.visibility == Visibility.SHARED and org_id in bank.shared_with


def can_curate(bank: Bank, principal: Principal) -> bool:
    """The owner curates its bank; a coordinator also curates every bank shared with all."""
    if bank.org_id == principal.org_id:
        return True
    return principal.org_kind == "coordinator" and bank.visibility == Visibility.ALL


def visible_banks(session: Session, org_id: str) -> list[Bank]:
    """Every bank ``org_id`` may use: its own, those shared with it, and those shared with all."""
    query = select(Bank).where(
        (Bank.org_id == org_id) | Bank.visibility.in_([Visibility.ALL, Visibility.SHARED])
    ).order_by(Bank.created_at, Bank.name)
    return [bank for bank in session.scalars(query) if can_see(bank, org_id)]


def get_bank(session: Session, org_id: str, ref: str) -> Bank:
    """A bank by id or name as ``org_id`` sees it; invisible banks are ``NotFound``. A name that two visible
    banks share (a bank shared with the organisation after it named one of its own alike) is a ``Conflict``:
    neither silently shadows the other."""
    bank = session.get(Bank, ref)
    if bank is not None and can_see(bank, org_id):
        return bank
    named = [b for b in visible_banks(session, org_id) if b.name == ref]
    if not named:
        raise NotFound(f"no bank {ref!r}")
    if len(named) > 1:
        raise Conflict(f"{len(named)} banks you can see are named {ref!r}; use the bank's id "
                       f"({', '.join(b.id for b in named)})", field="bank")
    return named[0]


def bank_counts(session: Session, bank_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per bank: entries per state, and matches recorded."""
    counts: dict[str, dict[str, int]] = {bank_id: {"matches": 0} for bank_id in bank_ids}
    rows = session.execute(
        select(BankEntry.bank_id, BankEntry.state, func.count())
        .where(BankEntry.bank_id.in_(list(bank_ids))).group_by(BankEntry.bank_id, BankEntry.state)
    )
    for bank_id, state, count in rows:
        counts[bank_id][state] = count
    matches = session.execute(
        select(MatchRecord.bank_id, func.count()).where(MatchRecord.bank_id.in_(list(bank_ids)))
        .group_by(MatchRecord.bank_id)
    )
    for bank_id, count in matches:
        counts[bank_id]["matches"] = count
    return counts


# ---- entries -----------------------------------------------------------------------------------------


def fingerprint(signal_type: str, value: str) -> str:
    """The key that makes a signal unique within a bank."""
    return hashlib.sha256(f"{signal_type}\x00{value}".encode()).hexdigest()


def check_details(details: EntryDetails) -> EntryDetails:
    """Refuse labels outside GIFCT's taxonomy, unknown list sources and oversized tags, naming the culprit; the
    details come back with each label in its canonical spelling (GIFCT's US spellings are aliases)."""
    details = replace(details, labels=canonical_labels(details.labels))
    for tag in details.incident_tags:
        if not tag.strip() or len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(f"an incident tag has 1 to {MAX_TAG_LENGTH} characters", field="incident_tags")
    if details.list_source is not None and details.list_source not in {s.value for s in ListSource}:
        raise InvalidInput("list_source is un, eu or national", field="list_source")
    return details


def check_signal(signal: NewSignal) -> NewSignal:
    """The door: a normalised signal, or ``InvalidInput`` with the reason (wrong length, zeros, low quality)."""
    if signal.quality is not None and signal.quality < PDQ_QUALITY_THRESHOLD:
        raise InvalidInput(
            f"the {signal.type} hash has quality {signal.quality}, below {PDQ_QUALITY_THRESHOLD}", field="value"
        )
    value = validate_signal(signal.type, signal.value)
    if signal.type not in MATCHABLE_TYPES:  # a type some process here hashes but cannot index
        raise InvalidInput(f"{signal.type} signals cannot be banked yet: no match index for them", field="type")
    variants = tuple(validate_signal(signal.type, v) for v in signal.variants if v != value)
    return NewSignal(signal.type, value, variants, signal.quality)


def entry_state_for(bank: Bank, principal: Principal, *, imported: bool = False) -> EntryState:
    """Active when the bank's curator adds it; quarantined when it comes from outside (flood protection)."""
    if imported:
        return EntryState.QUARANTINED if bank.quarantine_imports else EntryState.ACTIVE
    if can_curate(bank, principal):
        return EntryState.ACTIVE
    if bank.accepts_contributions and can_see(bank, principal.org_id):
        return EntryState.QUARANTINED
    raise PermissionDenied("only the bank's owner adds entries to it")


def add_entries(
    session: Session,
    clock: Clock,
    principal: Principal,
    bank: Bank,
    signals: Sequence[NewSignal],
    details: EntryDetails,
    *,
    origin: str | None = None,
    imported: bool = False,
) -> list[BankEntry]:
    """Add signals to ``bank`` (all or none: one bad hash refuses the request); a signal already in the bank
    answers its existing entry unchanged. One audit event names every entry added.

    New entries of an incident's bank carry the tag of each incident active on it, whether or not the caller
    named it in ``incident_tags``: during a crisis nobody has to remember it."""
    if not signals:
        raise InvalidInput("give at least one signal or a file", field="signals")
    checked: dict[str, NewSignal] = {}
    for signal in signals:
        clean = check_signal(signal)
        checked.setdefault(fingerprint(clean.type, clean.value), clean)
    details = check_details(details)
    details = replace(details, incident_tags=sorted({*details.incident_tags, *incident_tags_of(session, clock, bank)}))
    state = entry_state_for(bank, principal, imported=imported)
    existing = _existing(session, bank, list(checked))
    fresh = [_new_entry(bank, principal, key, s, details, state, origin, clock) for key, s in checked.items()
             if key not in existing]
    session.add_all(fresh)
    session.flush()
    log_changes(session, clock, fresh, "add")
    if fresh:
        record(session, clock, principal.actor, Event.BANKS_ENTRY_ADD, subject=bank.id, org_id=principal.org_id,
               payload={"bank_id": bank.id, "entry_ids": [e.id for e in fresh], "state": state,
                        "signal_types": sorted({e.signal_type for e in fresh}), "labels": sorted(details.labels),
                        "incident_tags": list(details.incident_tags), "origin": origin})
    made = {entry.fingerprint: entry for entry in fresh}
    return [existing.get(key) or made[key] for key in checked]


def incident_tags_of(session: Session, clock: Clock, bank: Bank) -> list[str]:
    """The tags of the incidents active now whose bank is ``bank`` (none for an ordinary bank)."""
    return sorted({i.tag for i in active_incidents(session, clock.now()) if i.bank_id == bank.id})


def _existing(session: Session, bank: Bank, keys: list[str]) -> dict[str, BankEntry]:
    found: dict[str, BankEntry] = {}
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        query = select(BankEntry).where(BankEntry.bank_id == bank.id, BankEntry.fingerprint.in_(chunk))
        found.update({entry.fingerprint: entry for entry in session.scalars(query)})
    return found


def _new_entry(bank: Bank, principal: Principal, key: str, signal: NewSignal, details: EntryDetails,
               state: EntryState, origin: str | None, clock: Clock) -> BankEntry:
    now = clock.now()
    return BankEntry(bank_id=bank.id, added_by_org_id=principal.org_id, signal_type=signal.type,
                     value=signal.value, fingerprint=key, variants=list(signal.variants),
                     labels=sorted(set(details.labels)), incident_tags=sorted(set(details.incident_tags)),
                     entity=details.entity, list_source=details.list_source, note=details.note,
                     metadata_=dict(details.metadata), state=state, origin=origin, created_at=now, updated_at=now)


def log_change(session: Session, clock: Clock, entry: BankEntry, op: str) -> None:
    """Append one change to the log matchers follow."""
    log_changes(session, clock, [entry], op)


def log_changes(session: Session, clock: Clock, entries: Sequence[BankEntry], op: str) -> None:
    """Append to the change log; on PostgreSQL a transaction lock keeps sequence order equal to commit order,
    so a matcher's high-water mark never skips a change that commits late."""
    if not entries:
        return
    if is_postgres(session):
        session.execute(select(func.pg_advisory_xact_lock(CHANGE_LOCK_KEY)))
    session.add_all([BankChange(entry_id=e.id, bank_id=e.bank_id, signal_type=e.signal_type, op=op, at=clock.now())
                     for e in entries])
    session.flush()


def get_entry(session: Session, org_id: str, bank: Bank, entry_id: int) -> BankEntry:
    """An entry of a bank the caller can see."""
    entry = session.get(BankEntry, entry_id)
    if entry is None or entry.bank_id != bank.id or not can_see(bank, org_id):
        raise NotFound(f"no entry {entry_id} in bank {bank.name!r}")
    return entry


def list_entries(session: Session, bank: Bank, *, state: str | None = None, after: int = 0,
                 limit: int = 100) -> list[BankEntry]:
    """A bank's entries in id order, paged by ``after`` (the last id seen)."""
    query = select(BankEntry).where(BankEntry.bank_id == bank.id, BankEntry.id > after)
    if state:
        query = query.where(BankEntry.state == state)
    return list(session.scalars(query.order_by(BankEntry.id).limit(min(max(limit, 1), 1000))))


_TRANSITIONS: dict[str, tuple[frozenset[str], EntryState]] = {
    "disable": (frozenset({EntryState.ACTIVE, EntryState.QUARANTINED}), EntryState.DISABLED),
    "enable": (frozenset({EntryState.DISABLED}), EntryState.ACTIVE),
    "confirm": (frozenset({EntryState.QUARANTINED}), EntryState.ACTIVE),
    "reject": (frozenset({EntryState.QUARANTINED}), EntryState.REJECTED),
}


def change_entry_state(session: Session, clock: Clock, principal: Principal, bank: Bank, entry: BankEntry,
                       action: str, *, reason: str = "") -> BankEntry:
    """Disable, enable, confirm (out of quarantine) or reject an entry; only the bank's curator may."""
    if not can_curate(bank, principal):
        raise PermissionDenied("only the bank's owner (or a coordinator, for banks shared with all) curates it")
    allowed, target = _TRANSITIONS[action]
    if entry.state not in allowed:
        raise Conflict(f"an entry that is {entry.state} cannot be {action}d", field="state")
    entry.state = target
    entry.updated_at = clock.now()
    log_change(session, clock, entry, action)
    record(session, clock, principal.actor, Event(f"banks:entry:{action}"), subject=str(entry.id),
           org_id=principal.org_id, payload={"bank_id": bank.id, "reason": reason, "state": target})
    return entry


def withdraw_entry(session: Session, clock: Clock, principal: Principal, bank: Bank, entry: BankEntry) -> None:
    """Disable an entry because its source withdrew it (an exchange removal), whatever its state."""
    if entry.state in (EntryState.DISABLED, EntryState.REJECTED):
        return
    entry.state = EntryState.DISABLED
    entry.updated_at = clock.now()
    log_change(session, clock, entry, "remove")
    record(session, clock, principal.actor, Event.BANKS_ENTRY_REMOVE, subject=str(entry.id),
           org_id=principal.org_id, payload={"bank_id": bank.id, "origin": entry.origin})


def update_details(session: Session, clock: Clock, principal: Principal, bank: Bank, entry: BankEntry,
                   details: EntryDetails) -> BankEntry:
    """Replace an entry's labels, tags, entity, list source, note and metadata."""
    if not can_curate(bank, principal):
        raise PermissionDenied("only the bank's curator edits its entries")
    details = check_details(details)
    entry.labels, entry.incident_tags = sorted(set(details.labels)), sorted(set(details.incident_tags))
    entry.entity, entry.list_source, entry.note = details.entity, details.list_source, details.note
    entry.metadata_ = dict(details.metadata)
    entry.updated_at = clock.now()
    log_change(session, clock, entry, "update")
    record(session, clock, principal.actor, Event.BANKS_ENTRY_UPDATE, subject=str(entry.id),
           org_id=principal.org_id, payload={"bank_id": bank.id, "labels": entry.labels})
    return entry


# ---- votes -------------------------------------------------------------------------------------------


def vote(session: Session, clock: Clock, principal: Principal, bank: Bank, entry: BankEntry, *, agree: bool,
         comment: str = "") -> EntryVote:
    """Another organisation agrees or disagrees with an entry's labels (one vote each, changeable)."""
    if bank.org_id == principal.org_id:
        raise InvalidInput("the owner of a bank does not vote on its own entries", field="agree")
    existing = session.scalar(
        select(EntryVote).where(EntryVote.entry_id == entry.id, EntryVote.org_id == principal.org_id)
    )
    ballot = existing or EntryVote(id=new_id("vote"), entry_id=entry.id, org_id=principal.org_id)
    ballot.agree, ballot.comment, ballot.created_at = agree, comment, clock.now()
    session.add(ballot)
    session.flush()
    record(session, clock, principal.actor, Event.BANKS_ENTRY_VOTE, subject=str(entry.id), org_id=principal.org_id,
           payload={"bank_id": bank.id, "owner_id": bank.org_id, "agree": agree})
    return ballot


def votes_for(session: Session, org_id: str, bank: Bank, entry_ids: Iterable[int]) -> list[EntryVote]:
    """The owner sees every vote on its entries; another organisation sees only its own."""
    query = select(EntryVote).where(EntryVote.entry_id.in_(list(entry_ids))).order_by(EntryVote.created_at)
    if bank.org_id != org_id:
        query = query.where(EntryVote.org_id == org_id)
    return list(session.scalars(query))


def vote_tally(session: Session, entry_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per entry: (agree, disagree) counts."""
    tally: dict[int, tuple[int, int]] = {}
    rows = session.execute(
        select(EntryVote.entry_id, EntryVote.agree, func.count())
        .where(EntryVote.entry_id.in_(list(entry_ids))).group_by(EntryVote.entry_id, EntryVote.agree)
    )
    for entry_id, agree, count in rows:
        yes, no = tally.get(entry_id, (0, 0))
        tally[entry_id] = (yes + count, no) if agree else (yes, no + count)
    return tally


# ---- organisations for the CLI -----------------------------------------------------------------------


def principal_for(session: Session, org_ref: str | None, ref: str = "cli:operator") -> Principal:
    """A principal acting for an organisation (by id or name), or for the instance's coordinator."""
    if org_ref is None:
        org = session.scalar(
            select(Organisation).where(Organisation.kind == "coordinator").order_by(Organisation.created_at)
        )
        if org is None:
            raise InvalidInput("this instance has no coordinator organisation; pass --org", field="org")
    else:
        org = session.get(Organisation, org_ref) or session.scalar(
            select(Organisation).where(Organisation.name == org_ref)
        )
        if org is None:
            raise NotFound(f"no organisation {org_ref!r}")
    return Principal(org_id=org.id, org_kind=org.kind, ref=ref, scopes=frozenset({"banks:read", "banks:write",
                                                                                  "match"}))
