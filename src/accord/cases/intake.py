"""Opening or joining a case: the one entry point for notices, hash matches and reports.

Deconfliction happens here: an item about content that already has an open case at the same provider joins
that case (same normalised URL, or same content hash) instead of creating duplicate work.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases.models import Case
from accord.clock import Clock
from accord.db import TRANSACTION_CACHE, new_id


def hash_key(signal_type: str, value: str) -> str:
    return f"hash:{signal_type}:{value}"


_OPEN = TRANSACTION_CACHE + "cases.open"


@dataclass
class _OpenCases:
    """Open cases read once for a batch: ``by_key[(provider, content_key)]`` for the ``providers`` and content
    ``keys`` that were read."""

    by_key: dict[tuple[str, str], Case]
    providers: set[str]
    keys: set[str]


@contextmanager
def prefetched_cases(session: Session, providers: set[str], keys: set[str]) -> Iterator[None]:
    """While intake of a batch runs, answer ``find_open_case`` for these providers and content keys from one
    query; cases the batch opens are added as they are opened. Only intake may run inside (nothing here sees a
    case being closed)."""
    found: dict[tuple[str, str], Case] = {}
    if providers and keys:
        query = select(Case).where(Case.provider_id.in_(providers), Case.content_key.in_(keys),
                                   Case.state == "open").order_by(Case.created_at.desc())
        found = {(c.provider_id, c.content_key): c for c in session.scalars(query)}  # the oldest wins
    session.info[_OPEN] = _OpenCases(by_key=found, providers=set(providers), keys=set(keys))
    try:
        yield
    finally:
        session.info.pop(_OPEN, None)


_OPEN_CASE = (select(Case).where(Case.provider_id == bindparam("provider"),
                                 Case.content_key.in_(bindparam("keys", expanding=True)), Case.state == "open")
              .order_by(Case.created_at).limit(1))


def find_open_case(session: Session, provider_id: str, content_keys: Sequence[str]) -> Case | None:
    if not content_keys:
        return None
    known: _OpenCases | None = session.info.get(_OPEN)
    if known is not None and provider_id in known.providers and known.keys.issuperset(content_keys):
        hits = [c for k in content_keys if (c := known.by_key.get((provider_id, k))) is not None]
        return min(hits, key=lambda c: c.created_at) if hits else None
    return session.scalar(_OPEN_CASE, {"provider": provider_id, "keys": list(content_keys)})


def open_or_join(
    session: Session,
    clock: Clock,
    actor: Actor,
    *,
    provider_id: str,
    content_keys: Sequence[str],
    source: str,
    urls: Sequence[str] = (),
    signals: Sequence[dict[str, Any]] = (),
    deadline_at: datetime | None = None,
    title: str = "",
) -> tuple[Case, bool]:
    """Return the provider's open case for this content (joined) or a new one; True when new.

    ``content_keys`` are normalised URLs and/or ``hash_key`` values; the first is the case's own key.
    """
    now = clock.now()
    case = find_open_case(session, provider_id, content_keys)
    created = case is None
    if case is None:
        # Triage reads the lists before anything is flushed: give them their values now, not at INSERT.
        case = Case(id=new_id("case"), provider_id=provider_id, content_key=content_keys[0], urls=[],
                    signals=[], title=title, state="open", sources=[], labels=[], media=[], score_reasons=[],
                    created_at=now, updated_at=now)
        session.add(case)
        _remember(session, case)
    _merge(case, urls, signals, source, deadline_at, now)
    tag = Event.CASES_CASE_OPEN if created else Event.CASES_CASE_JOIN
    record(session, clock, actor, tag, subject=case.id, org_id=provider_id,
           payload={"source": source, "content_key": case.content_key})
    return case, created


def _remember(session: Session, case: Case) -> None:
    """A case opened inside ``prefetched_cases`` is found by the later items of the same batch, as the database
    would find it: by its own content key."""
    known: _OpenCases | None = session.info.get(_OPEN)
    if known is not None:
        known.by_key.setdefault((case.provider_id, case.content_key), case)


def _merge(case: Case, urls: Sequence[str], signals: Sequence[dict[str, Any]], source: str,
           deadline_at: datetime | None, now: datetime) -> None:
    case.urls = sorted({*case.urls, *urls})
    case.signals = [*case.signals, *(s for s in signals if s not in case.signals)]
    case.sources = sorted({*case.sources, source})
    if deadline_at is not None and (case.deadline_at is None or deadline_at < case.deadline_at):
        case.deadline_at = deadline_at
    case.updated_at = now
    case.triaged_at = None  # a joined item can change the priority and the queue: triage again
