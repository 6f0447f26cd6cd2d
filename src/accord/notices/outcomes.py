"""What issuers follow: status per notice, time to acknowledge and to act, removal rate per provider, and a
re-check of whether the content is still online (EUR-01: IRMa checks removal automatically), through the
guarded fetcher only."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.notices import europol
from accord.notices.liveness import recheck_notice
from accord.notices.models import Notice
from accord.notices.service import get_notice
from accord.settings import Settings


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
    offline: int = 0  # every URL answered 404/410 at a re-check (``notices.liveness``)
    median_seconds_to_offline: float | None = None


def _median(values: list[float]) -> float | None:
    return float(median(values)) if values else None


def _summary(provider: str, name: str, notices: list[Notice]) -> ProviderOutcome:
    answered = [n for n in notices if n.outcome in ("removed", "disabled", "no_action")]
    removed = [n for n in answered if n.outcome in ("removed", "disabled")]
    acks = [(n.acknowledged_at - n.received_at).total_seconds() for n in notices
            if n.acknowledged_at and n.received_at]
    acts = [(n.outcome_at - n.received_at).total_seconds() for n in answered if n.outcome_at and n.received_at]
    offline = [float(n.details["seconds_to_offline"]) for n in notices
               if n.details.get("seconds_to_offline") is not None]
    return ProviderOutcome(provider, name, len(notices), len(answered), len(removed),
                           round(len(removed) / len(answered), 4) if answered else None,
                           _median(acks), _median(acts), sum(1 for n in notices if n.breached_at),
                           len(offline), _median(offline))


def issuer_outcomes(session: Session, principal: Principal) -> list[ProviderOutcome]:
    """Per provider, over the notices the caller sent."""
    by_provider: dict[str, list[Notice]] = {}
    for notice in session.scalars(select(Notice).where(Notice.issuer_id == principal.org_id, Notice.drill.is_(False))):
        by_provider.setdefault(notice.provider_id, []).append(notice)
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(by_provider)))
    names = {org_id: name for org_id, name in session.execute(query)}
    return [_summary(pid, names.get(pid, pid), items) for pid, items in sorted(by_provider.items())]


def recheck(session: Session, clock: Clock, settings: Settings, principal: Principal,
            notice_id: str) -> list[dict[str, Any]]:
    """Fetch each URL once (guarded: no private addresses unless configured, size and time limits)."""
    notice = get_notice(session, principal, notice_id)
    europol.refuse_copy_holder(notice, principal)
    return recheck_notice(session, clock, settings, principal.actor, notice)
