"""Lists and entries: who keeps them, who sees them, and how an entry moves from proposed to active to its end.

Every change of what the export holds (an entry going live, leaving, or being suspended) publishes a new serial,
so that resolvers reading the RPZ zone see the SOA serial grow and operators can say which serial they applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.blocklists import guard
from accord.blocklists.models import (
    ACTIONS,
    LIST_KINDS,
    Blocklist,
    BlocklistEntry,
    BlocklistSerial,
    BlocklistSubscription,
)
from accord.clock import Clock, as_utc
from accord.db import new_id
from accord.errors import Conflict, InvalidInput, NotFound
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.settings import Settings

LIVE = "active"
ENDED = ("expired", "delisted")


@dataclass(frozen=True)
class ListSpec:
    name: str
    kind: str
    legal_basis: str
    action: str = "nxdomain"
    stop_host: str | None = None
    review_required: bool = False
    overseer_id: str | None = None
    default_expiry_days: int | None = None
    max_expiry_days: int | None = None
    reexamine_days: int | None = None


@dataclass(frozen=True)
class EntrySpec:
    type: str
    value: str
    reason: str
    subdomains: bool = False
    expires_at: datetime | None = None
    starts_at: datetime | None = None
    ip_reason: str | None = None
    evidence: tuple[str, ...] = ()


def _check_spec(spec: ListSpec, settings: Settings) -> None:
    if spec.kind not in LIST_KINDS:
        raise InvalidInput(f"kind is one of {', '.join(LIST_KINDS)}", field="kind")
    if spec.action not in ACTIONS:
        raise InvalidInput(f"action is one of {', '.join(ACTIONS)}", field="action")
    if not spec.name.strip() or not spec.legal_basis.strip():
        raise InvalidInput("a list has a name and a legal basis", field="name" if not spec.name.strip()
                           else "legal_basis")
    if spec.action == "stop_page" and not spec.stop_host:
        raise InvalidInput("a stop_page list names its stop_host, the name that serves the stop page",
                           field="stop_host")
    most = spec.max_expiry_days or settings.blocklist_max_expiry_days
    if (spec.default_expiry_days or settings.blocklist_default_expiry_days) > most:
        raise InvalidInput("default_expiry_days cannot exceed max_expiry_days", field="default_expiry_days")


def _overseer(session: Session, spec: ListSpec, authority: Organisation) -> str | None:
    """The overseer named, else the only overseer of the authority's country; required when review is."""
    if spec.overseer_id:
        org = session.get(Organisation, spec.overseer_id)
        if org is None or org.kind != "overseer":
            raise InvalidInput("overseer_id names no overseer organisation", field="overseer_id")
        return org.id
    found = list(session.scalars(select(Organisation.id).where(Organisation.kind == "overseer",
                                                               Organisation.country == authority.country)))
    if len(found) == 1:
        return found[0]
    if spec.review_required:
        raise InvalidInput("prior review needs an overseer: name one in overseer_id", field="overseer_id")
    return None


def create_list(session: Session, clock: Clock, settings: Settings, principal: Principal, spec: ListSpec) -> Blocklist:
    """An authority opens a list; with ``review_required`` every entry waits for the overseer's review."""
    principal.require_kind("authority")
    _check_spec(spec, settings)
    authority = session.get(Organisation, principal.org_id)
    assert authority is not None
    if session.scalar(select(Blocklist.id).where(Blocklist.authority_id == authority.id,
                                                 Blocklist.name == spec.name.strip())):
        raise Conflict(f"the authority already has a list named {spec.name.strip()!r}", field="name")
    now = clock.now()
    blocklist = Blocklist(
        id=new_id("bl"), authority_id=authority.id, overseer_id=_overseer(session, spec, authority),
        name=spec.name.strip(), kind=spec.kind, legal_basis=spec.legal_basis.strip(), action=spec.action,
        stop_host=guard.normalise_domain(spec.stop_host) if spec.stop_host else None,
        review_required=spec.review_required,
        default_expiry_days=spec.default_expiry_days or settings.blocklist_default_expiry_days,
        max_expiry_days=spec.max_expiry_days or settings.blocklist_max_expiry_days,
        reexamine_days=spec.reexamine_days or settings.blocklist_reexamine_days, serial=1, created_at=now,
        changed_at=now)
    session.add(blocklist)
    session.add(BlocklistSerial(id=new_id("bls"), blocklist_id=blocklist.id, serial=1, published_at=now,
                                change="list created"))
    record(session, clock, principal.actor, Event.BLOCKLISTS_LIST_CREATE, subject=blocklist.id,
           payload={"authority_id": authority.id, "overseer_id": blocklist.overseer_id, "kind": spec.kind,
                    "name": blocklist.name, "action": spec.action, "review_required": spec.review_required})
    return blocklist


