"""``accord worker``: claims jobs one at a time, runs their handlers, and runs periodic duties."""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import Clock
from accord.db import unit_of_work
from accord.jobs import registry, service
from accord.jobs.models import Job
from accord.settings import Settings

log = logging.getLogger("accord.worker")


class Wakeup:
    """How an idle worker waits: on PostgreSQL it LISTENs on ``jobs.service.CHANNEL`` and wakes as soon as a
    transaction that enqueued a job commits (a webhook leaves within milliseconds, and an idle worker does not
    query the database 50 times a second to achieve it); ``seconds`` still bounds the wait, for jobs that fall
    due later and for periodic duties. Elsewhere, or while the listening connection is down, it sleeps."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self._conninfo = (url.set(drivername="postgresql").render_as_string(hide_password=False)
                          if url.get_backend_name() == "postgresql" else None)
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    def wait(self, seconds: float) -> None:
        conn = self._listening()
        if conn is None:
            time.sleep(seconds)
            return
        try:
            for _ in conn.notifies(timeout=seconds, stop_after=1):
                pass
        except psycopg.Error:
            log.warning("lost the job notification connection; polling until it is back")
            self.close()
            time.sleep(seconds)

    def _listening(self) -> psycopg.Connection[tuple[object, ...]] | None:
        if self._conninfo is None:
            return None
        if self._conn is None or self._conn.closed:
            try:
                self._conn = psycopg.connect(self._conninfo, autocommit=True)
                self._conn.execute(f"LISTEN {service.CHANNEL}")
            except psycopg.Error:
                self._conn = None
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


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

    def serve_forever(self, stop_after: float | None = None, alive: Callable[[], bool] = lambda: True) -> None:
        """Run jobs and duties until ``stop_after`` seconds have passed or ``alive()`` turns False (checked
        between jobs and at least every ``worker_poll_seconds``)."""
        registry.load_all()
        log.info("worker started", extra={"worker_id": self.worker_id})
        started = time.monotonic()
        wakeup = Wakeup(self.settings.database_url)
        try:
            while (stop_after is None or time.monotonic() - started < stop_after) and alive():
                self.run_duties(time.monotonic())
                if not self.run_once():
                    wakeup.wait(self.settings.worker_poll_seconds)
        finally:
            wakeup.close()
        if not alive():
            log.warning("the process that started this worker is gone: stopping", extra={"worker_id": self.worker_id})
