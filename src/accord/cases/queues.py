"""Queues, routing rules and triage.

A provider's queues are tried in ``position`` order and the first whose rules all match takes the case
(Coop's routing: first match wins); a case no queue wants goes to the provider's default queue, created on
first use. Escalated cases sit in the senior queue, which only admins see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases import priority
from accord.cases.models import Case, ReviewQueue
from accord.clock import Clock
from accord.db import get_owned, new_id
from accord.errors import InvalidInput
from accord.identity.models import ROLES
from accord.identity.service import Principal
from accord.policies.crisis import active_incidents, priority_boost_for

RULE_KEYS: Final = ("sources", "severity", "languages", "jurisdictions")
SEVERITIES: Final = ("imminent", "graphic", "incident", "standard")


def create_queue(
    session: Session,
    clock: Clock,
    actor: Actor,
    *,
    provider_id: str,
    name: str,
    position: int = 100,
    rules: Mapping[str, Sequence[str]] | None = None,
    roles: Sequence[str] = (),
    harm: str = "high",
) -> ReviewQueue:
    """Add a routed queue; ``rules`` maps each of RULE_KEYS to the accepted values (absent: any)."""
    if not name.strip():
        raise InvalidInput("a queue needs a name", field="name")
    clean_rules = _check_rules(rules or {})
    _check_roles(roles)
    if harm not in ("high", "low"):
        raise InvalidInput("harm is 'high' or 'low'", field="harm")
    queue = ReviewQueue(id=new_id("que"), provider_id=provider_id, name=name.strip(), position=position,
                        rules=clean_rules, roles=list(roles), harm=harm, kind="routed", created_at=clock.now())
    session.add(queue)
    session.flush()
    record(session, clock, actor, Event.CASES_QUEUE_CREATE, subject=queue.id, org_id=provider_id,
           payload={"name": queue.name, "position": position, "rules": clean_rules, "roles": list(roles)})
    return queue


def _check_rules(rules: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    unknown = sorted(set(rules) - set(RULE_KEYS))
    if unknown:
        raise InvalidInput(f"unknown rule key(s): {', '.join(unknown)}", field="rules")
    clean = {key: [str(v).strip() for v in values] for key, values in rules.items() if values}
    bad = set(clean.get("severity", [])) - set(SEVERITIES)
    if bad:
        raise InvalidInput(f"severity is one of {', '.join(SEVERITIES)}", field="rules")
    if "jurisdictions" in clean:
        clean["jurisdictions"] = [c.upper() for c in clean["jurisdictions"]]
    if "languages" in clean:
        clean["languages"] = [c.lower() for c in clean["languages"]]
    return clean


def _check_roles(roles: Sequence[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise InvalidInput(f"unknown role(s): {', '.join(unknown)}", field="roles")


_QUEUES = (select(ReviewQueue).where(ReviewQueue.provider_id == bindparam("org"))
           .order_by(ReviewQueue.position, ReviewQueue.created_at))


def list_queues(session: Session, clock: Clock, provider_id: str) -> list[ReviewQueue]:
    """The provider's queues in routing order (the default queue is created if missing)."""
    found = list(session.scalars(_QUEUES, {"org": provider_id}))
    if any(q.kind == "default" for q in found):
        return found
    found.append(default_queue(session, provider_id, clock.now()))
    return sorted(found, key=lambda q: (q.position, q.created_at))


def get_queue(session: Session, provider_id: str, queue_id: str) -> ReviewQueue:
    return get_owned(session, ReviewQueue, queue_id, provider_id, what="queue", by="provider_id")


def default_queue(session: Session, provider_id: str, now: datetime) -> ReviewQueue:
    """The provider's fallback queue, created lazily."""
    return _special_queue(session, provider_id, "default", "Default", [], now)


def senior_queue(session: Session, provider_id: str, now: datetime) -> ReviewQueue:
    """Where escalated cases go: seen by admins only."""
    return _special_queue(session, provider_id, "senior", "Senior review", ["admin"], now)


