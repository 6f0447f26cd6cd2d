"""Appeals from site owners through the public form, the authority's reasoned answer, and public figures.

A site owner finds the list from the stop page (or the published list) and contests an entry; the authority
answers within ``blocklist_appeal_answer_days``; a delisting reaches the export at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.blocklists import operators
from accord.blocklists.models import Blocklist, BlocklistAppeal, BlocklistEntry
from accord.blocklists.service import ENDED, delist, get_list, own_list
from accord.clock import Clock
from accord.db import new_id
from accord.errors import Conflict, InvalidInput, NotFound, RateLimited
from accord.identity.service import Principal
from accord.settings import Settings

PUBLIC = Actor("public:appeal", None)


@dataclass(frozen=True)
class Figures:
    """What the public may know of a list: entries by state, appeals and outcomes, operator compliance."""

    blocklist_id: str
    name: str
    kind: str
    serial: int
    entries_added: int
    active: int
    proposed: int
    suspended: int
    expired: int
    delisted: int
    appeals: int
    appeals_open: int
    appeals_delisted: int
    appeals_maintained: int
    operators: int
    operators_current: int
    operators_late: int


def public_list(session: Session, blocklist_id: str) -> Blocklist:
    found = session.get(Blocklist, blocklist_id)
    if found is None:
        raise NotFound("no such blocking list")
    return found


def _contested(session: Session, blocklist: Blocklist, value: str) -> BlocklistEntry:
    wanted = value.strip().rstrip(".").lower()
    found = session.scalar(select(BlocklistEntry).where(BlocklistEntry.blocklist_id == blocklist.id,
                                                        func.lower(BlocklistEntry.value) == wanted,
                                                        BlocklistEntry.state.not_in(ENDED)))
    if found is None:
        raise InvalidInput(f"{value!r} is not on this list", field="value")
    return found


def _flood_limit(session: Session, settings: Settings, blocklist: Blocklist, since: datetime) -> None:
    """The public form cannot bury an authority: at most ``public_rate_limit_per_minute`` appeals a minute per list."""
    recent = session.scalar(select(func.count()).select_from(BlocklistAppeal)
                            .where(BlocklistAppeal.blocklist_id == blocklist.id, BlocklistAppeal.filed_at > since))
    if (recent or 0) >= settings.public_rate_limit_per_minute:
        raise RateLimited("too many appeals against this list in the last minute; try again shortly")


def file_appeal(session: Session, clock: Clock, settings: Settings, blocklist_id: str, *, value: str,
                statement: str, contact: str) -> BlocklistAppeal:
    """A site owner contests the entry for ``value`` (a domain, URL or address on the list)."""
    blocklist = public_list(session, blocklist_id)
    if not statement.strip() or "@" not in contact:
        raise InvalidInput("say why the entry is wrong and give an e-mail address for the answer",
                           field="statement" if not statement.strip() else "contact")
    entry = _contested(session, blocklist, value)
    now = clock.now()
    _flood_limit(session, settings, blocklist, now - timedelta(minutes=1))
    appeal = BlocklistAppeal(id=new_id("bla"), blocklist_id=blocklist.id, entry_id=entry.id,
                             statement=statement.strip()[:5000], contact=contact.strip()[:320], filed_at=now,
                             due_at=now + timedelta(days=settings.blocklist_appeal_answer_days), outcome=None,
                             reasons=None, answered_at=None, reminded_at=None)
    session.add(appeal)
    record(session, clock, PUBLIC, Event.BLOCKLISTS_APPEAL_FILE, subject=appeal.id, org_id=blocklist.authority_id,
           payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                    "overseer_id": blocklist.overseer_id, "entry_id": entry.id, "due_at": appeal.due_at.isoformat()})
    return appeal


def list_appeals(session: Session, principal: Principal, blocklist_id: str) -> list[BlocklistAppeal]:
    """The appeals against the list's entries, for its authority and overseer."""
    blocklist = get_list(session, principal, blocklist_id)
    if principal.org_id not in (blocklist.authority_id, blocklist.overseer_id):
        raise NotFound("no appeals visible to this organisation")
    return list(session.scalars(select(BlocklistAppeal).where(BlocklistAppeal.blocklist_id == blocklist.id)
                                .order_by(BlocklistAppeal.filed_at)))


def answer_appeal(session: Session, clock: Clock, principal: Principal, blocklist_id: str, appeal_id: str, *,
                  outcome: str, reasons: str) -> BlocklistAppeal:
    """The authority answers with reasons; ``delisted`` takes the entry off the export at once."""
    blocklist = own_list(session, principal, blocklist_id)
    appeal = session.get(BlocklistAppeal, appeal_id)
    if appeal is None or appeal.blocklist_id != blocklist.id:
        raise NotFound("no such appeal on this list")
    if appeal.outcome is not None:
        raise Conflict("the appeal is already answered")
    if outcome not in ("maintained", "delisted") or not reasons.strip():
        raise InvalidInput("answer with outcome maintained or delisted, and the reasons", field="outcome")
    appeal.outcome, appeal.reasons, appeal.answered_at = outcome, reasons.strip(), clock.now()
    entry = session.get(BlocklistEntry, appeal.entry_id)
    if outcome == "delisted" and entry is not None and entry.state not in ENDED:
        delist(session, clock, principal, blocklist.id, entry.id, reason=f"appeal {appeal.id}: {reasons.strip()}")
    record(session, clock, principal.actor, Event.BLOCKLISTS_APPEAL_ANSWER, subject=appeal.id,
           payload={"blocklist_id": blocklist.id, "authority_id": blocklist.authority_id,
                    "overseer_id": blocklist.overseer_id, "outcome": outcome, "late": clock.now() > appeal.due_at})
    return appeal



def figures(session: Session, clock: Clock, blocklist_id: str) -> Figures:
    """Public figures of one list (its transparency section)."""
    blocklist = public_list(session, blocklist_id)
    states: dict[str, int] = {str(state): int(n) for state, n in session.execute(
        select(BlocklistEntry.state, func.count()).where(BlocklistEntry.blocklist_id == blocklist.id)
        .group_by(BlocklistEntry.state))}
    outcomes: dict[str | None, int] = {outcome: int(n) for outcome, n in session.execute(
        select(BlocklistAppeal.outcome, func.count()).where(BlocklistAppeal.blocklist_id == blocklist.id)
        .group_by(BlocklistAppeal.outcome))}
    rows = operators.compliance(session, clock, blocklist)
    return Figures(
        blocklist.id, blocklist.name, blocklist.kind, blocklist.serial, sum(states.values()),
        states.get("active", 0), states.get("proposed", 0), states.get("suspended", 0), states.get("expired", 0),
        states.get("delisted", 0), sum(outcomes.values()), outcomes.get(None, 0), outcomes.get("delisted", 0),
        outcomes.get("maintained", 0), len(rows), sum(r.status == "current" for r in rows),
        sum(r.status == "late" for r in rows))
