"""Preservation of removed content and related data (TCO Art. 6).

Removed content is kept six months, encrypted with a key derived from ``settings.preservation_key``, so that it
can be restored after a complaint or a review. A court or authority may ask for longer (a legal hold). The data
may only serve review, complaints or the prevention, detection, investigation and prosecution of terrorist
offences, so every read names its purpose and leaves an audit event; a read without purpose is refused.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.db import get_owned, new_id
from accord.errors import Conflict, InvalidInput, PermissionDenied
from accord.rights.models import PreservationKey, PreservedItem
from accord.settings import Settings

RETENTION_MONTHS: Final = 6
# TCO Art. 6(1): review and complaints, and the prevention, detection, investigation or prosecution of
# terrorist offences; reinstatement is the restore a reversal or a scrutiny finding requires.
PURPOSES: Final = ("complaint", "review", "scrutiny", "investigation", "reinstatement")


@dataclass(frozen=True)
class Preserved:
    """A decrypted preserved item, handed out for one stated purpose."""

    item: PreservedItem
    content: bytes
    metadata: dict[str, Any]


def _fernet(settings: Settings) -> Fernet:
    """The key of items stored before the first rotation (``key_id`` NULL): derived from the secret itself."""
    key = hashlib.sha256(b"accord-preservation:" + settings.preservation_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _wrapping(settings: Settings) -> Fernet:
    """Encrypts the preservation keys themselves, under the instance's secret."""
    key = hashlib.sha256(b"accord-preservation-keys:" + settings.preservation_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _active_key(session: Session) -> PreservationKey | None:
    return session.scalar(select(PreservationKey).where(PreservationKey.retired_at.is_(None))
                          .order_by(PreservationKey.created_at.desc(), PreservationKey.id).limit(1))


def _fernet_of(session: Session, settings: Settings, key_id: str | None) -> Fernet:
    if key_id is None:
        return _fernet(settings)
    key = session.get_one(PreservationKey, key_id)
    try:
        return Fernet(_wrapping(settings).decrypt(key.key_encrypted.encode()))
    except InvalidToken:
        raise Conflict("a preservation key cannot be decrypted: ACCORD_PRESERVATION_KEY is not the one it was "
                       "stored with", field="preservation_key") from None


def rotate_key(session: Session, clock: Clock, settings: Settings, actor: Actor) -> PreservationKey:
    """A new key encrypts what is preserved from now on; the old one is retired and still decrypts what it
    encrypted (``reencrypt`` moves those items to the new key)."""
    now = clock.now()
    old = _active_key(session)
    if old is not None:
        old.retired_at = now
    key = PreservationKey(id=new_id("pkey"), key_encrypted=_wrapping(settings).encrypt(Fernet.generate_key()).decode(),
                          created_at=now)
    session.add(key)
    session.flush()
    record(session, clock, actor, Event.RIGHTS_PRESERVATION_KEY_ROTATE, subject=key.id,
           payload={"retired_key_id": old.id if old is not None else None,
                    "items_under_older_keys": _count_not_under(session, key.id)})
    return key


def _not_under(key_id: str) -> Any:
    return select(PreservedItem).where(PreservedItem.content_encrypted.is_not(None),
                                       or_(PreservedItem.key_id.is_(None), PreservedItem.key_id != key_id))


def _count_not_under(session: Session, key_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(_not_under(key_id).subquery())) or 0)


def reencrypt(session: Session, clock: Clock, settings: Settings, actor: Actor, *, limit: int = 500) -> int:
    """Move up to ``limit`` items still under an older key to the active key; returns how many moved. The
    worker runs it (job ``rights.reencrypt_preserved``) after ``accord keys rotate --kind preservation
    --reencrypt``; the plaintext never leaves this function."""
    active = _active_key(session)
    if active is None:
        return 0
    target = _fernet_of(session, settings, active.id)
    items = session.scalars(_not_under(active.id).order_by(PreservedItem.id).limit(limit)).all()
    for item in items:
        assert item.content_encrypted is not None and item.metadata_encrypted is not None
        source = _fernet_of(session, settings, item.key_id)
        item.content_encrypted = target.encrypt(source.decrypt(item.content_encrypted))
        item.metadata_encrypted = target.encrypt(source.decrypt(item.metadata_encrypted))
        item.key_id = active.id
    if items:
        record(session, clock, actor, Event.RIGHTS_PRESERVATION_REENCRYPT, subject=active.id,
               payload={"items": len(items), "remaining": _count_not_under(session, active.id)})
    return len(items)


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def expires_at(item: PreservedItem) -> datetime:
    """When the item may be purged: six months after storing, or the end of a longer legal hold."""
    until = as_utc(item.retain_until)
    return max(until, as_utc(item.hold_until)) if item.hold_until is not None else until


