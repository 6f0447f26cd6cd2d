"""DSA Art. 23 strikes: warning first, then suspension, at configurable thresholds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from accord.audit.models import AuditEvent
from accord.cases import config, decisions, strikes
from accord.cases.models import Statement, Strike
from accord.errors import InvalidInput
from accord.flows import decisions as flows
from accord.transparency.sor_rules import validate_statement
from tests.unit.cases.conftest import Provider


@pytest.mark.parametrize("count,warned,expected", [(1, False, "warning"), (2, True, "none"),
                                                   (3, True, "suspension"), (5, False, "warning"),
                                                   (0, False, "none")])
def test_consequence_warns_before_suspending(count: int, warned: bool, expected: str) -> None:
    assert strikes.consequence(count, 1, 3, warned) == expected


def _illegal(p: Provider, key: str, uploader: str) -> None:
    case = p.case(key, ["hash_match"], uploader=uploader)
    flows.decide(p.session, p.clock, p.admin, case.id, decisions.DecisionInput(
        action="remove", ground="TCO Art. 2(7)", facts="beheading video", manifestly_illegal=True))


def test_manifestly_illegal_uploads_lead_to_warning_then_suspension(provider: Provider) -> None:
    p = provider
    for i in range(3):
        _illegal(p, f"u{i}", "user:42")
    rows = list(p.session.scalars(select(Strike).order_by(Strike.created_at)))
    assert [r.consequence for r in rows] == ["warning", "none", "suspension"]
    assert strikes.status(p.session, p.clock, p.id, "uploader", "user:42")["standing"] == "suspension"
    assert strikes.status(p.session, p.clock, p.id, "uploader", "user:7")["standing"] == "good"


def test_thresholds_and_window_are_configurable(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id,
                                  {"uploader_warning_at": 2, "strike_window_days": 30})
    _illegal(p, "a", "user:1")
    p.clock.advance(days=31)
    _illegal(p, "b", "user:1")
    assert [r.consequence for r in p.session.scalars(select(Strike))] == ["none", "none"]


def test_unfounded_notices_strike_notifiers_only_when_nothing_was_done(provider: Provider) -> None:
    p = provider
    case = p.case("n", ["hash_match"])
    with pytest.raises(InvalidInput):
        flows.decide(p.session, p.clock, p.admin, case.id, decisions.DecisionInput(
            action="remove", ground="Terms §1", facts="x", unfounded_notifiers=["notifier:9"]))
    flows.decide(p.session, p.clock, p.admin, case.id, decisions.DecisionInput(
        action="no_action", ground="Terms §1", facts="a cooking video", unfounded_notifiers=["notifier:9"]))
    assert strikes.status(p.session, p.clock, p.id, "notifier", "notifier:9")["strikes"] == 1


def test_each_suspension_has_its_own_statement_of_reasons(provider: Provider) -> None:
    p = provider
    for i in range(3):
        _illegal(p, f"u{i}", "user:42")
    suspension = p.session.scalars(select(Strike).where(Strike.consequence == "suspension")).one()
    statements = list(p.session.scalars(select(Statement).where(Statement.decision_id == suspension.decision_id)
                                        .order_by(Statement.created_at)))
    assert len(statements) == 2  # the removal's and the suspension's
    body = statements[1].body
    assert body is not None and validate_statement(body) == []
    assert body["decision_account"] == "DECISION_ACCOUNT_SUSPENDED" and "decision_visibility" not in body
    assert body["puid"].endswith(suspension.id) and body["puid"] != statements[0].body["puid"]  # type: ignore[index]
    assert body["category"] == statements[0].body["category"]  # type: ignore[index]
    assert body["end_date_account_restriction"] == (p.clock.now() + timedelta(days=30)).date().isoformat()
    assert "Art. 23(1)" in body["decision_facts"] and body["source_type"] == "SOURCE_VOLUNTARY"
    event = p.session.scalars(select(AuditEvent).where(AuditEvent.tag == "cases:strike:record")
                              .order_by(AuditEvent.seq.desc())).first()
    assert event is not None and event.payload["statement_id"] == statements[1].id
    warnings = p.session.scalars(select(Strike).where(Strike.consequence != "suspension")).all()
    assert all(p.session.scalars(select(Statement).where(Statement.decision_id == w.decision_id)).one()
               for w in warnings)  # a warning restricts nothing: no statement of its own


def test_a_notifier_suspension_suspends_the_handling_of_its_notices(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id,
                                  {"notifier_warning_at": 1, "notifier_suspension_at": 2, "suspension_days": 14})
    for key in ("n1", "n2"):
        case = p.case(key, ["user_report"])
        flows.decide(p.session, p.clock, p.admin, case.id, decisions.DecisionInput(
            action="no_action", ground="Terms §1", facts="a cooking video", unfounded_notifiers=["notifier:9"]))
    [statement] = p.session.scalars(select(Statement).where(Statement.exemption.is_(None))).all()
    assert statement.body is not None and validate_statement(statement.body) == []
    assert statement.body["decision_provision"] == "DECISION_PROVISION_PARTIAL_SUSPENSION"
    assert statement.body["category"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert statement.body["end_date_service_restriction"] == (p.clock.now() + timedelta(days=14)).date().isoformat()
