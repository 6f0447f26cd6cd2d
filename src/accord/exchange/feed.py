"""The incremental feed of shared entries: ``GET /v1/exchange/feed?cursor=``.

The cursor is a position in ``bank_changes``. A page lists, for every entry of a positive bank the caller may
use that changed past the cursor, its current form: ``upsert`` while it is active, ``remove`` once it was
disabled, rejected or withdrawn (with its signal type and value, so python-threatexchange clients, which key
signals by value, can drop it). Quarantined entries are not shared until their owner confirms them; negative
banks (a provider's own exemptions) are never shared.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.banks.models import Bank, BankChange, BankEntry, BankKind, EntryState
from accord.banks.service import visible_banks
from accord.identity.models import Organisation

MAX_PAGE = 1000
FORMAT = "accord-feed/1"


def build_page(session: Session, org_id: str, *, cursor: int, limit: int, public_key: str) -> dict[str, Any]:
    """One page of the feed as ``org_id`` sees it, starting after ``cursor``."""
    limit = min(max(limit, 1), MAX_PAGE)
    banks = {b.id: b for b in visible_banks(session, org_id) if b.kind == BankKind.POSITIVE}
    rows = session.execute(
        select(BankChange.seq, BankChange.entry_id).where(BankChange.seq > cursor)
        .order_by(BankChange.seq).limit(limit)
    ).all()
    latest = {row.entry_id: row.seq for row in rows}
    entries = _entries(session, list(latest), banks)
    owners = _owner_names(session, {b.org_id for b in banks.values()})
    items = [_item(seq, entries[entry_id], banks, owners) for entry_id, seq in sorted(latest.items(),
             key=lambda pair: pair[1]) if entry_id in entries]
    return {"format": FORMAT, "public_key": public_key, "cursor": rows[-1].seq if rows else cursor,
            "more": len(rows) == limit, "items": items}


def _entries(session: Session, entry_ids: list[int], banks: dict[str, Bank]) -> dict[int, BankEntry]:
    found: dict[int, BankEntry] = {}
    for start in range(0, len(entry_ids), 900):
        query = select(BankEntry).where(BankEntry.id.in_(entry_ids[start : start + 900]),
                                        BankEntry.bank_id.in_(list(banks)))
        found.update({entry.id: entry for entry in session.scalars(query)})
    return found


def _owner_names(session: Session, org_ids: set[str]) -> dict[str, str]:
    rows = session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(org_ids))))
    return {org_id: name for org_id, name in rows}


def _item(seq: int, entry: BankEntry, banks: dict[str, Bank], owners: dict[str, str]) -> dict[str, Any]:
    bank = banks[entry.bank_id]
    if entry.state != EntryState.ACTIVE:
        return {"seq": seq, "op": "remove", "entry": {"id": entry.id, "bank": bank.name,
                                                      "signal_type": entry.signal_type, "value": entry.value}}
    return {"seq": seq, "op": "upsert", "entry": {
        "id": entry.id, "bank": bank.name, "owner": owners.get(bank.org_id, ""), "signal_type": entry.signal_type,
        "value": entry.value, "variants": entry.variants, "labels": entry.labels,
        "incident_tags": entry.incident_tags, "entity": entry.entity, "list_source": entry.list_source,
        "metadata": entry.metadata_, "updated_at": entry.updated_at.isoformat(),
    }}