def preserve(
    session: Session, clock: Clock, settings: Settings, actor: Actor, *, provider_id: str, decision_id: str,
    content: bytes, metadata: Mapping[str, Any],
) -> PreservedItem:
    """Keep removed content and its data, encrypted, for six months (TCO Art. 6(2))."""
    active, now = _active_key(session), clock.now()
    key_id = active.id if active is not None else None
    fernet = _fernet_of(session, settings, key_id)
    item = PreservedItem(
        id=new_id("prv"), provider_id=provider_id, decision_id=decision_id, key_id=key_id,
        content_encrypted=fernet.encrypt(content),
        metadata_encrypted=fernet.encrypt(json.dumps(dict(metadata), default=str).encode()),
        size=len(content), stored_at=now, retain_until=add_months(now, RETENTION_MONTHS),
    )
    session.add(item)
    session.flush()
    _audit(session, clock, actor, Event.RIGHTS_PRESERVATION_STORE, item, purpose="preservation")
    return item


def get_item(session: Session, *, provider_id: str, item_id: str) -> PreservedItem:
    """The provider's own item; another provider's is ``NotFound``."""
    return get_owned(session, PreservedItem, item_id, provider_id, what="preserved item", by="provider_id")


def list_items(session: Session, *, provider_id: str, include_purged: bool = False) -> list[PreservedItem]:
    """The provider's preserved items, soonest to expire first."""
    query = select(PreservedItem).where(PreservedItem.provider_id == provider_id)
    if not include_purged:
        query = query.where(PreservedItem.purged_at.is_(None))
    return list(session.scalars(query.order_by(PreservedItem.retain_until, PreservedItem.id)))


def access(
    session: Session, clock: Clock, settings: Settings, actor: Actor, *, provider_id: str, item_id: str,
    purpose: str | None, note: str = "",
) -> Preserved:
    """Decrypt an item for one stated purpose; the read is logged, and refused without a purpose."""
    item = get_item(session, provider_id=provider_id, item_id=item_id)
    if not purpose or purpose not in PURPOSES:
        raise PermissionDenied(f"state the purpose of this access: one of {', '.join(PURPOSES)} (TCO Art. 6)")
    if item.purged_at is not None or item.content_encrypted is None or item.metadata_encrypted is None:
        raise Conflict("this item was purged when its retention ended", field="item_id")
    fernet = _fernet_of(session, settings, item.key_id)
    content = fernet.decrypt(item.content_encrypted)
    metadata = json.loads(fernet.decrypt(item.metadata_encrypted))
    _audit(session, clock, actor, Event.RIGHTS_PRESERVATION_ACCESS, item, purpose=purpose, note=note)
    return Preserved(item, content, metadata)


def extend_hold(
    session: Session, clock: Clock, actor: Actor, *, provider_id: str, item_id: str, until: datetime,
    requested_by: str,
) -> PreservedItem:
    """A court or authority asks to keep the item longer (TCO Art. 6(2), second subparagraph)."""
    item = get_item(session, provider_id=provider_id, item_id=item_id)
    if item.purged_at is not None:
        raise Conflict("this item was purged already", field="item_id")
    if not requested_by.strip():
        raise InvalidInput("name the court or authority that requested the hold", field="requested_by")
    if as_utc(until) <= expires_at(item):
        raise InvalidInput("a legal hold must end after the current retention", field="until")
    item.hold_until, item.hold_reason = as_utc(until), requested_by.strip()
    session.flush()
    _audit(session, clock, actor, Event.RIGHTS_PRESERVATION_HOLD, item, purpose="legal_hold",
           requested_by=item.hold_reason)
    return item


def purge_expired(session: Session, clock: Clock, actor: Actor) -> int:
    """Erase every item whose retention and hold have ended, and record each purge."""
    now = clock.now()
    query = select(PreservedItem).where(
        PreservedItem.purged_at.is_(None), PreservedItem.retain_until <= now,
        or_(PreservedItem.hold_until.is_(None), PreservedItem.hold_until <= now),
    )
    items = list(session.scalars(query))
    for item in items:
        item.content_encrypted = item.metadata_encrypted = None
        item.purged_at = now
        _audit(session, clock, actor, Event.RIGHTS_PRESERVATION_PURGE, item, purpose="retention_ended")
    session.flush()
    return len(items)


def item_for_decision(session: Session, *, provider_id: str, decision_id: str) -> PreservedItem | None:
    """The newest unpurged item preserved for a decision, if any."""
    query = select(PreservedItem).where(
        PreservedItem.provider_id == provider_id, PreservedItem.decision_id == decision_id,
        PreservedItem.purged_at.is_(None),
    ).order_by(PreservedItem.stored_at.desc()).limit(1)
    return session.scalar(query)


def count_held(session: Session, *, provider_id: str) -> int:
    """How many unpurged items the provider keeps."""
    query = select(func.count()).select_from(PreservedItem).where(
        PreservedItem.provider_id == provider_id, PreservedItem.purged_at.is_(None))
    return int(session.scalar(query) or 0)


def days_left(item: PreservedItem, now: datetime) -> int:
    """Whole days until the item may be purged (0 when due)."""
    return max(0, (expires_at(item) - now) // timedelta(days=1))


def _audit(session: Session, clock: Clock, actor: Actor, event: Event, item: PreservedItem, *,
           purpose: str, **extra: Any) -> None:
    payload = {"provider_id": item.provider_id, "decision_id": item.decision_id, "purpose": purpose,
               "until": expires_at(item).isoformat(), **extra}
    record(session, clock, actor, event, subject=item.id, org_id=item.provider_id,
           payload=payload)