def _visible(session: Session, principal: Principal) -> Any:
    subscribed = select(BlocklistSubscription.blocklist_id).where(
        BlocklistSubscription.operator_id == principal.org_id)
    return or_(Blocklist.authority_id == principal.org_id, Blocklist.overseer_id == principal.org_id,
               Blocklist.id.in_(subscribed))


def list_lists(session: Session, principal: Principal) -> list[Blocklist]:
    """The lists the organisation keeps, oversees or applies."""
    return list(session.scalars(select(Blocklist).where(_visible(session, principal)).order_by(Blocklist.name)))


def get_list(session: Session, principal: Principal, blocklist_id: str) -> Blocklist:
    """A list its authority, its overseer or a subscribed operator may read; 404 for anyone else."""
    found = session.scalar(select(Blocklist).where(Blocklist.id == blocklist_id, _visible(session, principal)))
    if found is None:
        raise NotFound("no such blocking list")
    return found


def own_list(session: Session, principal: Principal, blocklist_id: str) -> Blocklist:
    blocklist = get_list(session, principal, blocklist_id)
    if blocklist.authority_id != principal.org_id:
        raise NotFound("no such blocking list of this authority")
    return blocklist


def overseen_list(session: Session, principal: Principal, blocklist_id: str) -> Blocklist:
    blocklist = get_list(session, principal, blocklist_id)
    if blocklist.overseer_id != principal.org_id:
        raise NotFound("no such blocking list under this overseer")
    return blocklist


def publish(session: Session, clock: Clock, blocklist: Blocklist, change: str) -> int:
    """A new serial for the export: resolvers see the SOA serial grow, operators acknowledge it."""
    blocklist.serial += 1
    blocklist.changed_at = clock.now()
    session.add(BlocklistSerial(id=new_id("bls"), blocklist_id=blocklist.id, serial=blocklist.serial,
                                published_at=blocklist.changed_at, change=change[:200]))
    session.flush()
    return blocklist.serial


def _value(blocklist: Blocklist, settings: Settings, spec: EntrySpec) -> str:
    """The normalised value, after the over-blocking guard."""
    if spec.type == "domain":
        name = guard.normalise_domain(spec.value)
        guard.check_domain(settings, name, subdomains=spec.subdomains)
        return name
    if spec.type == "url":
        if blocklist.kind != "search_delisting":
            raise InvalidInput("a DNS resolver cannot block one URL: list its domain, or use a search_delisting "
                               "list", field="type")
        url, host = guard.normalise_url(spec.value)
        guard.check_domain(settings, host, subdomains=False)
        return url
    if spec.type == "ip":
        address = guard.normalise_ip(spec.value)
        guard.check_ip(settings, address, spec.ip_reason)
        return address
    raise InvalidInput("type is one of domain, url, ip", field="type")


def _expiry(blocklist: Blocklist, starts: datetime, expires_at: datetime | None) -> datetime:
    if expires_at is None:
        return starts + timedelta(days=blocklist.default_expiry_days)
    expires = as_utc(expires_at)
    if expires <= starts:
        raise InvalidInput("expires_at is after the start", field="expires_at")
    if expires > starts + timedelta(days=blocklist.max_expiry_days):
        raise InvalidInput(f"this list blocks for at most {blocklist.max_expiry_days} days: nothing is blocked "
                           "forever; re-examine and renew instead", field="expires_at")
    return expires


def _duplicate(session: Session, blocklist: Blocklist, kind: str, value: str) -> None:
    live = ("proposed", "active", "suspended")
    if session.scalar(select(BlocklistEntry.id).where(BlocklistEntry.blocklist_id == blocklist.id,
                                                      BlocklistEntry.type == kind, BlocklistEntry.value == value,
                                                      BlocklistEntry.state.in_(live))):
        raise Conflict(f"{value} is already on the list", field="value")


