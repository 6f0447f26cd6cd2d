"""Hosted matching's books: a daily quota per key, and every lookup counted for the bank owners' audit.

Members who cannot hold the lists send their uploads' hashes to a matcher instead. The instance then owes the
banks' owners an account of who looked up against their lists, and owes everyone a bound on what one key may
do. Writing a row per lookup would put a database write on every miss (issue 24 forbids it: a miss writes
nothing in its request), so a matcher process counts in memory, per key, bank and minute, and writes the counts
every ``lookup_audit_flush_seconds`` in one transaction (``flush``, run off the request path). A count lost to a
killed process is at most that interval's.

The quota (``match_quota_per_key_per_day``, lookups per UTC day, each item of a batch one lookup) is checked
against what every process had written at this process's last flush plus what this process counted since: with
N processes a key may overshoot by what the others counted in one flush interval.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.banks.service import visible_banks
from accord.clock import Clock
from accord.errors import QuotaExceeded
from accord.matching.models import LookupCount

Slot = tuple[datetime, str, str, str | None]  # minute, key, organisation, bank (None: the key's total)


@dataclass(frozen=True, slots=True)
class Usage:
    """A key's lookups today, and its quota (0: none)."""

    used: int
    quota: int


def _day_start(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


class LookupLedger:
    """One process's lookup counts, waiting to be written, and the keys' usage of the day."""

    def __init__(self, clock: Clock, *, quota_per_day: int, flush_seconds: int) -> None:
        self.clock = clock
        self.quota_per_day = quota_per_day
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._pending: defaultdict[Slot, list[int]] = defaultdict(lambda: [0, 0])
        self._written_today: dict[str, int] = {}  # per key, every process's rows at the last flush
        self._counted: defaultdict[str, int] = defaultdict(int)  # per key, counted here since the last flush
        self._day = _day_start(clock.now())
        self._last_flush = clock.now()
        self.flushing = threading.Lock()  # one flush at a time

    def _roll_day(self, now: datetime) -> None:
        if _day_start(now) != self._day:
            self._day, self._written_today, self._counted = _day_start(now), {}, defaultdict(int)

    def usage(self, key_ref: str) -> Usage:
        """What ``key_ref`` has used today, as this process knows it."""
        with self._lock:
            self._roll_day(self.clock.now())
            return Usage(self._written_today.get(key_ref, 0) + self._counted[key_ref], self.quota_per_day)

    def admit(self, key_ref: str, lookups: int) -> None:
        """Refuse (``QuotaExceeded``) lookups past the key's quota of the day; counts nothing."""
        if self.quota_per_day <= 0:
            return
        used = self.usage(key_ref).used
        if used + lookups > self.quota_per_day:
            now = self.clock.now()
            retry_after = max(1, int((_day_start(now) + timedelta(days=1) - now).total_seconds()))
            raise QuotaExceeded(f"this key has made {used} of its {self.quota_per_day} lookups today "
                                f"(UTC); {lookups} more would pass the quota", retry_after=retry_after)

    def count(self, key_ref: str, org_id: str, lookups: int, hit_banks: Sequence[str]) -> None:
        """Count ``lookups`` by a key and the banks they matched (one bank id per hit), in memory only."""
        now = self.clock.now()
        minute = now.replace(second=0, microsecond=0)
        with self._lock:
            self._roll_day(now)
            self._pending[(minute, key_ref, org_id, None)][0] += lookups
            for bank_id in hit_banks:
                self._pending[(minute, key_ref, org_id, bank_id)][1] += 1
            self._counted[key_ref] += lookups

    def due(self) -> bool:
        """Whether the counts have waited ``flush_seconds`` (the caller then flushes, off the request path)."""
        return self.clock.now() - self._last_flush >= timedelta(seconds=self.flush_seconds)

    def flush(self, session: Session) -> int:
        """Write the counts waiting (one row per key and minute, and per bank it searched), then read every
        process's totals of the day per key. The caller commits. Answers how many rows were written."""
        with self._lock:
            pending, self._pending = self._pending, defaultdict(lambda: [0, 0])
            counted, self._counted = self._counted, defaultdict(int)
            self._last_flush = self.clock.now()
        rows = _rows(session, pending)
        session.add_all(rows)
        session.flush()
        totals = dict(session.execute(
            select(LookupCount.key_ref, func.sum(LookupCount.lookups))
            .where(LookupCount.bank_id.is_(None), LookupCount.minute >= self._day,
                   LookupCount.key_ref.in_(sorted({*counted, *self._written_today})))
            .group_by(LookupCount.key_ref)
        ).all())
        with self._lock:
            self._written_today = {str(key): int(total) for key, total in totals.items()}
        return len(rows)


def _rows(session: Session, pending: dict[Slot, list[int]]) -> list[LookupCount]:
    """A key's totals, and for every bank its organisation could search, the lookups that searched it and the
    hits it gave: what the bank's owner reads."""
    visible: dict[str, list[str]] = {}
    rows = []
    for (minute, key_ref, org_id, bank_id), (lookups, _) in pending.items():
        if bank_id is not None:
            continue
        if org_id not in visible:
            visible[org_id] = [bank.id for bank in visible_banks(session, org_id)]
        rows.append(LookupCount(bank_id=None, org_id=org_id, key_ref=key_ref, minute=minute, lookups=lookups, hits=0))
        for searched in visible[org_id]:
            found = pending.get((minute, key_ref, org_id, searched), [0, 0])[1]
            rows.append(LookupCount(bank_id=searched, org_id=org_id, key_ref=key_ref, minute=minute,
                                    lookups=lookups, hits=found))
    return rows


def lookups_of_bank(session: Session, bank_id: str, *, since: datetime) -> list[tuple[str, str, int, int]]:
    """For a bank's owner: per organisation and key, the lookups that searched the bank and its hits since
    ``since``, most lookups first."""
    rows = session.execute(
        select(LookupCount.org_id, LookupCount.key_ref, func.sum(LookupCount.lookups), func.sum(LookupCount.hits))
        .where(LookupCount.bank_id == bank_id, LookupCount.minute >= since)
        .group_by(LookupCount.org_id, LookupCount.key_ref)
    ).all()
    return sorted(((str(org), str(key), int(n), int(h)) for org, key, n, h in rows),
                  key=lambda r: (-r[2], r[0], r[1]))
