"""The stored statement of a decision and the export from the audit trail tell the Transparency Database the
same ``content_date``, ``puid`` (in the provider's namespace) and ``category`` (following the ground)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.cases import decisions, intake
from accord.cases.models import Statement
from accord.clock import FrozenClock
from accord.flows import decisions as flows
from accord.identity import service as identity
from accord.identity.models import Member, Organisation
from accord.identity.service import Principal
from accord.policies import service as policies
from accord.transparency import export, service
from tests.factories import TEST_ACTOR, make_org

GRAPHIC = decisions.DecisionInput(action="remove", ground="Community rules 4.2", ground_kind="terms",
                                  facts="A beheading video posted without context.",
                                  ground_explanation="Graphic violence is not allowed on the service.")
TCO = decisions.DecisionInput(action="remove", ground="TCO Art. 2(7)(a)", facts="Glorifies the attack.")


def _principal(session: Session, org_id: str) -> Principal:
    member = session.scalar(select(Member).where(Member.org_id == org_id))
    assert member is not None
    return identity.member_principal(session, member)


def _decide(session: Session, clock: FrozenClock, org_id: str, key: str, data: decisions.DecisionInput) -> Statement:
    case, _ = intake.open_or_join(session, clock, TEST_ACTOR, provider_id=org_id, content_keys=[key],
                                  source="user_report", urls=[key], title=key)
    clock.advance(days=2)  # decided two days after the case opened: the decision's day is not the content's
    decision = flows.decide(session, clock, _principal(session, org_id), case.id, data)
    statement = session.get(Statement, decision.statement_id)
    assert statement is not None and statement.body is not None
    return statement


def _exported(session: Session, org_id: str) -> dict[str, dict[str, Any]]:
    namespace = service.puid_namespace(session, org_id)
    return {body["puid"]: body for body in export.statements(session, provider_id=org_id, namespace=namespace)}


@pytest.fixture
def provider(session: Session, clock: FrozenClock) -> str:
    clock.set(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    return make_org(session, clock, "provider").id


def test_content_date_and_puid_are_the_same_in_the_statement_and_the_export(
        session: Session, clock: FrozenClock, provider: str) -> None:
    stored = _decide(session, clock, provider, "https://example.org/a", TCO).body
    assert stored is not None
    exported = _exported(session, provider)
    assert list(exported) == [stored["puid"]]
    assert exported[stored["puid"]]["content_date"] == stored["content_date"] == date(2026, 3, 1).isoformat()
    assert stored["application_date"] == "2026-03-03"


def test_puid_is_in_the_provider_namespace(session: Session, clock: FrozenClock, provider: str) -> None:
    other = make_org(session, clock, "provider").id
    mine = _decide(session, clock, provider, "https://example.org/a", TCO).body
    theirs = _decide(session, clock, other, "https://example.org/a", TCO).body
    assert mine is not None and theirs is not None
    assert mine["puid"].startswith(provider.replace("-", "_") + "-dec_")
    assert theirs["puid"].startswith(other.replace("-", "_") + "-dec_")
    org = session.get(Organisation, provider)
    assert org is not None
    org.settings = {**org.settings, "transparency.puid_namespace": "hostco"}
    configured = _decide(session, clock, provider, "https://example.org/b", TCO).body
    assert configured is not None and configured["puid"].startswith("hostco-dec_")
    assert configured["puid"] in _exported(session, provider)


def test_category_follows_the_ground(session: Session, clock: FrozenClock, provider: str) -> None:
    terrorist = _decide(session, clock, provider, "https://example.org/a", TCO).body
    violent = _decide(session, clock, provider, "https://example.org/b", GRAPHIC).body
    assert terrorist is not None and violent is not None
    assert terrorist["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    assert terrorist["category_specification"] == ["KEYWORD_TERRORIST_CONTENT"]
    assert violent["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert "KEYWORD_TERRORIST_CONTENT" not in violent["category_specification"]
    exported = _exported(session, provider)
    assert exported[violent["puid"]]["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert exported[terrorist["puid"]]["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"


def test_category_follows_the_policy_rule_the_ground_cites(session: Session, clock: FrozenClock,
                                                         provider: str) -> None:
    body = {"rules": [{"category": "graphic_violence", "action": "remove", "clause_ref": "Rules 9",
                       "text": "No gore."},
                      {"category": "glorification", "action": "remove", "clause_ref": "Rules 3",
                       "text": "No praise of attacks."}]}
    policy = policies.create_policy(session, clock, TEST_ACTOR, provider_id=provider, name="Rules", body=body)
    policies.publish_version(session, clock, TEST_ACTOR, policy_id=policy.id, provider_id=provider, number=1)
    policies.activate_version(session, clock, TEST_ACTOR, policy_id=policy.id, provider_id=provider, number=1)
    plain = decisions.DecisionInput(action="remove", ground="Rules 9", ground_kind="terms", facts="A clip.")
    praise = decisions.DecisionInput(action="remove", ground="Rules 3", ground_kind="terms", facts="A clip.")
    gore = _decide(session, clock, provider, "https://example.org/a", plain).body
    glorifying = _decide(session, clock, provider, "https://example.org/b", praise).body
    assert gore is not None and glorifying is not None
    assert gore["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert glorifying["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    exported = _exported(session, provider)
    assert exported[gore["puid"]]["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert exported[glorifying["puid"]]["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"


@pytest.mark.parametrize("restriction", ["demoted", "age_restricted", "interaction_restricted", "labelled"])
def test_a_restriction_is_the_same_in_the_statement_and_the_export(
        session: Session, clock: FrozenClock, provider: str, restriction: str) -> None:
    """The decision event carries the kind of restriction, so the export no longer says OTHER for every one."""
    restrict = decisions.DecisionInput(action="restrict", ground="Community rules 5", ground_kind="terms",
                                       facts="Praise of an attack in a comment thread.", restriction=restriction)
    stored = _decide(session, clock, provider, f"https://example.org/{restriction}", restrict).body
    assert stored is not None
    exported = _exported(session, provider)[stored["puid"]]
    expected = [f"DECISION_VISIBILITY_CONTENT_{restriction.upper()}"]
    assert stored["decision_visibility"] == exported["decision_visibility"] == expected
    assert "decision_visibility_other" not in exported
