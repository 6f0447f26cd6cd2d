"""What the worker knows how to do: job handlers by kind, and periodic duties.

Domain packages declare their handlers with ``handler("kind")`` and their periodic duties with
``periodic(name, seconds)`` in their ``jobs.py``; ``load_all()`` imports those modules (the worker calls it
once at start, never at import time of this module).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.settings import Settings


@dataclass(frozen=True)
class JobContext:
    session: Session
    clock: Clock
    settings: Settings
    job_id: str


Handler = Callable[[JobContext, dict[str, Any]], None]
Duty = Callable[[JobContext], int]

HANDLERS: dict[str, Handler] = {}
DUTIES: dict[str, tuple[float, Duty]] = {}

# Modules that declare handlers or duties; each issue adds its own here.
JOB_MODULES: list[str] = [
    "accord.jobs.webhooks",
    "accord.notices.jobs",
    "accord.notices.liveness_jobs",
    "accord.matching.jobs",
    "accord.rights.jobs",
    "accord.mail",
    "accord.transparency.jobs",
    "accord.evidence.jobs",
]


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def periodic(name: str, every_seconds: float) -> Callable[[Duty], Duty]:
    """A duty run by the worker every ``every_seconds``; it returns how many things it handled."""

    def register(func: Duty) -> Duty:
        DUTIES[name] = (every_seconds, func)
        return func

    return register


def load_all() -> None:
    for module in JOB_MODULES:
        importlib.import_module(module)
