"""``accord worker``: claims jobs one at a time, runs their handlers, and runs periodic duties."""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from accord.clock import Clock
from accord.db import unit_of_work
from accord.jobs import registry, service
from accord.jobs.models import Job
from accord.settings import Settings

log = logging.getLogger("accord.worker")


@dataclass
class Worker:
    factory: sessionmaker[Session]
    clock: Clock
    settings: Settings
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    _last_duty: dict[str, float] = field(default_factory=dict)

    def run_once(self) -> bool:
        """Claim and run one due job; False when there was none."""
        with unit_of_work(self.factory) as session:
            job = service.claim(session, self.clock, self.worker_id, self.settings.job_lease_seconds)
            job_id = job.id if job else None
        if job_id is None:
            return False
        self._run(job_id)
        return True

    def _run(self, job_id: str) -> None:
        try:
            with unit_of_work(self.factory) as session:
                job = session.get_one(Job, job_id)
                func = registry.HANDLERS.get(job.kind)
                if func is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                func(registry.JobContext(session, self.clock, self.settings, job.id), dict(job.payload))
                service.complete(session, self.clock, job)
        except Exception as exc:  # any handler failure is retried, never fatal to the worker
            log.warning("job failed", extra={"job_id": job_id, "error": repr(exc)})
            with unit_of_work(self.factory) as session:
                job = session.get_one(Job, job_id)
                detail = "".join(traceback.format_exception_only(exc)).strip()
                service.fail(session, self.clock, job, detail, self.settings.job_backoff_base_seconds)

    def run_duties(self, monotonic_now: float) -> int:
        """Run every periodic duty whose interval has passed; returns how many things they handled."""
        handled = 0
        for name, (every, duty) in registry.DUTIES.items():
            if monotonic_now - self._last_duty.get(name, float("-inf")) < every:
                continue
            self._last_duty[name] = monotonic_now
            handled += self._run_duty(name, duty)
        return handled

    def _run_duty(self, name: str, duty: registry.Duty) -> int:
        try:
            with unit_of_work(self.factory) as session:
                return duty(registry.JobContext(session, self.clock, self.settings, f"duty:{name}"))
        except Exception:
            log.exception("periodic duty failed", extra={"duty": name})
            return 0

    def drain(self, limit: int = 10_000) -> int:
        """Run due jobs until none is left (tests and the demo use this); returns how many ran."""
        ran = 0
        while ran < limit and self.run_once():
            ran += 1
        return ran

    def serve_forever(self, stop_after: float | None = None) -> None:
        registry.load_all()
        log.info("worker started", extra={"worker_id": self.worker_id})
        started = time.monotonic()
        while stop_after is None or time.monotonic() - started < stop_after:
            self.run_duties(time.monotonic())
            if not self.run_once():
                time.sleep(self.settings.worker_poll_seconds)
