"""Is the content still online? Re-checks of a notice's URLs, by hand or by the worker, and the moment it went
offline with its latency (TCAP: alert → acknowledgement → offline; EUR-01: IRMa checks removal itself).

A notice is offline when every one of its URLs answers 404 or 410 in the same re-check. That moment is kept on
the notice (``details.offline_at``, ``details.seconds_to_offline`` from receipt), written once as the event
``notices:notice:offline`` with the time to acknowledge, and sent to the issuer as the webhook
``notice.offline``. The worker re-checks alerts and referrals (the voluntary notices whose outcome the issuer
learns only this way) for ``RECHECK_FOR`` after receipt, each at most every ``RECHECK_EVERY``: a periodic duty
queues one job per notice due, and the job fetches.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.errors import FetchRefused
from accord.fetcher import fetch
from accord.jobs.service import enqueue
from accord.jobs.webhooks import emit
from accord.notices.models import Notice
from accord.settings import Settings

OFFLINE_STATUSES: Final = (404, 410)
KEEP_CHECKS: Final = 20
RECHECKED_KINDS: Final = ("alert", "referral")
RECHECK_EVERY: Final = timedelta(hours=1)
RECHECK_FOR: Final = timedelta(days=30)
DUTY_BATCH: Final = 100  # notices queued per run of the duty
RECHECK_JOB: Final = "notices.recheck"


def check_url(url: str, settings: Settings) -> dict[str, Any]:
    """One guarded fetch (no private addresses unless configured, size and time limits)."""
    try:
        result = fetch(url, settings)
    except FetchRefused as exc:
        return {"url": url, "status": None, "online": None, "error": exc.detail}
    return {"url": url, "status": result.status, "online": result.status not in OFFLINE_STATUSES,
            "sha256": hashlib.sha256(result.body).hexdigest(), "error": None}


def recheck_notice(session: Session, clock: Clock, settings: Settings, actor: Actor,
                   notice: Notice) -> list[dict[str, Any]]:
    """Fetch each URL once, keep the latest checks, and mark the notice offline when every URL is gone."""
    now = clock.now()
    checks = [{**check_url(url, settings), "checked_at": now.isoformat()} for url in notice.urls]
    notice.liveness = [*notice.liveness, *checks][-KEEP_CHECKS:]
    record(session, clock, actor, Event.NOTICES_NOTICE_RECHECK, subject=notice.id,
           payload={"provider_id": notice.provider_id, "online": [c["online"] for c in checks]})
    if checks and all(c["online"] is False for c in checks) and "offline_at" not in notice.details:
        _mark_offline(session, clock, actor, notice, now)
    return checks


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    return int((end - start).total_seconds()) if start and end else None


def _mark_offline(session: Session, clock: Clock, actor: Actor, notice: Notice, now: datetime) -> None:
    seconds = _seconds(notice.received_at, now)
    notice.details = {**notice.details, "offline_at": now.isoformat(), "seconds_to_offline": seconds}
    facts = {"kind": notice.kind, "issuer_id": notice.issuer_id, "provider_id": notice.provider_id,
             "verification_label": notice.details.get("verification_label"),
             "seconds_to_ack": _seconds(notice.received_at, notice.acknowledged_at), "seconds_to_offline": seconds}
    record(session, clock, actor, Event.NOTICES_NOTICE_OFFLINE, subject=notice.id, org_id=notice.issuer_id,
           payload=facts)
    if notice.issuer_id:
        emit(session, clock, org_id=notice.issuer_id, event="notice.offline",
             data={"notice_id": notice.id, "urls": notice.urls, "offline_at": now.isoformat(), **facts})


def due(session: Session, now: datetime, limit: int = DUTY_BATCH) -> list[Notice]:
    """Alerts and referrals received within ``RECHECK_FOR``, still online, not re-checked for an hour."""
    query = (select(Notice)
             .where(Notice.kind.in_(RECHECKED_KINDS), Notice.received_at >= now - RECHECK_FOR,
                    Notice.status != "voided")
             .order_by(Notice.received_at, Notice.id))
    waiting = (n for n in session.scalars(query) if "offline_at" not in n.details and _stale(n, now))
    return list(islice(waiting, limit))


def _stale(notice: Notice, now: datetime) -> bool:
    seen = [str(notice.liveness[-1]["checked_at"])] if notice.liveness else []
    seen += [str(notice.details["liveness_queued_at"])] if notice.details.get("liveness_queued_at") else []
    return not seen or now - max(datetime.fromisoformat(s) for s in seen) >= RECHECK_EVERY


def queue_due(session: Session, clock: Clock) -> int:
    """The worker's duty: queue one ``notices.recheck`` job per notice due (the fetches run as jobs, so that a
    slow host never holds up the duties, such as the one-hour clock); returns how many were queued."""
    now = clock.now()
    notices = due(session, now)
    for notice in notices:
        notice.details = {**notice.details, "liveness_queued_at": now.isoformat()}
        enqueue(session, clock, RECHECK_JOB, {"notice_id": notice.id}, org_id=notice.issuer_id, max_attempts=1)
    return len(notices)


def run_recheck(session: Session, clock: Clock, settings: Settings, notice_id: str) -> None:
    """The ``notices.recheck`` job: re-check one notice unless it went offline meanwhile."""
    notice = session.get(Notice, notice_id)
    if notice is not None and "offline_at" not in notice.details:
        recheck_notice(session, clock, settings, Actor.system(), notice)
