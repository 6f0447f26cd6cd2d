"""Joint exercises: the coordinator runs one drill across many providers at once.

A crisis scenario, played on the real paths: a drill incident is declared for the providers
(``accord.flows.incidents``: its bank is created and shared with them, they are told by webhook), the scenario's
hashes are shared in that bank, and each provider gets a drill order at a random moment of the window
(``accord.readiness.drills``). The report compares response times. The coordinator sees every provider by name;
a provider sees its own row and the group's anonymous figures (how many took part, the median, its rank), never
another provider's name, id or times.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.banks.service import EntryDetails, NewSignal, add_entries, get_bank
from accord.clock import Clock
from accord.db import new_id
from accord.errors import InvalidInput, NotFound
from accord.flows import incidents
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.readiness import drills
from accord.readiness.models import Drill, Exercise

SCENARIO_LEVEL = "content_incident_protocol"
SCENARIO_LABEL = "glorification_of_terrorist_acts"  # the crisis scenario: an attack and its glorification


def start(session: Session, clock: Clock, principal: Principal, *, title: str, provider_ids: Sequence[str],
          starts_after: datetime, ends_before: datetime, scenario: str = "",
          signals: Sequence[NewSignal] = (), rng: random.Random | None = None) -> Exercise:
    """Declare the drill incident, share the scenario's hashes in its bank, schedule one drill per provider."""
    principal.require_kind("coordinator")
    principal.require_scope("notices:write")
    chosen = list(dict.fromkeys(provider_ids))
    if len(chosen) < 2:
        raise InvalidInput("a joint exercise names at least two providers", field="provider_ids")
    if not title.strip():
        raise InvalidInput("title must not be empty", field="title")
    incident = incidents.declare_incident(
        session, clock, principal.actor, coordinator_id=principal.org_id, title=f"Exercise: {title.strip()}",
        level=SCENARIO_LEVEL, criteria=dict.fromkeys(incidents.CRITERIA, True), description=scenario, drill=True,
        member_ids=chosen)
    if signals and incident.bank_id:
        bank = get_bank(session, principal.org_id, incident.bank_id)
        details = EntryDetails(labels=[SCENARIO_LABEL], note=f"exercise: {title.strip()}")
        add_entries(session, clock, principal, bank, signals, details)
    exercise = Exercise(id=new_id("exr"), coordinator_id=principal.org_id, title=title.strip(), scenario=scenario,
                        incident_id=incident.id, created_by=principal.ref, created_at=clock.now())
    session.add(exercise)
    session.flush()
    draw = rng or random.SystemRandom()
    for provider_id in chosen:
        drills.schedule(session, clock, principal, provider_id=provider_id, starts_after=starts_after,
                        ends_before=ends_before, rng=draw, exercise_id=exercise.id)
    record(session, clock, principal.actor, Event.READINESS_EXERCISE_START, subject=exercise.id,
           org_id=principal.org_id, payload={"coordinator_id": principal.org_id, "incident_id": incident.id,
                                             "providers": chosen, "drill": True})
    return exercise


def drills_of(session: Session, exercise_id: str) -> list[Drill]:
    return list(session.scalars(select(Drill).where(Drill.exercise_id == exercise_id).order_by(Drill.id)))


def get_exercise(session: Session, principal: Principal, exercise_id: str) -> Exercise:
    """An exercise its coordinator or one of its providers may see; anyone else's is NotFound."""
    exercise = session.get(Exercise, exercise_id)
    if exercise is None:
        raise NotFound(f"no exercise {exercise_id!r}")
    if principal.org_id != exercise.coordinator_id and \
            principal.org_id not in {d.provider_id for d in drills_of(session, exercise.id)}:
        raise NotFound(f"no exercise {exercise_id!r}")
    return exercise


def list_exercises(session: Session, principal: Principal) -> list[Exercise]:
    mine = select(Drill.exercise_id).where(Drill.provider_id == principal.org_id, Drill.exercise_id.is_not(None))
    query = select(Exercise).where((Exercise.coordinator_id == principal.org_id) | Exercise.id.in_(mine))
    return list(session.scalars(query.order_by(Exercise.created_at.desc())))


@dataclass(frozen=True)
class Row:
    drill_id: str
    provider_id: str
    provider_name: str
    status: str
    times: dict[str, int | None]
    passed: bool


def _median(values: list[int]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def report(session: Session, clock: Clock, principal: Principal, exercise_id: str) -> dict[str, Any]:
    """The comparison of response times: every provider for the coordinator, one's own row and the group's
    anonymous figures for a provider."""
    exercise = get_exercise(session, principal, exercise_id)
    found = drills_of(session, exercise.id)
    providers = select(Organisation.id, Organisation.name).where(Organisation.id.in_([d.provider_id for d in found]))
    names: dict[str, str] = {org_id: name for org_id, name in session.execute(providers)}
    rows = []
    for drill in found:
        card = drills.scorecard(session, clock, drill)
        rows.append(Row(drill.id, drill.provider_id, names.get(drill.provider_id, ""), card.status, card.times(),
                        card.passed))
    actions = sorted(r.times["action"] for r in rows if r.times["action"] is not None)
    group = {"providers": len(rows), "passed": sum(r.passed for r in rows), "acted": len(actions),
             "median_seconds_to_action": _median(actions),
             "median_seconds_to_acknowledgement": _median(
                 [r.times["acknowledgement"] for r in rows if r.times["acknowledgement"] is not None])}
    base = {"id": exercise.id, "title": exercise.title, "scenario": exercise.scenario,
            "incident_id": exercise.incident_id, "created_at": exercise.created_at, "group": group}
    if principal.org_id == exercise.coordinator_id:
        return {**base, "rows": [vars(r) for r in rows]}
    own = next(r for r in rows if r.provider_id == principal.org_id)
    rank = None
    if own.times["action"] is not None:
        rank = 1 + sum(1 for other in actions if other < own.times["action"])
    return {**base, "rows": [vars(own)], "rank": rank}
