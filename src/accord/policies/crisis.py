"""The read side of crisis incidents: which are active, and how much a case carrying their tag rises.

Banks (the tags of an incident bank's entries) and cases (triage) read this; declaring, escalating and
concluding an incident span banks, cases and policies and live in ``accord.flows.incidents``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accord.policies.models import Incident

# GIFCT's levels, from situational awareness to the full protocol; each raises case priority further.
LEVELS = ("incident", "content_incident", "content_incident_protocol")
BOOST = {"incident": 1, "content_incident": 2, "content_incident_protocol": 3}


def active_incidents(session: Session, at: datetime) -> list[Incident]:
    """Incidents (drills included) active at ``at``: declared before it and not concluded by then."""
    query = select(Incident).where(Incident.declared_at <= at,
                                   or_(Incident.concluded_at.is_(None), Incident.concluded_at > at))
    return list(session.scalars(query.order_by(Incident.declared_at)))


def active_incident_bank(session: Session, bank_id: str, at: datetime) -> Incident | None:
    """The incident active at ``at`` whose bank is ``bank_id``, if any (what ``incident_bank`` automation names)."""
    return next((i for i in active_incidents(session, at) if i.bank_id == bank_id), None)


def priority_boost_for(tags: Iterable[str], active: Iterable[Incident]) -> int:
    """How much to raise a case's priority for the incident tags it carries: 0 without an active incident,
    otherwise 1-3 by the highest level (awareness, content incident, full protocol)."""
    wanted = set(tags)
    return max((BOOST[i.level] for i in active if i.tag in wanted), default=0)