def _special_queue(session: Session, provider_id: str, kind: str, name: str, roles: list[str],
                   now: datetime) -> ReviewQueue:
    query = select(ReviewQueue).where(ReviewQueue.provider_id == provider_id, ReviewQueue.kind == kind)
    queue = session.scalar(query.limit(1))
    if queue is None:
        queue = ReviewQueue(id=new_id("que"), provider_id=provider_id, name=name, kind=kind, roles=roles,
                            position=10_000 if kind == "default" else -1, rules={}, harm="high",
                            created_at=now)
        session.add(queue)
        session.flush()
    return queue


def matches(queue: ReviewQueue, attributes: dict[str, Any]) -> bool:
    """True when every rule of the queue accepts the case's attributes."""
    for key, accepted in queue.rules.items():
        value = attributes.get(key)
        values = set(value) if isinstance(value, list) else {value}
        if not values & set(accepted):
            return False
    return True


def attributes(case: Case) -> dict[str, Any]:
    """What routing rules look at: sources, severity, language and jurisdiction."""
    labels = priority.case_labels(case.labels, case.signals)
    return {"sources": list(case.sources), "severity": priority.severity_label(labels),
            "languages": case.language, "jurisdictions": case.jurisdiction}


def route(session: Session, case: Case, now: datetime) -> ReviewQueue:
    """The first routed queue (by position) that matches the case, else the default queue."""
    query = select(ReviewQueue).where(ReviewQueue.provider_id == case.provider_id, ReviewQueue.kind == "routed")
    case_attributes = attributes(case)
    for queue in session.scalars(query.order_by(ReviewQueue.position, ReviewQueue.created_at)):
        if matches(queue, case_attributes):
            return queue
    return default_queue(session, case.provider_id, now)


def triage(session: Session, clock: Clock, case: Case) -> Case:
    """Score and route a case (escalated cases keep their senior queue)."""
    labels = priority.case_labels(case.labels, case.signals)
    if _carries_active_incident_tag(session, clock, case):
        labels.add("incident")
    assessed = priority.assess(case.sources, labels, max(len(case.urls), len(case.signals)))
    case.tier, case.score, case.score_reasons = assessed.tier, assessed.score, assessed.reasons
    case.urgency = 100 - assessed.score
    case.graphic = priority.is_graphic(labels)
    if case.escalation != "senior":
        case.queue_id = route(session, case, clock.now()).id
    case.triaged_at = clock.now()
    session.flush()
    return case


def _carries_active_incident_tag(session: Session, clock: Clock, case: Case) -> bool:
    """A case tagged with a declared incident that is still active rises in priority (GIFCT CIP, EU Crisis
    Protocol); once the incident is concluded, the next triage drops the boost."""
    tags = {str(t) for t in case.labels} | {str(t) for s in case.signals for t in s.get("labels", []) or []}
    return priority_boost_for(tags, active_incidents(session, clock.now())) > 0


def triage_pending(session: Session, clock: Clock, provider_id: str) -> int:
    """Triage the provider's open cases that are new or were joined since their last triage (intake clears
    ``triaged_at`` when an item joins)."""
    query = (
        select(Case)
        .where(Case.provider_id == provider_id, Case.state == "open", Case.triaged_at.is_(None))
        .order_by(Case.id)
    )
    cases = list(session.scalars(query))
    for case in cases:
        triage(session, clock, case)
    return len(cases)


def visible(queue: ReviewQueue, principal: Principal) -> bool:
    """Role-restricted queues: an API key (no role) and an admin see every queue."""
    return not queue.roles or principal.role is None or principal.role == "admin" or principal.role in queue.roles


def visible_queues(session: Session, clock: Clock, principal: Principal) -> list[ReviewQueue]:
    """The provider's queues this principal may see, in routing order."""
    return [q for q in list_queues(session, clock, principal.org_id) if visible(q, principal)]


def visible_queue_ids(session: Session, clock: Clock, principal: Principal, *,
                      low_harm_only: bool = False) -> list[str]:
    return [q.id for q in visible_queues(session, clock, principal) if not low_harm_only or q.harm == "low"]
