"""HASH-06: a provider's checklist against the GIFCT membership criteria follows what Accord records of it."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy.orm import Session

from accord.audit.service import Actor
from accord.banks import service as banks
from accord.clock import FrozenClock
from accord.errors import PermissionDenied
from accord.identity import service as identity
from accord.identity.scopes import ALL_SCOPES
from accord.identity.service import Principal
from accord.policies import service
from accord.policies.templates import template_body
from accord.transparency import membership
from tests.factories import OrgHandle, make_org


def _principal(handle: OrgHandle) -> Principal:
    return Principal(org_id=handle.id, org_kind=handle.kind, ref="test:admin", scopes=frozenset(ALL_SCOPES))


def _activate(session: Session, clock: FrozenClock, handle: OrgHandle, body: dict[str, object]) -> None:
    actor = Actor("test:admin", handle.id)
    policy = service.create_policy(session, clock, actor, provider_id=handle.id, name="Terms", body=body)
    service.publish_version(session, clock, actor, policy_id=policy.id, provider_id=handle.id, number=1)
    service.activate_version(session, clock, actor, policy_id=policy.id, provider_id=handle.id, number=1)


def _statuses(assessment: membership.SelfAssessment) -> dict[str, str]:
    return {c.id: c.status for c in assessment.criteria}


def test_a_new_provider_meets_nothing_yet_and_is_told_what_to_do(session: Session, clock: FrozenClock) -> None:
    handle = make_org(session, clock, "provider")
    assessment = membership.self_assessment(session, clock, _principal(handle))
    assert _statuses(assessment) == {"public_prohibition": "not_met", "reports_and_appeals": "not_met",
                                     "technical_solutions": "not_met", "transparency_report": "to_confirm"}
    assert assessment.summary == {"met": 0, "not_met": 3, "to_confirm": 1}
    assert all(c.next_step for c in assessment.criteria)


def test_terms_contact_point_and_a_bank_meet_the_three_criteria_accord_can_see(session: Session,
                                                                               clock: FrozenClock) -> None:
    handle = make_org(session, clock, "provider", country="FR")
    principal = _principal(handle)
    _activate(session, clock, handle, template_body(["EU"]))
    identity.update_contact_point(session, clock, principal, email="orders@p.example", phone=None, languages=["fr"])
    banks.create_bank(session, clock, principal, name="own")
    assessment = membership.self_assessment(session, clock, principal)
    assert _statuses(assessment) == {"public_prohibition": "met", "reports_and_appeals": "met",
                                     "technical_solutions": "met", "transparency_report": "to_confirm"}
    prohibition = assessment.criteria[0]
    assert prohibition.evidence["missing"] == [] and prohibition.evidence["version"] == 1
    page = membership.as_markdown(assessment)
    assert "[x] **Terms that publicly prohibit" in page and "[?] **A regular, public transparency report" in page


def test_terms_that_do_not_prohibit_every_tco_type_are_named(session: Session, clock: FrozenClock) -> None:
    handle = make_org(session, clock, "provider")
    body = copy.deepcopy(template_body(["EU"]))
    body["rules"] = [r for r in body["rules"] if r["category"] != "threat"]
    body["overlays"] = [o for o in body["overlays"] if o["category"] != "threat"]
    for rule in body["rules"]:
        if rule["category"] == "instruction":
            rule["action"] = "restrict"
    _activate(session, clock, handle, body)
    [prohibition, *_] = membership.self_assessment(session, clock, _principal(handle)).criteria
    assert prohibition.status == "not_met" and prohibition.evidence["missing"] == ["instruction", "threat"]


def test_only_providers_assess_themselves(session: Session, clock: FrozenClock) -> None:
    with pytest.raises(PermissionDenied):
        membership.self_assessment(session, clock, _principal(make_org(session, clock, "authority")))
