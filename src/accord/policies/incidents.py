"""Crisis incidents: declared by a coordinator against a checklist, shared as a tag, concluded with a debrief.

HASH-05 (GIFCT Incident Response Framework and Content Incident Protocol, EU Crisis Protocol): a coordinator
declares an incident when its criteria are met; bank entries shared for it carry the incident's ``tag``;
cases that match them rise in priority while it is active; members are told by webhook; concluding it writes
a debrief computed from the audit trail and asks every provider to review its policies. A drill runs the same
path, marked ``drill``, and asks no provider to review anything.

Other domains join an incident's timeline by putting ``incident_tag`` (or the tag in ``tags``/``labels``)
in their audit payloads; matches of those entries and decisions on those cases are then counted as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Organisation
from accord.jobs import webhooks
from accord.policies.models import Incident, PolicyReviewTask

# GIFCT's levels, from situational awareness to the full protocol; each raises case priority further.
LEVELS = ("incident", "content_incident", "content_incident_protocol")
BOOST = {"incident": 1, "content_incident": 2, "content_incident_protocol": 3}
CRITERIA: dict[str, str] = {
    "ongoing_event": "An ongoing terrorist or violent extremist event, or its immediate aftermath",
    "perpetrator_content": "Content produced by the perpetrator or an accomplice",
    "depicts_murder": "The content depicts murder or attempted murder",
    "spreading": "The content is on member platforms or bound to spread to them",
}
REVIEW_DAYS = 30


# ---- declaring -------------------------------------------------------------------------------------


def _coordinator(session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None or org.kind != "coordinator":
        raise PermissionDenied("only a coordinator declares and concludes incidents")
    return org


def check_criteria(level: str, criteria: Mapping[str, Any]) -> dict[str, bool]:
    """The checklist as booleans; a content incident needs all four criteria, awareness the ongoing event."""
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}", field="level")
    unknown = sorted(set(criteria) - set(CRITERIA))
    if unknown:
        raise InvalidInput(f"unknown criteria: {', '.join(unknown)}", field="criteria")
    checked = {name: bool(criteria.get(name, False)) for name in CRITERIA}
    needed = ["ongoing_event"] if level == "incident" else list(CRITERIA)
    missing = [name for name in needed if not checked[name]]
    if missing:
        raise InvalidInput(f"a {level.replace('_', ' ')} needs these criteria met: {', '.join(missing)}",
                           field="criteria")
    return checked


def _tag(session: Session, title: str, at: datetime) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "incident"
    base = f"incident-{at:%Y%m%d}-{slug}"
    tag, n = base, 1
    while session.scalar(select(Incident.id).where(Incident.tag == tag)):
        n += 1
        tag = f"{base}-{n}"
    return tag


def _providers(session: Session) -> list[str]:
    return list(session.scalars(select(Organisation.id).where(Organisation.kind == "provider")
                                .order_by(Organisation.created_at)))


def _notify(session: Session, clock: Clock, event: str, incident: Incident) -> int:
    data = {"incident_id": incident.id, "tag": incident.tag, "title": incident.title, "level": incident.level,
            "drill": incident.drill, "state": incident.state}
    return sum(webhooks.emit(session, clock, org_id=org_id, event=event, data=data)
               for org_id in _providers(session))


def declare_incident(
    session: Session, clock: Clock, actor: Actor, *, coordinator_id: str, title: str, level: str,
    criteria: Mapping[str, Any], description: str = "", drill: bool = False,
) -> Incident:
    """Declare an incident (or a drill): record the checklist, the declarer and the time, and tell members."""
    _coordinator(session, coordinator_id)
    if not title.strip():
        raise InvalidInput("title must not be empty", field="title")
    checked = check_criteria(level, criteria)
    now = clock.now()
    incident = Incident(id=new_id("inc"), coordinator_id=coordinator_id, title=title.strip(),
                        description=description, tag=_tag(session, title, now), level=level, state="active",
                        drill=drill, criteria=checked, declared_by=actor.ref, declared_at=now)
    session.add(incident)
    session.flush()
    record(session, clock, actor, "policies:incident:declare", subject=incident.id, org_id=coordinator_id,
           payload={"coordinator_id": coordinator_id, "incident_tag": incident.tag, "level": level,
                    "drill": drill, "criteria": checked, "title": incident.title})
    _notify(session, clock, "incident.declared", incident)
    return incident


def _own_active(session: Session, coordinator_id: str, incident_id: str) -> Incident:
    _coordinator(session, coordinator_id)
    incident = get_incident(session, incident_id)
    if incident.coordinator_id != coordinator_id:
        raise PermissionDenied("only the coordinator that declared an incident may change it")
    if incident.state != "active":
        raise Conflict("this incident is concluded already")
    return incident


def escalate_incident(session: Session, clock: Clock, actor: Actor, *, coordinator_id: str, incident_id: str,
                      level: str, reason: str = "", criteria: Mapping[str, Any] | None = None) -> Incident:
    """Move an active incident to another level, with criteria newly met; the checklist must hold for it."""
    incident = _own_active(session, coordinator_id, incident_id)
    checked = check_criteria(level, {**incident.criteria, **(criteria or {})})
    before, incident.level, incident.criteria = incident.level, level, checked
    record(session, clock, actor, "policies:incident:escalate", subject=incident.id, org_id=coordinator_id,
           payload={"incident_tag": incident.tag, "from": before, "to": level, "reason": reason,
                    "criteria": checked})
    return incident


def link_bank(session: Session, clock: Clock, actor: Actor, *, coordinator_id: str, incident_id: str,
              bank_id: str) -> Incident:
    """Record the incident bank that holds the hashes shared for this incident."""
    incident = _own_active(session, coordinator_id, incident_id)
    incident.bank_id = bank_id
    record(session, clock, actor, "policies:incident:link_bank", subject=incident.id, org_id=coordinator_id,
           payload={"incident_tag": incident.tag, "bank_id": bank_id})
    return incident


# ---- reading -----------------------------------------------------------------------------------------


def get_incident(session: Session, incident_id: str) -> Incident:
    """Incidents are shared with every organisation of the instance by design."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id!r}")
    return incident


