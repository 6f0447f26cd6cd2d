"""What one running app holds: settings, engine, session factory, clock, notice intake, metrics and templates,
and what it opens on first use (the key cache, the matcher, the recorder of hits). Built in ``create_app``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import Clock
from accord.matching.recording import GroupRecorder
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

    def __post_init__(self) -> None:
        self.intake = GroupIntake(self.factory, self.clock, self.settings)
        self.metrics = Metrics(self.factory, self.clock, self.intake)
