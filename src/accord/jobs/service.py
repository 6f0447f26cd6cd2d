"""Jobs: written in the caller's transaction, claimed by workers, retried with backoff, dead-lettered.

On PostgreSQL a claim uses ``FOR UPDATE SKIP LOCKED`` so that many workers never take the same job; on SQLite
the single writer lock gives the same guarantee. A claim is a lease: a worker killed mid-job leaves the job
``running`` until its lease expires, and the next worker takes it again (handlers are idempotent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import TRANSACTION_CACHE, get_owned, is_postgres, new_id
from accord.errors import Conflict
from accord.jobs.models import Job


def enqueue(
    session: Session,
    clock: Clock,
    kind: str,
    payload: Mapping[str, Any],
    *,
    org_id: str | None = None,
    run_after: datetime | None = None,
    max_attempts: int = 6,
) -> Job:
    """Add a job to the caller's unit of work; it exists only if the caller commits."""
    now = clock.now()
    job = Job(
        id=new_id("job"), kind=kind, org_id=org_id, payload=dict(payload), state="pending", attempts=0,
        max_attempts=max_attempts, run_after=run_after or now, created_at=now,
    )
    session.add(job)  # written with the caller's other rows
    _wake_workers(session)
    return job


CHANNEL = "accord_jobs"  # PostgreSQL NOTIFY channel: a job was enqueued (``worker.Wakeup`` listens)
_NOTIFIED = TRANSACTION_CACHE + "jobs.notified"
_NOTIFY = select(func.pg_notify(CHANNEL, ""))


def _wake_workers(session: Session) -> None:
    """On PostgreSQL, tell listening workers once per transaction; the notice is delivered at commit, so a
    worker never wakes for a job it cannot see yet (SQLite workers poll)."""
    if session.info.get(_NOTIFIED) or not is_postgres(session):
        return
    with session.no_autoflush:  # the job and the caller's rows are still written together at commit
        session.execute(_NOTIFY)
    session.info[_NOTIFIED] = True


def _due(now: datetime) -> Any:
    pending = (Job.state == "pending") & (Job.run_after <= now)
    expired = (Job.state == "running") & (Job.locked_until < now)
    return or_(pending, expired)


def claim(session: Session, clock: Clock, worker_id: str, lease_seconds: float) -> Job | None:
    """Take the oldest due job (or one whose lease ran out) and lease it to ``worker_id``."""
    now = clock.now()
    query = select(Job).where(_due(now)).order_by(Job.run_after, Job.created_at).limit(1)
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    job = session.scalar(query)
    if job is None:
        return None
    job.state = "running"
    job.attempts += 1
    job.locked_by = worker_id
    job.locked_until = now + timedelta(seconds=lease_seconds)
    session.flush()
    return job


def complete(session: Session, clock: Clock, job: Job) -> None:
    job.state = "done"
    job.finished_at = clock.now()
    job.locked_by = job.locked_until = None
    session.flush()


def fail(session: Session, clock: Clock, job: Job, error: str, backoff_base: float) -> None:
    """Schedule a retry after ``base * 2**(attempts-1)`` seconds, or dead-letter after the last attempt."""
    job.last_error = error[:4000]
    job.locked_by = job.locked_until = None
    if job.attempts >= job.max_attempts:
        job.state = "dead"
        job.finished_at = clock.now()
        record(session, clock, Actor.system(), Event.JOBS_JOB_DEAD_LETTER, subject=job.id, org_id=job.org_id,
               payload={"kind": job.kind, "attempts": job.attempts, "error": job.last_error[:500]})
    else:
        job.state = "pending"
        job.run_after = clock.now() + timedelta(seconds=backoff_base * 2 ** (job.attempts - 1))
    session.flush()


def retry_dead(session: Session, clock: Clock, actor: Actor, job_id: str, org_id: str | None) -> Job:
    """Give a dead-lettered job a fresh set of attempts."""
    job = get_job(session, job_id, org_id)
    if job.state != "dead":
        raise Conflict(f"job {job_id} is {job.state}, not dead", field="state")
    job.state, job.attempts, job.run_after, job.finished_at = "pending", 0, clock.now(), None
    record(session, clock, actor, Event.JOBS_JOB_RETRY, subject=job.id, org_id=job.org_id, payload={})
    return job


def get_job(session: Session, job_id: str, org_id: str | None) -> Job:
    return get_owned(session, Job, job_id, org_id, what="job")


def list_jobs(
    session: Session, *, org_id: str | None, state: str | None = None, limit: int = 100
) -> list[Job]:
    query = select(Job).order_by(Job.created_at.desc()).limit(limit)
    if org_id is not None:
        query = query.where(Job.org_id == org_id)
    if state:
        query = query.where(Job.state == state)
    return list(session.scalars(query))


@dataclass(frozen=True)
class QueueStats:
    by_state: dict[str, int]
    due: int


def stats(session: Session, clock: Clock) -> QueueStats:
    rows = session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
    due = session.scalar(select(func.count()).select_from(Job).where(_due(clock.now()))) or 0
    return QueueStats({state: count for state, count in rows}, due)