def list_incidents(session: Session, state: str | None = None) -> list[Incident]:
    query = select(Incident).order_by(Incident.declared_at.desc())
    if state:
        query = query.where(Incident.state == state)
    return list(session.scalars(query))


def active_incidents(session: Session, at: datetime) -> list[Incident]:
    """Incidents (drills included) active at ``at``: declared before it and not concluded by then."""
    query = select(Incident).where(Incident.declared_at <= at,
                                   or_(Incident.concluded_at.is_(None), Incident.concluded_at > at))
    return list(session.scalars(query.order_by(Incident.declared_at)))


def priority_boost_for(tags: Iterable[str], active: Iterable[Incident]) -> int:
    """How much to raise a case's priority for the incident tags it carries: 0 without an active incident,
    otherwise 1-3 by the highest level (awareness, content incident, full protocol)."""
    wanted = set(tags)
    return max((BOOST[i.level] for i in active if i.tag in wanted), default=0)


# ---- concluding and the debrief ----------------------------------------------------------------------


def _mentions(payload: Mapping[str, Any], incident: Incident) -> bool:
    if payload.get("incident_tag") == incident.tag or payload.get("incident_id") == incident.id:
        return True
    listed = [*(payload.get("tags") or []), *(payload.get("labels") or [])]
    return incident.tag in [item for item in listed if isinstance(item, str)]


def _window(session: Session, incident: Incident, until: datetime) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.at >= incident.declared_at, AuditEvent.at <= until)
    return list(session.scalars(query.order_by(AuditEvent.seq)))


def _related(events: Sequence[AuditEvent], incident: Incident) -> list[AuditEvent]:
    """The incident's own events, the entries tagged for it, their matches and the decisions on those cases."""
    entries: set[str] = set()
    cases: set[str] = set()
    out = []
    for event in events:
        payload = event.payload
        direct = event.subject == incident.id or _mentions(payload, incident)
        if not direct and payload.get("entry_id") not in entries and payload.get("case_id") not in cases:
            continue
        if direct and event.tag.startswith("banks:entry:") and event.subject:
            entries.add(event.subject)
        if event.tag == "matching:match:found" and payload.get("case_id"):
            cases.add(str(payload["case_id"]))
        out.append(event)
    return out


def _first(events: Sequence[AuditEvent], prefix: str) -> datetime | None:
    return next((e.at for e in events if e.tag.startswith(prefix)), None)


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds()


