"""Crisis incidents: declared by a coordinator against a checklist, shared as a tag, concluded with a debrief.

HASH-05 (GIFCT Incident Response Framework and Content Incident Protocol, EU Crisis Protocol): a coordinator
declares an incident when its criteria are met, for the member providers it names (every provider of the
instance by default). Declaring creates the incident bank, owned by the coordinator and shared with exactly
those members; bank entries shared for it carry the incident's ``tag``; cases that match them rise in priority
while it is active; members are told by webhook; concluding it drops the boost, writes a debrief computed from
the audit trail and asks every member to review its policies. A drill runs the same path, marked ``drill``, and
asks no provider to review anything.

Who takes part is who can see the incident bank: the coordinator and its members read the incident and its
debrief; any other organisation (another coordinator included) gets ``NotFound``.

The debrief counts what the audit trail says happened in the incident bank (``banks:*`` events naming its
``bank_id``), the matches of its entries, and the decisions and verification samples of the cases those matches
opened. Other domains may also join the timeline by putting ``incident_tag`` (or the tag in ``tags``/``labels``)
in their audit payloads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.audit.service import Actor, record
from accord.banks.models import Bank, Visibility
from accord.banks.service import can_see, create_bank
from accord.cases import queues
from accord.cases.models import Case
from accord.clock import Clock
from accord.db import new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.jobs import webhooks
from accord.policies.crisis import LEVELS
from accord.policies.models import Incident, PolicyReviewTask

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


def _check_members(session: Session, members: Sequence[str] | None) -> list[str]:
    """The member providers named (every provider of the instance when none are named)."""
    if members is None:
        return _providers(session)
    chosen = list(dict.fromkeys(members))
    found = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(chosen),
                                                              Organisation.kind == "provider")))
    strangers = [org_id for org_id in chosen if org_id not in found]
    if strangers:
        raise InvalidInput(f"{strangers[0]!r} is not a provider of this instance", field="members")
    return chosen


def _incident_bank(session: Session, clock: Clock, actor: Actor, coordinator_id: str, tag: str, title: str,
                   members: Sequence[str]) -> Bank:
    """The bank of the incident's hashes: the coordinator's, shared with the members only; members may
    contribute hashes, which wait in quarantine until the coordinator confirms them."""
    hub = Principal(org_id=coordinator_id, org_kind="coordinator", ref=actor.ref,
                    scopes=frozenset({"banks:write"}))
    return create_bank(session, clock, hub, name=tag, description=f"Hashes shared for the incident {title!r}",
                       visibility=Visibility.SHARED if members else Visibility.PRIVATE, shared_with=members,
                       accepts_contributions=True)


def _notify(session: Session, clock: Clock, event: str, incident: Incident) -> int:
    data = {"incident_id": incident.id, "tag": incident.tag, "title": incident.title, "level": incident.level,
            "drill": incident.drill, "state": incident.state, "bank_id": incident.bank_id}
    return sum(webhooks.emit(session, clock, org_id=org_id, event=event, data=data)
               for org_id in members(session, incident))


def declare_incident(
    session: Session, clock: Clock, actor: Actor, *, coordinator_id: str, title: str, level: str,
    criteria: Mapping[str, Any], description: str = "", drill: bool = False, member_ids: Sequence[str] | None = None,
) -> Incident:
    """Declare an incident (or a drill) for ``member_ids`` (default: every provider): record the checklist, the
    declarer and the time, create the incident bank shared with the members, and tell them by webhook."""
    _coordinator(session, coordinator_id)
    if not title.strip():
        raise InvalidInput("title must not be empty", field="title")
    checked = check_criteria(level, criteria)
    chosen = _check_members(session, member_ids)
    now = clock.now()
    incident = Incident(id=new_id("inc"), coordinator_id=coordinator_id, title=title.strip(),
                        description=description, tag=_tag(session, title, now), level=level, state="active",
                        drill=drill, criteria=checked, declared_by=actor.ref, declared_at=now)
    session.add(incident)
    session.flush()
    record(session, clock, actor, Event.POLICIES_INCIDENT_DECLARE, subject=incident.id, org_id=coordinator_id,
           payload={"coordinator_id": coordinator_id, "incident_tag": incident.tag, "level": level,
                    "drill": drill, "criteria": checked, "title": incident.title, "members": chosen})
    bank = _incident_bank(session, clock, actor, coordinator_id, incident.tag, incident.title, chosen)
    _link(session, clock, actor, incident, bank)
    _notify(session, clock, "incident.declared", incident)
    return incident


def _own_active(session: Session, coordinator_id: str, incident_id: str) -> Incident:
    _coordinator(session, coordinator_id)
    incident = get_incident(session, incident_id, coordinator_id)
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
    record(session, clock, actor, Event.POLICIES_INCIDENT_ESCALATE, subject=incident.id, org_id=coordinator_id,
           payload={"incident_tag": incident.tag, "from": before, "to": level, "reason": reason,
                    "criteria": checked})
    return incident


def link_bank(session: Session, clock: Clock, actor: Actor, *, coordinator_id: str, incident_id: str,
              bank_id: str) -> Incident:
    """Make another of the coordinator's banks the incident bank; its sharing decides who takes part."""
    incident = _own_active(session, coordinator_id, incident_id)
    bank = session.get(Bank, bank_id)
    if bank is None or bank.org_id != coordinator_id:
        raise NotFound(f"no bank {bank_id!r} of yours")
    _link(session, clock, actor, incident, bank)
    return incident


