"""Decisions: a ground is required, statements of reasons are complete, the audit payload is the contract."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accord.audit.models import AuditEvent
from accord.cases import claims, decisions
from accord.cases.models import Statement
from accord.errors import Conflict, InvalidInput
from accord.flows import decisions as flows
from accord.transparency.sor_rules import validate_statement
from tests.unit.cases.conftest import Provider

REMOVE = decisions.DecisionInput(action="remove", ground="TCO Art. 2(7)(a)", facts="video glorifying an attack",
                                 ground_explanation="incites to commit a terrorist offence")
ART_17_3 = ("restriction", "facts_and_circumstances", "automated_means", "legal_ground", "contractual_ground",
            "redress")
DECISION_PAYLOAD = ("case_id", "provider_id", "action", "countries", "ground_kind", "ground_ref",
                    "automated_detection", "automated_decision", "exempt_purpose", "notice_ids", "sources",
                    "content_type", "policy_version_id")


@pytest.mark.parametrize("field,change", [("ground", {"ground": "  "}), ("facts", {"facts": ""}),
                                          ("action", {"action": "delete"}),
                                          ("countries", {"action": "disable"}),
                                          ("countries", {"action": "disable", "countries": ["Germany"]}),
                                          ("exempt_purpose", {"exempt_purpose": "fun"}),
                                          ("exempt_purpose", {"exempt_purpose": "journalistic"})])
def test_incomplete_or_contradictory_decisions_are_refused(provider: Provider, field: str,
                                                           change: dict[str, object]) -> None:
    case = provider.case("x", ["hash_match"])
    data = decisions.DecisionInput(**{**REMOVE.__dict__, **change})
    with pytest.raises(InvalidInput) as caught:
        flows.decide(provider.session, provider.clock, provider.admin, case.id, data)
    assert caught.value.field == field
    assert case.state == "open"


def test_a_decision_yields_a_complete_statement_of_reasons(provider: Provider) -> None:
    p = provider
    case = p.case("x", ["hash_match"], media=[{"url": "https://cdn.example.org/x.mp4", "type": "video"}],
                  language="fr")
    decision = flows.decide(p.session, p.clock, p.admin, case.id, REMOVE)
    statement = p.session.get(Statement, decision.statement_id)
    assert statement is not None
    assert set(ART_17_3) <= set(statement.elements)
    assert statement.elements["legal_ground"]["reference"] == "TCO Art. 2(7)(a)"
    assert statement.elements["contractual_ground"] is None
    assert statement.elements["automated_means"] == {"detection": True, "decision": False}
    assert statement.elements["facts_and_circumstances"]["basis"] == "own initiative"
    assert statement.body is not None and statement.exemption is None
    assert validate_statement(statement.body) == []
    assert statement.body["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert statement.body["content_type"] == ["CONTENT_TYPE_VIDEO"]
    assert (case.state, case.decided_at, case.claimed_by) == ("decided", p.clock.now(), None)


def test_terms_ground_and_geo_block(provider: Provider) -> None:
    p = provider
    case = p.case("x", ["hash_match"])
    data = decisions.DecisionInput(action="disable", countries=["de", "AT"], ground="Community rules §4.2",
                                   facts="praises a banned group")
    decision = flows.decide(p.session, p.clock, p.admin, case.id, data)
    statement = p.session.get(Statement, decision.statement_id)
    assert statement is not None and statement.body is not None
    assert decision.ground_kind == "terms" and decision.countries == ["AT", "DE"]
    assert statement.body["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert statement.body["territorial_scope"] == ["AT", "DE"]
    assert validate_statement(statement.body) == []


def test_removal_order_and_no_action_statements_record_their_exemption(provider: Provider) -> None:
    p = provider
    for key, sources, data in (("order", ["removal_order"], REMOVE),
                               ("fine", ["hash_match"], decisions.DecisionInput(
                                   action="no_action", ground="Terms §1", facts="documentary footage",
                                   exempt_purpose="journalistic", exemption_assessment="news outlet"))):
        case = p.case(key, sources, deadline_minutes=60 if key == "order" else None)
        decision = flows.decide(p.session, p.clock, p.admin, case.id, data)
        statement = p.session.get(Statement, decision.statement_id)
        assert statement is not None and statement.body is None and statement.exemption
        assert set(ART_17_3) <= set(statement.elements)
    assert decision.exempt_purpose == "journalistic"


def test_decision_event_carries_the_documented_payload(provider: Provider) -> None:
    p = provider
    case = p.case("x", ["hash_match"])
    decision = flows.decide(p.session, p.clock, p.admin, case.id, REMOVE)
    event = p.session.scalar(select(AuditEvent).where(AuditEvent.tag == "cases:decision:create"))
    assert event is not None and event.subject == decision.id and event.org_id == p.id
    assert set(DECISION_PAYLOAD) <= set(event.payload)
    assert event.payload["ground_kind"] == "legal" and event.payload["sources"] == ["hash_match"]


def test_a_case_is_decided_once(provider: Provider) -> None:
    p = provider
    case = p.case("x", ["hash_match"])
    flows.decide(p.session, p.clock, p.admin, case.id, REMOVE)
    with pytest.raises(Conflict):
        flows.decide(p.session, p.clock, p.admin, case.id, REMOVE)


def test_preview_saves_nothing(provider: Provider) -> None:
    p = provider
    case = p.case("x", ["trusted_flag"])
    shown = decisions.preview(case, p.admin.ref, REMOVE, p.clock)
    assert shown["body"]["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert p.session.scalar(select(Statement)) is None
    assert claims.get_case(p.session, p.id, case.id).state == "open"


def test_ground_kind_is_inferred() -> None:
    from accord.cases.statements import infer_ground_kind

    assert infer_ground_kind("TCO Art. 2(7)") == "legal"
    assert infer_ground_kind("§ 129a StGB") == "legal"
    assert infer_ground_kind("Terms §4.2") == "terms"
    assert infer_ground_kind("Community guideline 4: violent extremism") == "terms"