def debrief(session: Session, incident: Incident, until: datetime) -> dict[str, Any]:
    """The debrief: timeline and counts (hashes added, matches, providers matching, actions) and times."""
    related = _related(_window(session, incident, until), incident)
    matches = [e for e in related if e.tag == "matching:match:found"]
    actions: dict[str, int] = {}
    for event in related:
        if event.tag == "cases:decision:create":
            action = str(event.payload.get("action"))
            actions[action] = actions.get(action, 0) + 1
    first_hash = _first(related, "banks:entry:")
    return {
        "incident_id": incident.id, "tag": incident.tag, "title": incident.title, "drill": incident.drill,
        "level": incident.level, "declared_at": incident.declared_at.isoformat(), "until": until.isoformat(),
        "duration_seconds": _seconds(incident.declared_at, until),
        "hashes_added": sum(1 for e in related if e.tag.startswith("banks:entry:") and "add" in e.tag),
        "matches": len(matches),
        "providers_matched": len({e.payload.get("provider_id") for e in matches}),
        "actions": actions,
        "seconds_to_first_hash": _seconds(incident.declared_at, first_hash),
        "seconds_to_first_match": _seconds(incident.declared_at, _first(related, "matching:match:found")),
        "timeline": [{"at": e.at.isoformat(), "tag": e.tag, "actor": e.actor, "org_id": e.org_id,
                      "subject": e.subject} for e in related],
    }


def conclude_incident(session: Session, clock: Clock, actor: Actor, *, coordinator_id: str, incident_id: str,
                      conclusion: str = "") -> Incident:
    """Conclude: store the debrief, tell members, and (unless a drill) open a policy review per provider."""
    incident = _own_active(session, coordinator_id, incident_id)
    now = clock.now()
    incident.state, incident.concluded_at, incident.concluded_by = "concluded", now, actor.ref
    incident.conclusion = conclusion
    record(session, clock, actor, "policies:incident:conclude", subject=incident.id, org_id=coordinator_id,
           payload={"coordinator_id": coordinator_id, "incident_tag": incident.tag, "drill": incident.drill,
                    "seconds_active": _seconds(incident.declared_at, now)})
    incident.debrief = debrief(session, incident, now)
    if not incident.drill:
        _open_review_tasks(session, clock, actor, incident)
    _notify(session, clock, "incident.concluded", incident)
    return incident


def incident_debrief(session: Session, clock: Clock, incident_id: str) -> dict[str, Any]:
    """The stored debrief of a concluded incident, or a live one (so far) for an active incident."""
    incident = get_incident(session, incident_id)
    return incident.debrief if incident.state == "concluded" else debrief(session, incident, clock.now())


# ---- policy reviews after an incident ----------------------------------------------------------------


def _open_review_tasks(session: Session, clock: Clock, actor: Actor, incident: Incident) -> None:
    now = clock.now()
    for provider_id in _providers(session):
        task = PolicyReviewTask(id=new_id("prt"), incident_id=incident.id, provider_id=provider_id,
                                state="open", created_at=now, due_at=now + timedelta(days=REVIEW_DAYS))
        session.add(task)
        session.flush()
        record(session, clock, actor, "policies:review_task:open", subject=task.id, org_id=provider_id,
               payload={"provider_id": provider_id, "incident_id": incident.id, "due_at": task.due_at})


def list_review_tasks(session: Session, provider_id: str) -> list[PolicyReviewTask]:
    query = select(PolicyReviewTask).where(PolicyReviewTask.provider_id == provider_id)
    return list(session.scalars(query.order_by(PolicyReviewTask.created_at)))


def complete_review_task(session: Session, clock: Clock, actor: Actor, *, provider_id: str, task_id: str,
                         note: str = "") -> PolicyReviewTask:
    """A provider marks its post-incident policy review done, saying what it changed (or why nothing)."""
    task = session.get(PolicyReviewTask, task_id)
    if task is None or task.provider_id != provider_id:
        raise NotFound(f"no policy review task {task_id!r}")
    if task.state == "done":
        raise Conflict("this review is done already")
    task.state, task.done_at, task.done_by, task.note = "done", clock.now(), actor.ref, note
    record(session, clock, actor, "policies:review_task:done", subject=task.id, org_id=provider_id,
           payload={"provider_id": provider_id, "incident_id": task.incident_id})
    return task