def add_entry(session: Session, clock: Clock, settings: Settings, principal: Principal, blocklist_id: str,
              spec: EntrySpec) -> BlocklistEntry:
    """Add an entry after the guard; without prior review it is live at once and the serial grows."""
    blocklist = own_list(session, principal, blocklist_id)
    if not spec.reason.strip():
        raise InvalidInput("every entry gives its reason", field="reason")
    value = _value(blocklist, settings, spec)
    _duplicate(session, blocklist, spec.type, value)
    now = clock.now()
    starts = as_utc(spec.starts_at) if spec.starts_at else now
    entry = BlocklistEntry(
        id=new_id("ble"), blocklist_id=blocklist.id, type=spec.type, value=value,
        subdomains=spec.subdomains and spec.type == "domain", reason=spec.reason.strip(),
        ip_reason=(spec.ip_reason or "").strip() or None, evidence=list(spec.evidence),
        state="proposed" if blocklist.review_required else LIVE, created_at=now, starts_at=starts,
        expires_at=_expiry(blocklist, starts, spec.expires_at), reviewed_at=None, ended_at=None,
        next_reexamination_at=starts + timedelta(days=blocklist.reexamine_days), reminded_at=None, exchange=[])
    session.add(entry)
    if entry.state == LIVE:
        publish(session, clock, blocklist, f"add {value}")
    record(session, clock, principal.actor, Event.BLOCKLISTS_ENTRY_ADD, subject=entry.id,
           payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                    "overseer_id": blocklist.overseer_id, "type": entry.type, "value": value,
                    "subdomains": entry.subdomains, "state": entry.state, "expires_at": entry.expires_at.isoformat(),
                    "serial": blocklist.serial})
    return entry


def list_entries(session: Session, principal: Principal, blocklist_id: str,
                 state: str | None = None) -> list[BlocklistEntry]:
    """The entries, for the authority and its overseer (operators read the export)."""
    blocklist = get_list(session, principal, blocklist_id)
    if principal.org_id not in (blocklist.authority_id, blocklist.overseer_id):
        raise NotFound("operators read the list through its export")
    query = select(BlocklistEntry).where(BlocklistEntry.blocklist_id == blocklist.id)
    if state:
        query = query.where(BlocklistEntry.state == state)
    return list(session.scalars(query.order_by(BlocklistEntry.created_at, BlocklistEntry.value)))


def get_entry(session: Session, principal: Principal, blocklist_id: str, entry_id: str) -> BlocklistEntry:
    for entry in list_entries(session, principal, blocklist_id):
        if entry.id == entry_id:
            return entry
    raise NotFound("no such entry on this list")


def live_entries(session: Session, blocklist: Blocklist) -> list[BlocklistEntry]:
    """What the export holds: active entries, in a stable order."""
    return list(session.scalars(select(BlocklistEntry).where(BlocklistEntry.blocklist_id == blocklist.id,
                                                             BlocklistEntry.state == LIVE)
                                .order_by(BlocklistEntry.type, BlocklistEntry.value)))


def _say(entry: BlocklistEntry, clock: Clock, actor: Actor, kind: str, text: str) -> None:
    entry.exchange = [*entry.exchange, {"at": clock.now().isoformat(), "by": actor.ref, "org_id": actor.org_id,
                                        "kind": kind, "text": text}]


def end_entry(session: Session, clock: Clock, actor: Actor, blocklist: Blocklist, entry: BlocklistEntry, state: str,
         why: str) -> None:
    was_live = entry.state == LIVE
    entry.state, entry.ended_at = state, clock.now()
    serial = publish(session, clock, blocklist, f"{state} {entry.value}") if was_live else blocklist.serial
    verb = "delist" if state == "delisted" else "expire"
    record(session, clock, actor, Event(f"blocklists:entry:{verb}"), subject=entry.id,
           payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                    "overseer_id": blocklist.overseer_id, "value": entry.value, "reason": why, "serial": serial},
           org_id=blocklist.authority_id)


def delist(session: Session, clock: Clock, principal: Principal, blocklist_id: str, entry_id: str,
           reason: str = "delisted by the authority") -> BlocklistEntry:
    """The authority takes an entry off; the export changes at once (a new serial)."""
    blocklist = own_list(session, principal, blocklist_id)
    entry = get_entry(session, principal, blocklist_id, entry_id)
    if entry.state in ENDED:
        raise Conflict(f"the entry is already {entry.state}")
    end_entry(session, clock, principal.actor, blocklist, entry, "delisted", reason)
    return entry


