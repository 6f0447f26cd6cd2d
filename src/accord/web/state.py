"""What one running app holds: settings, engine, session factory, clock, notice intake, metrics and templates,
and what it opens on first use (the key cache, the matcher, the recorder of hits). Built in ``create_app``."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import Clock
from accord.matching.ledger import LookupLedger
from accord.matching.recording import GroupRecorder
from accord.matching.replicas import ReloadSchedule
from accord.matching.service import Matcher
from accord.notices.intake import GroupIntake
from accord.settings import Settings
from accord.web.keycache import KeyCache
from accord.web.observability import Metrics


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    clock: Clock
    templates: Jinja2Templates
    intake: GroupIntake = field(init=False)  # the process's notice intake (group commit), on this factory
    metrics: Metrics = field(init=False)  # this app's Prometheus registry (``/metrics``)
    key_cache: KeyCache | None = None  # made on first use (``deps.key_cache``)
    matcher: Matcher | None = None  # opened from the snapshot directory on first use (``api.matching``)
    match_recorder: GroupRecorder | None = None  # the group writer of hits, made on first use
    # Draws each drill's moment inside its window (accord.readiness); a test puts a seeded random.Random here.
    rng: random.Random = field(default_factory=random.SystemRandom)
    lookup_ledger: LookupLedger = field(init=False)  # lookups counted per key, bank and minute; daily quotas
    lookup_flush: threading.Thread | None = None  # the ledger's last flush, running or done
    reload_schedule: ReloadSchedule = field(init=False)  # when this replica moves to a newer snapshot
    matcher_reload: threading.Thread | None = None  # the last reload, running or done

    def __post_init__(self) -> None:
        self.intake = GroupIntake(self.factory, self.clock, self.settings)
        self.lookup_ledger = LookupLedger(self.clock, quota_per_day=self.settings.match_quota_per_key_per_day,
                                          flush_seconds=self.settings.lookup_audit_flush_seconds)
        self.reload_schedule = ReloadSchedule(self.clock, self.settings.index_snapshot_dir,
                                              spread_seconds=self.settings.matcher_reload_spread_seconds)
        self.metrics = Metrics(self.factory, self.clock, self.intake)