def _link(session: Session, clock: Clock, actor: Actor, incident: Incident, bank: Bank) -> None:
    incident.bank_id = bank.id
    session.flush()
    record(session, clock, actor, Event.POLICIES_INCIDENT_LINK_BANK, subject=incident.id,
           org_id=incident.coordinator_id,
           payload={"incident_tag": incident.tag, "bank_id": bank.id, "shared_with": list(bank.shared_with),
                    "visibility": bank.visibility})


# ---- who takes part, and reading ----------------------------------------------------------------------


def _bank_of(session: Session, incident: Incident) -> Bank | None:
    return session.get(Bank, incident.bank_id) if incident.bank_id else None


def takes_part(session: Session, incident: Incident, org_id: str) -> bool:
    """The coordinator and the organisations that can see the incident bank (all, for an incident without one)."""
    if org_id == incident.coordinator_id:
        return True
    bank = _bank_of(session, incident)
    return bank is None or can_see(bank, org_id)


def members(session: Session, incident: Incident) -> list[str]:
    """The member providers of an incident: those who are told, matched and asked to review their policies."""
    return [org_id for org_id in _providers(session) if takes_part(session, incident, org_id)]


def describe(session: Session, incident: Incident) -> dict[str, Any]:
    """An incident as the edges show it: its columns and its member providers."""
    columns = {column.key: getattr(incident, column.key) for column in Incident.__table__.columns}
    return {**columns, "members": members(session, incident)}


def get_incident(session: Session, incident_id: str, org_id: str | None = None) -> Incident:
    """An incident as ``org_id`` sees it (``None``: the instance's operator, who sees all); an organisation that
    does not take part gets ``NotFound``."""
    incident = session.get(Incident, incident_id)
    if incident is None or (org_id is not None and not takes_part(session, incident, org_id)):
        raise NotFound(f"no incident {incident_id!r}")
    return incident


def list_incidents(session: Session, state: str | None = None, org_id: str | None = None) -> list[Incident]:
    """The incidents ``org_id`` takes part in (``None``: all), newest first."""
    query = select(Incident).order_by(Incident.declared_at.desc())
    if state:
        query = query.where(Incident.state == state)
    found = list(session.scalars(query))
    return found if org_id is None else [i for i in found if takes_part(session, i, org_id)]


# ---- the debrief ---------------------------------------------------------------------------------------


def _mentions(payload: Mapping[str, Any], incident: Incident) -> bool:
    if payload.get("incident_tag") == incident.tag or payload.get("incident_id") == incident.id:
        return True
    listed = [*(payload.get("tags") or []), *(payload.get("labels") or []), *(payload.get("incident_tags") or [])]
    return incident.tag in [item for item in listed if isinstance(item, str)]


def _window(session: Session, incident: Incident, until: datetime) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.at >= incident.declared_at, AuditEvent.at <= until)
    return list(session.scalars(query.order_by(AuditEvent.seq)))


def _entry_ids(event: AuditEvent) -> list[str]:
    """The entries a ``banks:entry:*`` event is about (``entry_ids`` of an add, else its subject)."""
    listed = event.payload.get("entry_ids")
    if isinstance(listed, list):
        return [str(entry_id) for entry_id in listed]
    return [str(event.subject)] if event.subject else []


@dataclass
class _Related:
    """The incident's events and what links them: its bank's entries, the cases and decisions they led to."""

    events: list[AuditEvent] = field(default_factory=list)
    entries: set[str] = field(default_factory=set)
    cases: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)


