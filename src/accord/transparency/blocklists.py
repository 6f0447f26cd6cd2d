"""The blocking-list section of an authority's yearly transparency report, computed from the audit trail (like
every report figure): entries added by type, delisted, expired, objections, appeals and their outcomes,
and the serials operators acknowledged."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.transparency import events as ev

ADD, DELIST, EXPIRE = Event.BLOCKLISTS_ENTRY_ADD, Event.BLOCKLISTS_ENTRY_DELIST, Event.BLOCKLISTS_ENTRY_EXPIRE
OBJECT, ANSWER = Event.BLOCKLISTS_ENTRY_OBJECT, Event.BLOCKLISTS_ENTRY_ANSWER
APPEAL_FILE, APPEAL_ANSWER = Event.BLOCKLISTS_APPEAL_FILE, Event.BLOCKLISTS_APPEAL_ANSWER
APPLY = Event.BLOCKLISTS_SERIAL_APPLY


def _total(found: list[Any]) -> int:
    return sum(int(row[-1]) for row in found)


def _by(found: list[Any]) -> dict[str, int]:
    return {str(key): int(n) for key, n in found}


def yearly(session: Session, window: tuple[Any, Any], authority_id: str) -> dict[str, Any]:
    """What the authority's blocking lists did in the year."""
    added = ev.grouped(session, ADD, window, ["type"], authority_id=authority_id)
    objections = ev.grouped(session, OBJECT, window, ["blocklist_id"], authority_id=authority_id)
    answers = ev.grouped(session, ANSWER, window, ["decision"], authority_id=authority_id)
    appeals = ev.grouped(session, APPEAL_FILE, window, ["blocklist_id"], authority_id=authority_id)
    outcomes = ev.grouped(session, APPEAL_ANSWER, window, ["outcome"], authority_id=authority_id)
    applied = ev.grouped(session, APPLY, window, ["operator_id"], authority_id=authority_id)
    return {
        "entries_added": _total(added), "entries_by_type": _by(added),
        "delisted": _total(ev.grouped(session, DELIST, window, ["blocklist_id"], authority_id=authority_id)),
        "expired": _total(ev.grouped(session, EXPIRE, window, ["blocklist_id"], authority_id=authority_id)),
        "overseer_objections": _total(objections), "objections_answered": _by(answers),
        "appeals": _total(appeals), "appeals_by_outcome": _by(outcomes),
        "operators_acknowledging": len(applied), "serials_acknowledged": _total(applied),
    }
