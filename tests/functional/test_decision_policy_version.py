"""Every decision records the provider's policy version in force (issue 7): in its row, its audit event, the
API's decision output and, where its ground cites the policy, its statement of reasons. Editing the policy
later changes what later decisions record, never what earlier ones recorded."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.cases import service
from accord.cases.models import Decision, Statement
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows import decisions as flows
from accord.matching import lookup
from accord.matching.lookup import QuerySignal
from accord.matching.service import Matcher
from accord.policies import service as policies
from tests.factories import TEST_ACTOR, OrgHandle, make_org
from tests.unit.banks.helpers import PDQ_A, bank_with, org

RULES_V1 = [{"category": "incitement", "action": "remove", "clause_ref": "4.1", "text": "No incitement."},
            {"category": "glorification", "action": "review", "clause_ref": "4.7", "text": "We review praise."}]
RULES_V2 = [{"category": "incitement", "action": "remove", "clause_ref": "4.1",
             "text": "No incitement to terrorist offences, in any language."},
            {"category": "glorification", "action": "remove", "clause_ref": "4.8", "text": "No praise of attacks."}]


@pytest.fixture
def provider(factory: sessionmaker[Session], clock: FrozenClock) -> OrgHandle:
    with unit_of_work(factory) as session:
        return make_org(session, clock, "provider")


def _case(factory: sessionmaker[Session], clock: FrozenClock, provider_id: str, value: str) -> str:
    with unit_of_work(factory) as session:
        case, _ = service.open_case_from_match(session, clock, TEST_ACTOR, provider_id=provider_id,
                                               signal_type="md5", value=value)
        return case.id


def _put_in_force(client: TestClient, handle: OrgHandle, policy_id: str, number: int) -> str:
    """Publish and activate one version; its id."""
    for step in ("publish", "activate"):
        response = client.post(f"/v1/policies/{policy_id}/versions/{number}/{step}", headers=handle.headers)
        assert response.status_code == 200, response.text
    version = client.get(f"/v1/policies/{policy_id}/versions/{number}", headers=handle.headers).json()
    return str(version["id"])


def _decide(client: TestClient, handle: OrgHandle, case_id: str, **decision: Any) -> dict[str, Any]:
    claimed = client.post("/v1/cases/next", headers=handle.headers)
    assert claimed.status_code == 200 and claimed.json()["id"] == case_id
    response = client.post(f"/v1/cases/{case_id}/decision", json={"facts": "calls to attack", **decision},
                           headers=handle.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _statement(client: TestClient, handle: OrgHandle, decision: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/v1/statements/{decision['statement_id']}", headers=handle.headers)
    assert response.status_code == 200
    elements: dict[str, Any] = response.json()["elements"]
    return elements


def _payload(factory: sessionmaker[Session], decision_id: str) -> dict[str, Any]:
    with factory() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.tag == "cases:decision:create",
                                                        AuditEvent.subject == decision_id))
        assert event is not None
        return dict(event.payload)


def _stored(factory: sessionmaker[Session], decision_id: str) -> str | None:
    with factory() as session:
        decision = session.get(Decision, decision_id)
        assert decision is not None
        return decision.policy_version_id


def test_a_decision_keeps_the_version_it_applied_after_the_policy_is_edited(
        client: TestClient, provider: OrgHandle, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    created = client.post("/v1/policies", json={"name": "Terms", "body": {"rules": RULES_V1}},
                          headers=provider.headers)
    assert created.status_code == 201, created.text
    policy_id = created.json()["id"]
    v1 = _put_in_force(client, provider, policy_id, 1)

    first_case = _case(factory, clock, provider.id, "1" * 32)
    preview = client.post(f"/v1/cases/{first_case}/preview", headers=provider.headers,
                          json={"action": "remove", "ground": "4.1", "facts": "calls to attack"})
    assert preview.json()["elements"]["contractual_ground"]["policy"]["version_id"] == v1
    first = _decide(client, provider, first_case, action="remove", ground="4.1")
    assert first["policy_version_id"] == v1

    new = client.post(f"/v1/policies/{policy_id}/versions", json={"body": {"rules": RULES_V2}, "note": "stricter"},
                      headers=provider.headers)
    assert new.status_code == 201 and new.json()["number"] == 2
    clock.advance(minutes=5)
    v2 = _put_in_force(client, provider, policy_id, 2)
    assert v2 != v1

    second = _decide(client, provider, _case(factory, clock, provider.id, "2" * 32), action="remove",
                     ground="4.8", ground_explanation="No praise of attacks.")
    assert second["policy_version_id"] == v2
    assert _stored(factory, second["id"]) == v2 and _payload(factory, second["id"])["policy_version_id"] == v2
    assert _statement(client, provider, second)["contractual_ground"]["policy"] == {
        "policy_id": policy_id, "version": 2, "version_id": v2}

    # The first decision still records version 1: in its row, its event, its statement and the API.
    assert _stored(factory, first["id"]) == v1 and _payload(factory, first["id"])["policy_version_id"] == v1
    assert _statement(client, provider, first)["contractual_ground"]["policy"] == {
        "policy_id": policy_id, "version": 1, "version_id": v1}
    detail = client.get(f"/v1/cases/{first_case}", headers=provider.headers).json()
    assert [d["policy_version_id"] for d in detail["decisions"]] == [v1]


def test_a_ground_outside_the_policy_records_the_version_without_citing_it(
        client: TestClient, provider: OrgHandle, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    policy_id = client.post("/v1/policies", json={"name": "Terms", "body": {"rules": RULES_V1}},
                            headers=provider.headers).json()["id"]
    v1 = _put_in_force(client, provider, policy_id, 1)
    decision = _decide(client, provider, _case(factory, clock, provider.id, "3" * 32), action="remove",
                       ground="TCO Art. 2(7)(a)", ground_explanation="incites to commit a terrorist offence")
    assert decision["policy_version_id"] == v1 and _payload(factory, decision["id"])["policy_version_id"] == v1
    elements = _statement(client, provider, decision)
    assert elements["legal_ground"]["reference"] == "TCO Art. 2(7)(a)" and "policy" not in elements["legal_ground"]


def test_without_a_policy_in_force_nothing_is_recorded(client: TestClient, provider: OrgHandle,
                                                       factory: sessionmaker[Session], clock: FrozenClock) -> None:
    decision = _decide(client, provider, _case(factory, clock, provider.id, "4" * 32), action="remove",
                       ground="4.1")
    assert decision["policy_version_id"] is None
    assert _stored(factory, decision["id"]) is None
    payload = _payload(factory, decision["id"])
    assert "policy_version_id" in payload and payload["policy_version_id"] is None
    assert "policy" not in _statement(client, provider, decision)["contractual_ground"]

    # A policy written but never activated is not in force either.
    created = client.post("/v1/policies", json={"name": "Draft terms", "body": {"rules": RULES_V1}},
                          headers=provider.headers)
    assert created.status_code == 201
    later = _decide(client, provider, _case(factory, clock, provider.id, "5" * 32), action="remove", ground="4.1")
    assert later["policy_version_id"] is None and _stored(factory, later["id"]) is None


def test_an_automatic_decision_records_the_version_that_allowed_it(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    bank_with(session, clock, hub, visibility="all", labels=("radicalisation_recruitment_instruction",))
    policy = policies.create_policy(session, clock, TEST_ACTOR, provider_id=provider.org_id, name="TVEC",
                                    template="small-provider-eu")
    body = {**policies.get_version(session, policy.id, provider.org_id, 1).body, "automation": [
        {"category": "instruction", "sources": ["coordinator_bank"], "action": "remove", "sample_share": 0.1}]}
    version = policies.create_version(session, clock, TEST_ACTOR, policy_id=policy.id,
                                      provider_id=provider.org_id, body=body, note="automatic removal")
    for step in (policies.publish_version, policies.activate_version):
        step(session, clock, TEST_ACTOR, policy_id=policy.id, provider_id=provider.org_id, number=2)
    allowed = lookup.automatic_action(session, provider, lookup.lookup(session, Matcher(), provider.org_id,
                                                                       [QuerySignal("pdq", PDQ_A)]))
    assert allowed is not None and allowed.version_id == version.id

    outcome = lookup.match_content(session, clock, Matcher(), provider, [QuerySignal("pdq", PDQ_A)],
                                   decide=flows.decide)
    assert outcome.action == "remove"
    [decision] = session.scalars(select(Decision).where(Decision.case_id == outcome.case_id)).all()
    assert decision.automated_decision and decision.policy_version_id == version.id
    event = session.scalar(select(AuditEvent).where(AuditEvent.subject == decision.id))
    assert event is not None and event.payload["policy_version_id"] == version.id
    statement = session.get(Statement, decision.statement_id)
    assert statement is not None and statement.elements["contractual_ground"]["policy"]["version_id"] == version.id
