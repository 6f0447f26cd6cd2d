"""Demo data: two policy versions per provider (the second adds German law and one automatic action),
and the hub's drill still running (the concluded incident is seeded with the banks, which hash and match it)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from accord.audit.service import Actor
from accord.clock import Clock, FrozenClock
from accord.demo import DemoWorld
from accord.flows import incidents
from accord.policies import service
from accord.policies.jurisdictions import guide_rules
from accord.settings import Settings

DEMO_ACTOR = Actor("demo:seed", None)
ALL_CRITERIA = dict.fromkeys(incidents.CRITERIA, True)


def _second_body(first: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(first)
    for rule in body["rules"]:
        if rule["category"] == "glorification":
            rule["action"], rule["text"] = "remove", "We remove content that praises terrorist attacks or attackers."
    body["overlays"] += [{"jurisdiction": "DE", **rule} for rule in guide_rules("DE")]
    body["automation"] = [{"category": "instruction", "sources": ["coordinator_bank"], "action": "remove",
                           "sample_share": 0.1, "min_confidence": 0.95}]
    return body


def _policy(session: Session, clock: Clock, provider_id: str) -> None:
    policy = service.create_policy(session, clock, DEMO_ACTOR, provider_id=provider_id,
                                   name="Terrorist and violent extremist content", template="small-provider-eu")
    service.publish_version(session, clock, DEMO_ACTOR, policy_id=policy.id, provider_id=provider_id, number=1)
    service.activate_version(session, clock, DEMO_ACTOR, policy_id=policy.id, provider_id=provider_id, number=1)
    first = service.get_version(session, policy.id, provider_id, 1).body
    service.create_version(session, clock, DEMO_ACTOR, policy_id=policy.id, provider_id=provider_id,
                           body=_second_body(first), note="German law overlay; automatic removal of "
                           "instructions matched in the hub's curated bank, 10% verified by a reviewer")
    service.publish_version(session, clock, DEMO_ACTOR, policy_id=policy.id, provider_id=provider_id, number=2)
    service.activate_version(session, clock, DEMO_ACTOR, policy_id=policy.id, provider_id=provider_id, number=2)


def _incidents(session: Session, clock: Clock, hub_id: str) -> None:
    """The drill still running; the concluded incident is seeded with the banks (its hashes and matches must
    come before its conclusion writes the debrief)."""
    incidents.declare_incident(
        session, FrozenClock(clock.now() - timedelta(minutes=20)), DEMO_ACTOR, coordinator_id=hub_id,
        title="Quarterly crisis drill (demo)", level="content_incident", criteria=ALL_CRITERIA, drill=True,
        description="Exercise of the Content Incident Protocol with test hashes.")


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    """Policies for both demo providers, then the hub's incidents."""
    for slug in ("smallvideo", "forumnest"):
        _policy(session, clock, world.orgs[slug].id)
    _incidents(session, clock, world.orgs["hub"].id)