def _about_bank(event: AuditEvent, incident: Incident, related: _Related) -> bool:
    """An event of the incident bank (its creation, entries added, confirmed, disabled...)."""
    bank_id = incident.bank_id
    in_bank = bank_id is not None and bank_id in (event.payload.get("bank_id"), event.subject)
    if in_bank or _mentions(event.payload, incident):
        if event.tag == Event.BANKS_ENTRY_ADD:
            related.entries.update(_entry_ids(event))
        return True
    return event.tag.startswith("banks:entry:") and bool(set(_entry_ids(event)) & related.entries)


def _about_match(event: AuditEvent, incident: Incident, related: _Related) -> bool:
    payload = event.payload
    in_bank = incident.bank_id is not None and payload.get("bank_id") == incident.bank_id
    if not (in_bank or str(payload.get("entry_id")) in related.entries or _mentions(payload, incident)):
        return False
    if payload.get("case_id"):
        related.cases.add(str(payload["case_id"]))
    return True


_LINKED_BY_CASE = (Event.CASES_DECISION_CREATE, Event.CASES_QUALITY_SAMPLE)


def _first_pass(event: AuditEvent, incident: Incident, related: _Related) -> bool:
    if event.tag == Event.MATCHING_MATCH_FOUND:
        return _about_match(event, incident, related)
    if event.tag.startswith("banks:"):
        return _about_bank(event, incident, related)
    if event.tag in _LINKED_BY_CASE:
        return False
    return event.subject == incident.id or _mentions(event.payload, incident)


def _second_pass(event: AuditEvent, incident: Incident, related: _Related) -> bool:
    """Decisions come before the matches that link their case (an automatic action is decided first), and
    verification samples name the decision."""
    payload = event.payload
    if event.tag == Event.CASES_DECISION_CREATE:
        if str(payload.get("case_id")) in related.cases or _mentions(payload, incident):
            related.decisions.add(str(event.subject))
            return True
        return False
    return event.tag == Event.CASES_QUALITY_SAMPLE and str(payload.get("decision_id")) in related.decisions


def _related(events: Sequence[AuditEvent], incident: Incident) -> _Related:
    related = _Related()
    kept = {e.seq for e in events if _first_pass(e, incident, related)}
    kept |= {e.seq for e in events if e.seq not in kept and _second_pass(e, incident, related)}
    related.events = [e for e in events if e.seq in kept]
    return related


def _hashes_added(event: AuditEvent) -> int:
    """Entries a ``banks:entry:add`` names, or that a bulk import's chunk counts (it names them by digest)."""
    if event.tag == Event.BANKS_IMPORT_CHUNK:
        return int(event.payload["added"])
    return len(_entry_ids(event))


def _first(events: Sequence[AuditEvent], prefix: str) -> datetime | None:
    return next((e.at for e in events if e.tag.startswith(prefix)), None)


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds()


