"""What one running app holds: settings, engine, session factory, clock, notice intake. Built in ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import Clock
from accord.notices.intake import GroupIntake
from accord.settings import Settings


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    clock: Clock
    extras: dict[str, Any] = field(default_factory=dict)
    intake: GroupIntake = field(init=False)  # the process's notice intake (group commit), on this factory

    def __post_init__(self) -> None:
        self.intake = GroupIntake(self.factory, self.clock, self.settings)
