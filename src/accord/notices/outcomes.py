"""What issuers follow: status per notice, time to acknowledge and to act, removal rate per provider, and a
re-check of whether the content is still online (EUR-01: IRMa checks removal automatically), through the
guarded fetcher only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.service import record
from accord.clock import Clock
from accord.errors import FetchRefused
from accord.fetcher import fetch
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.notices.models import Notice
from accord.notices.service import get_notice
from accord.settings import Settings

OFFLINE_STATUSES = (404, 410)
KEEP_CHECKS = 20


@dataclass(frozen=True)
class ProviderOutcome:
    provider_id: str
    provider_name: str
    sent: int
    answered: int
    removed: int
    removal_rate: float | None  # removed or disabled, of those answered
    median_seconds_to_ack: float | None
    median_seconds_to_act: float | None
    breaches: int


def _median(values: list[float]) -> float | None:
    return float(median(values)) if values else None


def _summary(provider: str, name: str, notices: list[Notice]) -> ProviderOutcome:
    answered = [n for n in notices if n.outcome in ("removed", "disabled", "no_action")]
    removed = [n for n in answered if n.outcome in ("removed", "disabled")]
    acks = [(n.acknowledged_at - n.received_at).total_seconds() for n in notices
            if n.acknowledged_at and n.received_at]
    acts = [(n.outcome_at - n.received_at).total_seconds() for n in answered if n.outcome_at and n.received_at]
    return ProviderOutcome(provider, name, len(notices), len(answered), len(removed),
                           round(len(removed) / len(answered), 4) if answered else None,
                           _median(acks), _median(acts), sum(1 for n in notices if n.breached_at))


def issuer_outcomes(session: Session, principal: Principal) -> list[ProviderOutcome]:
    """Per provider, over the notices the caller sent."""
    by_provider: dict[str, list[Notice]] = {}
    for notice in session.scalars(select(Notice).where(Notice.issuer_id == principal.org_id)):
        by_provider.setdefault(notice.provider_id, []).append(notice)
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(by_provider)))
    names = {org_id: name for org_id, name in session.execute(query)}
    return [_summary(pid, names.get(pid, pid), items) for pid, items in sorted(by_provider.items())]


def _check(url: str, settings: Settings) -> dict[str, Any]:
    try:
        result = fetch(url, settings)
    except FetchRefused as exc:
        return {"url": url, "status": None, "online": None, "error": exc.detail}
    return {"url": url, "status": result.status, "online": result.status not in OFFLINE_STATUSES,
            "sha256": hashlib.sha256(result.body).hexdigest(), "error": None}


def recheck(session: Session, clock: Clock, settings: Settings, principal: Principal,
            notice_id: str) -> list[dict[str, Any]]:
    """Fetch each URL once (guarded: no private addresses unless configured, size and time limits)."""
    notice = get_notice(session, principal, notice_id)
    now = clock.now().isoformat()
    checks = [{**_check(url, settings), "checked_at": now} for url in notice.urls]
    notice.liveness = [*notice.liveness, *checks][-KEEP_CHECKS:]
    record(session, clock, principal.actor, "notices:notice:recheck", subject=notice.id,
           payload={"provider_id": notice.provider_id, "online": [c["online"] for c in checks]})
    return checks
