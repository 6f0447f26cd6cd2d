"""Matcher replicas move to a newer index snapshot one at a time, never together.

The worker writes a snapshot every few minutes (``matching:snapshot``); a replica that has been following the
change log for a while holds every change since its own snapshot in memory (the PDQ index's recent level), so
it reloads from the newer snapshot now and then. Adopters of HMA run ten pods that all rebuild their index at the
same moment and stop answering together; here a replica that notices a newer snapshot picks a moment at random
within ``matcher_reload_spread_seconds`` (its own random draw: replicas started together still spread out), and
at that moment reloads only if it takes the host's reload lock (``reload.lock`` in the snapshot folder, an
advisory ``flock``), which no other replica on the host holds; failing that it draws a new moment. The reload
itself runs beside the lookups (the old matcher answers until the new one has caught up with the change log),
so even a replica that reloads keeps answering.
"""

from __future__ import annotations

import fcntl
import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from accord.clock import Clock

CURRENT = "CURRENT"
LOCK_FILE = "reload.lock"
CHECK_EVERY = timedelta(seconds=5)  # how often a replica looks at CURRENT (a lookup pays one stat at most)


@dataclass
class Lease:
    """The host's reload lock, held while one replica reloads."""

    fd: int

    def release(self) -> None:
        """Let the next replica reload."""
        if self.fd >= 0:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = -1


class ReloadSchedule:
    """When this replica reloads a newer snapshot than the one it runs on."""

    def __init__(self, clock: Clock, snapshot_dir: Path, *, spread_seconds: float,
                 rng: random.Random | None = None) -> None:
        self.clock = clock
        self.snapshot_dir = snapshot_dir
        self.spread = timedelta(seconds=spread_seconds)
        self.rng = rng or random.Random()  # noqa: S311  # spreading reloads, not a secret
        self.planned_at: datetime | None = None
        self._checked_at: datetime | None = None

    def newest(self) -> str | None:
        """The snapshot ``CURRENT`` names, if any."""
        try:
            return (self.snapshot_dir / CURRENT).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def _draw(self, now: datetime) -> datetime:
        return now + self.spread * self.rng.random()

    def notice(self, running: str | None) -> datetime | None:
        """Look (at most every few seconds) for a snapshot newer than ``running``; plan a reload at a random
        moment within the spread when there is one. Answers the moment planned, if any."""
        now = self.clock.now()
        if self.planned_at is None and (self._checked_at is None or now - self._checked_at >= CHECK_EVERY):
            self._checked_at = now
            newest = self.newest()
            if newest is not None and newest != running:
                self.planned_at = self._draw(now)
        return self.planned_at

    def begin(self) -> Lease | None:
        """The lease to reload now, when the planned moment has come and no other replica of the host is
        reloading; otherwise None (a refused replica draws a new moment)."""
        now = self.clock.now()
        if self.planned_at is None or now < self.planned_at:
            return None
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.snapshot_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            self.planned_at = self._draw(now)
            return None
        self.planned_at = None
        return Lease(fd)