def _actions(decisions: Sequence[AuditEvent]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Decisions by action, and by action and territorial scope (countries; empty means worldwide)."""
    counts: dict[str, int] = {}
    scopes: dict[tuple[str, tuple[str, ...], bool], int] = {}
    for event in decisions:
        action = str(event.payload.get("action"))
        key = (action, tuple(sorted(event.payload.get("countries") or [])),
               bool(event.payload.get("automated_decision")))
        counts[action] = counts.get(action, 0) + 1
        scopes[key] = scopes.get(key, 0) + 1
    return counts, [{"action": a, "countries": list(c), "automated": auto, "count": n}
                    for (a, c, auto), n in sorted(scopes.items())]


def debrief(session: Session, incident: Incident, until: datetime) -> dict[str, Any]:
    """The debrief: timeline and counts (hashes added, matches, providers matching, actions with their
    countries, automated actions sampled for a human) and the times from the declaration."""
    related = _related(_window(session, incident, until), incident).events
    matches = [e for e in related if e.tag == Event.MATCHING_MATCH_FOUND]
    decisions = [e for e in related if e.tag == Event.CASES_DECISION_CREATE]
    actions, scopes = _actions(decisions)
    added = [e for e in related if e.tag == Event.BANKS_ENTRY_ADD
             or (e.tag == Event.BANKS_IMPORT_CHUNK and e.payload.get("added"))]
    return {
        "incident_id": incident.id, "tag": incident.tag, "title": incident.title, "drill": incident.drill,
        "level": incident.level, "bank_id": incident.bank_id, "declared_at": incident.declared_at.isoformat(),
        "until": until.isoformat(), "duration_seconds": _seconds(incident.declared_at, until),
        "hashes_added": sum(_hashes_added(e) for e in added),
        "matches": len(matches),
        "providers_matched": len({e.payload.get("provider_id") for e in matches}),
        "actions": actions, "action_scopes": scopes,
        "automated_actions": sum(1 for e in decisions if e.payload.get("automated_decision")),
        "sampled_for_verification": sum(1 for e in related if e.tag == Event.CASES_QUALITY_SAMPLE
                                        and e.payload.get("kind") == "verification"),
        "seconds_to_first_hash": _seconds(incident.declared_at, added[0].at if added else None),
        "seconds_to_first_match": _seconds(incident.declared_at, _first(matches, Event.MATCHING_MATCH_FOUND)),
        "seconds_to_first_action": _seconds(incident.declared_at, _first(decisions, Event.CASES_DECISION_CREATE)),
        "timeline": [{"at": e.at.isoformat(), "tag": e.tag, "actor": e.actor, "org_id": e.org_id,
                      "subject": e.subject} for e in related],
    }


# ---- concluding --------------------------------------------------------------------------------------


def _open_cases(session: Session, incident: Incident, until: datetime) -> list[Case]:
    """The open cases the incident's matches opened or joined (their priority depends on the incident)."""
    case_ids = sorted(_related(_window(session, incident, until), incident).cases)
    if not case_ids:
        return []
    return list(session.scalars(select(Case).where(Case.id.in_(case_ids), Case.state == "open")
                                .order_by(Case.id)))


def _retriage(session: Session, clock: Clock, cases: Sequence[Case]) -> None:
    for case in cases:
        queues.triage(session, clock, case)


def conclude_incident(session: Session, clock: Clock, actor: Actor, *, coordinator_id: str, incident_id: str,
                      conclusion: str = "") -> Incident:
    """Conclude: the boost ends for the incident's open cases (triaged again now), the debrief is stored, the
    members are told, and (unless a drill) each member gets a "review your policies" task."""
    incident = _own_active(session, coordinator_id, incident_id)
    now = clock.now()
    incident.state, incident.concluded_at, incident.concluded_by = "concluded", now, actor.ref
    incident.conclusion = conclusion
    record(session, clock, actor, Event.POLICIES_INCIDENT_CONCLUDE, subject=incident.id, org_id=coordinator_id,
           payload={"coordinator_id": coordinator_id, "incident_tag": incident.tag, "drill": incident.drill,
                    "seconds_active": _seconds(incident.declared_at, now)})
    _retriage(session, clock, _open_cases(session, incident, now))
    incident.debrief = debrief(session, incident, now)
    if not incident.drill:
        _open_review_tasks(session, clock, actor, incident)
    _notify(session, clock, "incident.concluded", incident)
    return incident


def incident_debrief(session: Session, clock: Clock, incident_id: str, org_id: str | None = None) -> dict[str, Any]:
    """The stored debrief of a concluded incident, or a live one (so far) for an active incident; only for the
    coordinator and the members (``org_id=None``: the instance's operator)."""
    incident = get_incident(session, incident_id, org_id)
    report = incident.debrief if incident.state == "concluded" else debrief(session, incident, clock.now())
    if org_id is None or org_id == incident.coordinator_id:
        return report
    return {**report, "timeline": [_as_member_sees(e, org_id, incident) for e in report["timeline"]]}


def _as_member_sees(event: Mapping[str, Any], org_id: str, incident: Incident) -> dict[str, Any]:
    """A member sees the coordinator's and its own events in full; of another member's, only when and what
    (its cases, decisions and reviewers stay its own)."""
    if event.get("org_id") in (org_id, incident.coordinator_id):
        return dict(event)
    return {**event, "actor": "another member", "org_id": None, "subject": None}


# ---- policy reviews after an incident ----------------------------------------------------------------


def _open_review_tasks(session: Session, clock: Clock, actor: Actor, incident: Incident) -> None:
    now = clock.now()
    for provider_id in members(session, incident):
        task = PolicyReviewTask(id=new_id("prt"), incident_id=incident.id, provider_id=provider_id,
                                state="open", created_at=now, due_at=now + timedelta(days=REVIEW_DAYS))
        session.add(task)
        session.flush()
        record(session, clock, actor, Event.POLICIES_REVIEW_TASK_OPEN, subject=task.id, org_id=provider_id,
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
    record(session, clock, actor, Event.POLICIES_REVIEW_TASK_DONE, subject=task.id, org_id=provider_id,
           payload={"provider_id": provider_id, "incident_id": task.incident_id})
    return task