def review(session: Session, clock: Clock, principal: Principal, blocklist_id: str, entry_id: str,
           note: str = "") -> BlocklistEntry:
    """The overseer's prior review: a proposed entry goes live."""
    blocklist = overseen_list(session, principal, blocklist_id)
    entry = get_entry(session, principal, blocklist_id, entry_id)
    if entry.state != "proposed":
        raise Conflict(f"only a proposed entry is reviewed; this one is {entry.state}")
    entry.state, entry.reviewed_at = LIVE, clock.now()
    _say(entry, clock, principal.actor, "review", note.strip() or "reviewed")
    serial = publish(session, clock, blocklist, f"add {entry.value}")
    record(session, clock, principal.actor, Event.BLOCKLISTS_ENTRY_REVIEW, subject=entry.id,
           payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                    "overseer_id": principal.org_id, "serial": serial})
    return entry


def object_to(session: Session, clock: Clock, principal: Principal, blocklist_id: str, entry_id: str,
              text: str) -> BlocklistEntry:
    """The overseer objects: the entry is suspended (off the export) until the authority answers."""
    blocklist = overseen_list(session, principal, blocklist_id)
    entry = get_entry(session, principal, blocklist_id, entry_id)
    if entry.state not in ("proposed", LIVE):
        raise Conflict(f"an objection is to a proposed or active entry; this one is {entry.state}")
    if not text.strip():
        raise InvalidInput("an objection says why", field="text")
    was_live = entry.state == LIVE
    entry.suspended_from, entry.state = entry.state, "suspended"
    _say(entry, clock, principal.actor, "objection", text.strip())
    serial = publish(session, clock, blocklist, f"suspend {entry.value}") if was_live else blocklist.serial
    record(session, clock, principal.actor, Event.BLOCKLISTS_ENTRY_OBJECT, subject=entry.id,
           payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                    "overseer_id": principal.org_id, "serial": serial})
    return entry


def answer_objection(session: Session, clock: Clock, principal: Principal, blocklist_id: str, entry_id: str, *,
                     decision: str, text: str) -> BlocklistEntry:
    """The authority answers with reasons: ``maintain`` restores the entry, ``delist`` takes it off."""
    blocklist = own_list(session, principal, blocklist_id)
    entry = get_entry(session, principal, blocklist_id, entry_id)
    if entry.state != "suspended":
        raise Conflict("only a suspended entry awaits an answer")
    if decision not in ("maintain", "delist") or not text.strip():
        raise InvalidInput("answer with decision maintain or delist, and the reasons", field="decision")
    _say(entry, clock, principal.actor, "answer", f"{decision}: {text.strip()}")
    if decision == "delist":
        end_entry(session, clock, principal.actor, blocklist, entry, "delisted", text.strip())
    else:
        entry.state = entry.suspended_from or "proposed"
        if entry.state == LIVE:
            publish(session, clock, blocklist, f"restore {entry.value}")
    entry.suspended_from = None
    record(session, clock, principal.actor, Event.BLOCKLISTS_ENTRY_ANSWER, subject=entry.id,
           payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                    "overseer_id": blocklist.overseer_id, "decision": decision, "serial": blocklist.serial})
    return entry


def reexamine(session: Session, clock: Clock, principal: Principal, blocklist_id: str, entry_id: str,
              note: str) -> BlocklistEntry:
    """The periodic re-examination (France: every three months): the authority confirms the entry is still
    needed, and the next one falls due an interval later."""
    blocklist = own_list(session, principal, blocklist_id)
    entry = get_entry(session, principal, blocklist_id, entry_id)
    if entry.state in ENDED:
        raise Conflict(f"the entry is {entry.state}")
    if not note.strip():
        raise InvalidInput("a re-examination records what was checked", field="note")
    _say(entry, clock, principal.actor, "reexamination", note.strip())
    entry.next_reexamination_at = clock.now() + timedelta(days=blocklist.reexamine_days)
    entry.reminded_at = None
    record(session, clock, principal.actor, Event.BLOCKLISTS_ENTRY_REEXAMINE, subject=entry.id,
           payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                    "overseer_id": blocklist.overseer_id,
                    "next_reexamination_at": entry.next_reexamination_at.isoformat()})
    return entry


def named(session: Session, name: str, org_id: str | None = None) -> Blocklist:
    """A list by id or name for the operator at the command line; ``org_id`` settles two lists of one name."""
    query = select(Blocklist).where(or_(Blocklist.id == name, Blocklist.name == name))
    if org_id:
        query = query.where(or_(Blocklist.authority_id == org_id, Blocklist.overseer_id == org_id))
    found = list(session.scalars(query))
    if not found:
        raise NotFound(f"no blocking list {name!r}")
    if len(found) > 1:
        raise InvalidInput(f"several authorities have a list {name!r}: name one with --org", field="org")
    return found[0]
