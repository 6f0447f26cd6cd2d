"""Demo: a complaint answered with reasons, and the link its complainant follows (``/status/<token>``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.clock import Clock
from accord.demo import DemoWorld
from accord.identity.models import Member
from accord.rights import complaints, delivery
from accord.rights.decisions import DECISION_TAG
from accord.settings import Settings

ACTOR = Actor("demo:rights", None)


def _latest_removal(session: Session, provider_id: str) -> str | None:
    events = session.scalars(select(AuditEvent).where(AuditEvent.tag == DECISION_TAG,
                                                      AuditEvent.org_id == provider_id)
                             .order_by(AuditEvent.seq.desc()).limit(50))
    return next((e.subject for e in events if e.payload.get("action") == "remove"), None)


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    """The uploader of a removed video complained; a reviewer kept the decision, with reasons; the link is
    printed with the demo's logins."""
    provider = world.orgs["smallvideo"]
    decision_id = _latest_removal(session, provider.id)
    reviewer = session.scalar(select(Member.id).where(Member.org_id == provider.id).limit(1))
    if decision_id is None or reviewer is None:
        return
    filed = complaints.file_as(session, clock, settings, ACTOR, org_id=provider.id, decision_id=decision_id,
                               by="uploader", contact="complainant@example.org",
                               statement="The clip is from a documentary about the attack's victims.")
    complaints.decide_complaint(session, clock, settings, ACTOR, provider_id=provider.id,
                                complaint_id=filed.complaint.id, outcome="upheld", reviewer_id=reviewer,
                                reasons="The clip is the attackers' own footage with a call to join them; the "
                                        "documentary framing is captions only. It incites terrorist offences "
                                        "(TCO Art. 2(7)(a)).")
    world.links.append(("complainant's status page", delivery.status_url(settings, filed.status_token)))


