"""Incidents: the checklist, coordinators only, priority while active, webhooks, debrief and reviews."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event, unchecked
from accord.audit.service import Actor, record
from accord.banks.models import Bank
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.flows import incidents
from accord.jobs import webhooks
from accord.jobs.models import Job
from accord.policies import crisis, service
from accord.policies.models import Incident
from accord.settings import Settings
from tests.factories import TEST_ACTOR, make_org
from tests.unit.banks.helpers import bank_with, principal

ALL = dict.fromkeys(incidents.CRITERIA, True)


def _declare(session: Session, clock: FrozenClock, coordinator_id: str, **kwargs: Any) -> Incident:
    args: dict[str, Any] = {"title": "Attack in a city", "level": "content_incident_protocol", "criteria": ALL}
    return incidents.declare_incident(session, clock, Actor("test:hub", coordinator_id),
                                      coordinator_id=coordinator_id, **{**args, **kwargs})


def test_only_coordinators_declare(session: Session, clock: FrozenClock) -> None:
    for kind in ("provider", "authority", "trusted_flagger", "civil_society"):
        org = make_org(session, clock, kind)
        with pytest.raises(PermissionDenied):
            _declare(session, clock, org.id)


@pytest.mark.parametrize(("level", "criteria", "ok"), [
    ("content_incident_protocol", ALL, True),
    ("content_incident_protocol", {**ALL, "depicts_murder": False}, False),
    ("content_incident", {**ALL, "spreading": False}, False),
    ("incident", {"ongoing_event": True}, True),
    ("incident", {}, False),
    ("emergency", ALL, False),
    ("incident", {"ongoing_event": True, "rumour": True}, False),
])
def test_the_checklist_must_hold_for_the_level(session: Session, clock: FrozenClock, level: str,
                                               criteria: dict[str, bool], ok: bool) -> None:
    hub = make_org(session, clock, "coordinator")
    if ok:
        assert _declare(session, clock, hub.id, level=level, criteria=criteria).state == "active"
    else:
        with pytest.raises(InvalidInput):
            _declare(session, clock, hub.id, level=level, criteria=criteria)


def test_declaring_records_declarer_time_tag_and_tells_every_provider(
    session: Session, clock: FrozenClock, settings: Settings
) -> None:
    hub = make_org(session, clock, "coordinator")
    providers = [make_org(session, clock, "provider") for _ in range(2)]
    authority = make_org(session, clock, "authority")
    for org in [*providers, authority]:
        webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=org.id, url="http://127.0.0.1:9/h")
    first = _declare(session, clock, hub.id)
    second = _declare(session, clock, hub.id)
    assert first.declared_at == clock.now() and first.declared_by == "test:hub"
    assert first.tag == "incident-20260302-attack-in-a-city" and second.tag.endswith("-2")
    jobs = list(session.scalars(select(Job).where(Job.kind == "webhook.deliver")))
    assert sorted(j.org_id or "" for j in jobs) == sorted([p.id for p in providers] * 2)
    assert {j.payload["event"] for j in jobs} == {"incident.declared"}
    assert sorted(incidents.members(session, first)) == sorted(p.id for p in providers)  # same created_at


def test_declaring_creates_the_incident_bank_shared_with_the_named_members_only(
    session: Session, clock: FrozenClock, settings: Settings
) -> None:
    hub, other_hub = make_org(session, clock, "coordinator"), make_org(session, clock, "coordinator")
    member, outsider = make_org(session, clock, "provider"), make_org(session, clock, "provider")
    for org in (member, outsider):
        webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=org.id, url="http://127.0.0.1:9/h")
    incident = _declare(session, clock, hub.id, member_ids=[member.id])
    bank = session.get(Bank, incident.bank_id)
    assert bank is not None and (bank.org_id, bank.name, bank.visibility) == (hub.id, incident.tag, "shared")
    assert bank.shared_with == [member.id] and bank.accepts_contributions
    [job] = session.scalars(select(Job).where(Job.kind == "webhook.deliver"))
    assert job.org_id == member.id and job.payload["data"]["bank_id"] == bank.id
    for org_id in (hub.id, member.id):
        assert incidents.get_incident(session, incident.id, org_id) is incident
        assert [i.id for i in incidents.list_incidents(session, org_id=org_id)] == [incident.id]
    for org_id in (outsider.id, other_hub.id):
        with pytest.raises(NotFound):
            incidents.get_incident(session, incident.id, org_id)
        with pytest.raises(NotFound):
            incidents.incident_debrief(session, clock, incident.id, org_id)
        assert incidents.list_incidents(session, org_id=org_id) == []
    clock.advance(hours=1)
    incidents.conclude_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id)
    assert [t.incident_id for t in incidents.list_review_tasks(session, member.id)] == [incident.id]
    assert incidents.list_review_tasks(session, outsider.id) == []


@pytest.mark.parametrize("kind", ["coordinator", "authority"])
def test_only_providers_are_members(session: Session, clock: FrozenClock, kind: str) -> None:
    hub, stranger = make_org(session, clock, "coordinator"), make_org(session, clock, kind)
    with pytest.raises(InvalidInput) as refused:
        _declare(session, clock, hub.id, member_ids=[stranger.id])
    assert refused.value.field == "members"


def test_priority_rises_only_while_an_incident_is_active(session: Session, clock: FrozenClock) -> None:
    hub = make_org(session, clock, "coordinator")
    incident = _declare(session, clock, hub.id)
    start = clock.now()
    active = crisis.active_incidents(session, start)
    assert [i.id for i in active] == [incident.id]
    assert crisis.priority_boost_for([incident.tag, "other"], active) == 3
    assert crisis.priority_boost_for(["other"], active) == 0
    clock.advance(hours=2)
    incidents.conclude_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id)
    assert crisis.active_incidents(session, clock.now()) == []
    assert [i.id for i in crisis.active_incidents(session, start)] == [incident.id]  # as it was then
    assert service.priority_boost_for([incident.tag], service.active_incidents(session, clock.now())) == 0


def test_escalation_moves_the_level_and_checks_the_criteria(session: Session, clock: FrozenClock) -> None:
    hub = make_org(session, clock, "coordinator")
    incident = _declare(session, clock, hub.id, level="incident", criteria={"ongoing_event": True})
    with pytest.raises(InvalidInput):
        incidents.escalate_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id,
                                    level="content_incident_protocol")
    incidents.escalate_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id,
                                level="content_incident_protocol", criteria=ALL, reason="video confirmed")
    assert incident.level == "content_incident_protocol" and incident.criteria == ALL
    assert crisis.priority_boost_for([incident.tag], [incident]) == 3


def test_only_the_declaring_coordinator_concludes_and_only_once(session: Session, clock: FrozenClock) -> None:
    hub, other = make_org(session, clock, "coordinator"), make_org(session, clock, "coordinator")
    incident = _declare(session, clock, hub.id)
    with pytest.raises(NotFound):  # another coordinator's incident is not even visible
        incidents.conclude_incident(session, clock, TEST_ACTOR, coordinator_id=other.id, incident_id=incident.id)
    provider = make_org(session, clock, "provider")
    with pytest.raises(PermissionDenied):
        incidents.conclude_incident(session, clock, TEST_ACTOR, coordinator_id=provider.id, incident_id=incident.id)
    incidents.conclude_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id)
    with pytest.raises(Conflict):
        incidents.conclude_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id)
    with pytest.raises(NotFound):
        incidents.get_incident(session, "inc_missing")


def _facts(session: Session, clock: FrozenClock, incident: Incident, provider_id: str) -> None:
    """What banks, matching and the review console record during an incident: only the keys incident reports
    read, older shapes (``incident_tag``, ``tags``) included, so written unchecked."""
    system = Actor.system()
    with unchecked():
        clock.advance(minutes=12)
        record(session, clock, system, Event.BANKS_ENTRY_ADD, subject="ent_1", payload={"incident_tag": incident.tag})
        record(session, clock, system, Event.BANKS_ENTRY_ADD, subject="ent_2", payload={"tags": [incident.tag]})
        record(session, clock, system, Event.BANKS_ENTRY_ADD, subject="ent_x", payload={"tags": ["unrelated"]})
        clock.advance(minutes=8)
        record(session, clock, system, Event.MATCHING_MATCH_FOUND, subject="mat_1",
               payload={"provider_id": provider_id, "entry_id": "ent_1", "case_id": "cas_1"})
        record(session, clock, system, Event.MATCHING_MATCH_FOUND, subject="mat_x",
               payload={"provider_id": provider_id, "entry_id": "ent_x", "case_id": "cas_x"})
        clock.advance(minutes=5)
        record(session, clock, system, Event.CASES_DECISION_CREATE, subject="dec_1",
               payload={"case_id": "cas_1", "provider_id": provider_id, "action": "remove"})
        record(session, clock, system, Event.CASES_DECISION_CREATE, subject="dec_x",
               payload={"case_id": "cas_x", "provider_id": provider_id, "action": "remove"})


def test_a_drill_declare_to_debrief_under_a_frozen_clock(session: Session, clock: FrozenClock) -> None:
    hub, provider = make_org(session, clock, "coordinator"), make_org(session, clock, "provider")
    drill = _declare(session, clock, hub.id, title="Drill", drill=True)
    _facts(session, clock, drill, provider.id)
    live = incidents.incident_debrief(session, clock, drill.id)
    assert live["hashes_added"] == 2 and live["matches"] == 1
    clock.advance(hours=1)
    incidents.conclude_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=drill.id,
                                conclusion="drill done")
    report = incidents.incident_debrief(session, clock, drill.id)
    assert report["drill"] is True and report["duration_seconds"] == (25 + 60) * 60
    assert (report["hashes_added"], report["matches"], report["providers_matched"]) == (2, 1, 1)
    assert report["actions"] == {"remove": 1}
    assert (report["seconds_to_first_hash"], report["seconds_to_first_match"]) == (12 * 60, 20 * 60)
    assert [e["tag"] for e in report["timeline"]] == [
        "policies:incident:declare", "banks:bank:create", "policies:incident:link_bank", "banks:entry:add",
        "banks:entry:add", "matching:match:found", "cases:decision:create", "policies:incident:conclude"]
    assert incidents.list_review_tasks(session, provider.id) == []  # a drill asks nobody to review


def test_concluding_a_real_incident_opens_a_policy_review_per_provider(session: Session,
                                                                        clock: FrozenClock) -> None:
    hub = make_org(session, clock, "coordinator")
    providers = [make_org(session, clock, "provider") for _ in range(2)]
    incident = _declare(session, clock, hub.id)
    incidents.conclude_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id)
    [task] = incidents.list_review_tasks(session, providers[0].id)
    assert task.state == "open" and task.incident_id == incident.id
    assert (task.due_at - task.created_at).days == incidents.REVIEW_DAYS
    with pytest.raises(NotFound):
        incidents.complete_review_task(session, clock, TEST_ACTOR, provider_id=providers[1].id, task_id=task.id)
    incidents.complete_review_task(session, clock, TEST_ACTOR, provider_id=providers[0].id, task_id=task.id,
                                   note="added the incident bank to automation")
    assert task.state == "done"
    with pytest.raises(Conflict):
        incidents.complete_review_task(session, clock, TEST_ACTOR, provider_id=providers[0].id, task_id=task.id)


def test_another_of_the_coordinators_banks_may_become_the_incident_bank(session: Session,
                                                                        clock: FrozenClock) -> None:
    hub, provider = make_org(session, clock, "coordinator"), make_org(session, clock, "provider")
    incident = _declare(session, clock, hub.id)
    hub_list = bank_with(session, clock, principal(hub), "hub list", values=(), visibility="all")
    own_list = bank_with(session, clock, principal(provider), "own list", values=())
    for bank_id in ("bank_missing", own_list.id):
        with pytest.raises(NotFound):
            incidents.link_bank(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id,
                                bank_id=bank_id)
    incidents.link_bank(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id,
                        bank_id=hub_list.id)
    assert incident.bank_id == hub_list.id
