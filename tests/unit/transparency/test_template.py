"""The DSA report in the harmonised template's layout (Implementing Regulation (EU) 2024/2835): eleven sections
in order, figures from events, Art. 21 disputes recorded through the service and Art. 23 suspensions counted."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound
from accord.identity.models import Organisation
from accord.rights.profile import set_micro_small
from accord.transparency import disputes, service, template
from tests.factories import TEST_ACTOR, make_org
from tests.unit.transparency import decided, history

SECTIONS = [
    "Report identification", "Categories", "Orders from Member States' authorities (Art. 9 and Art. 10)",
    "Notices (Art. 16)", "Own-initiative content moderation: illegal content",
    "Own-initiative content moderation: terms and conditions",
    "Complaints (Art. 20), out-of-court disputes (Art. 21) and suspensions (Art. 23)", "Use of automated means",
    "Human resources dedicated to content moderation", "Average monthly active recipients",
    "Qualitative information",
]


@pytest.fixture
def provider(session: Session, clock: FrozenClock) -> str:
    clock.set(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    return make_org(session, clock, "provider", country="IE").id


def _rows(report: dict[str, Any], number: int) -> dict[tuple[str, str], Any]:
    [section] = [s for s in report["sections"] if s["section"] == number]
    return {(row["row"], row["breakdown"]): row["value"] for row in section["rows"]}


def _report(session: Session, clock: FrozenClock, provider: str) -> dict[str, Any]:
    org = session.get(Organisation, provider)
    assert org is not None
    return template.dsa_template(session, clock, org=org, year=2026)


def _history(session: Session, clock: FrozenClock, provider: str) -> None:
    authority = make_org(session, clock, "authority").id
    history.notice(session, clock, provider_id=provider, issuer_id=authority, kind="removal_order",
                   member_state="FR", seconds_to_ack=600, outcome="removed", seconds_to_act=1800)
    history.notice(session, clock, provider_id=provider, issuer_id=authority, kind="removal_order",
                   member_state="DE", seconds_to_ack=120, outcome="removed", seconds_to_act=3600)
    history.notice(session, clock, provider_id=provider, issuer_id=authority, kind="trusted_flag",
                   issuer_kind="trusted_flagger", outcome="removed", seconds_to_act=7200)
    history.decision(session, clock, provider, sources=["trusted_flag"])
    history.decision(session, clock, provider, sources=["hash_match"], automated_detection=True,
                     automated_decision="fully")
    history.decision(session, clock, provider, sources=["hash_match"], automated_detection=True,
                     automated_decision="fully", ground_kind="terms", ground_ref="Rules 9", action="restrict")
    for overturned in (True, False, False, False):
        history.event(session, clock, Event.CASES_QUALITY_REVIEW, provider, provider_id=provider, kind="verification",
                      decision_id="dec_x", agree=not overturned, overturned=overturned)
    for kind, consequence in (("uploader", "warning"), ("uploader", "suspension"), ("notifier", "suspension")):
        history.event(session, clock, Event.CASES_STRIKE_RECORD, provider, provider_id=provider, subject_kind=kind,
                      subject_ref="u1", decision_id="dec_x", count=3, consequence=consequence)


def test_the_report_has_the_templates_sections_and_figures(session: Session, clock: FrozenClock,
                                                           provider: str) -> None:
    _history(session, clock, provider)
    [first, second] = decided.statements(session, clock, provider, 2)
    one = disputes.file_dispute(session, clock, TEST_ACTOR, provider_id=provider, decision_id=first.decision_id,
                                body_name="Appeals Centre Europe", certified_by="ie", reference="ACE-1")
    two = disputes.file_dispute(session, clock, TEST_ACTOR, provider_id=provider, decision_id=second.decision_id,
                                body_name="User Rights", certified_by="DE")
    clock.advance(days=30)
    disputes.decide_dispute(session, clock, TEST_ACTOR, provider_id=provider, dispute_id=one.id, outcome="reversed")
    clock.advance(days=30)
    disputes.decide_dispute(session, clock, TEST_ACTOR, provider_id=provider, dispute_id=two.id, outcome="upheld")
    report = _report(session, clock, provider)
    assert [s["name"] for s in report["sections"]] == SECTIONS
    assert [s["section"] for s in report["sections"]] == list(range(1, 12))
    assert "2024/2835" in report["template"]
    assert _rows(report, 1)[("Member State of establishment", "")] == "IE"
    assert ("Category", "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY") in _rows(report, 2)
    orders = _rows(report, 3)
    assert orders[("Number of orders to act against illegal content received", "FR")] == 1
    assert orders[("Median time to inform the authority of receipt (hours)", "DE")] == round(120 / 3600, 2)
    assert orders[("Median time to give effect to the order (hours)", "DE")] == 1.0
    notices = _rows(report, 4)
    assert notices[("Number of notices submitted by trusted flaggers", "")] == 1
    assert notices[("Median time to take action (hours)", "")] == 2.0
    own_legal, own_terms = _rows(report, 5), _rows(report, 6)
    assert own_legal[("Number of own-initiative restrictions", "")] == 1
    assert own_terms[("Number of own-initiative restrictions", "restrict")] == 1
    appeals = _rows(report, 7)
    assert appeals[("Number of disputes submitted to out-of-court dispute settlement bodies", "")] == 2
    assert appeals[("Outcome of the disputes", "reversed")] == 1 and appeals[("Outcome of the disputes", "upheld")] == 1
    assert appeals[("Median time to complete the dispute settlement procedure (days)", "")] == 45
    assert appeals[("Share of disputes in which the body found against the provider", "")] == 0.5
    assert appeals[("Number of suspensions for manifestly illegal content (Art. 23(1))", "")] == 1
    assert appeals[("Number of suspensions for manifestly unfounded notices (Art. 23(2))", "")] == 1
    automated = _rows(report, 8)
    assert automated[("Number of automated decisions verified by a human reviewer", "")] == 4
    assert automated[("Error rate of automated decisions (overturned share of those verified)", "")] == 0.25


def test_csv_and_json_through_the_service(session: Session, clock: FrozenClock, provider: str) -> None:
    _history(session, clock, provider)
    as_json = json.loads(service.report(session, clock, org_id=provider, year=2026, fmt="dsa-template"))
    lines = list(csv.DictReader(io.StringIO(service.report(session, clock, org_id=provider, year=2026,
                                                           fmt="dsa-template-csv"))))
    assert sum(len(s["rows"]) for s in as_json["sections"]) == len(lines)
    assert {line["section_name"] for line in lines} == set(SECTIONS)
    authority = make_org(session, clock, "authority").id
    with pytest.raises(InvalidInput):
        service.report(session, clock, org_id=authority, year=2026, fmt="dsa-template")
    with pytest.raises(InvalidInput):
        service.report(session, clock, org_id=provider, year=2026, fmt="xlsx")


def test_a_micro_or_small_provider_is_told_which_sections_it_is_spared(session: Session, clock: FrozenClock,
                                                                       provider: str) -> None:
    set_micro_small(session, clock, TEST_ACTOR, org_id=provider, micro_small=True)
    report = _report(session, clock, provider)
    assert [s["section"] for s in report["sections"]] == [1, 2, 3, 11]
    [row] = report["sections"][2]["rows"]
    assert "Art. 15(2)" in row["note"] and "Art. 24(3)" in row["note"]
    assert "Art. 24(5)" in report["sections"][3]["rows"][1]["value"]


def test_disputes_are_checked_and_scoped(session: Session, clock: FrozenClock, provider: str) -> None:
    [statement] = decided.statements(session, clock, provider, 1)
    other = make_org(session, clock, "provider").id
    with pytest.raises(NotFound):
        disputes.file_dispute(session, clock, TEST_ACTOR, provider_id=other, decision_id=statement.decision_id,
                              body_name="ACE", certified_by="IE")
    with pytest.raises(InvalidInput):
        disputes.file_dispute(session, clock, TEST_ACTOR, provider_id=provider, decision_id=statement.decision_id,
                              body_name="ACE", certified_by="Ireland")
    with pytest.raises(InvalidInput):
        disputes.file_dispute(session, clock, TEST_ACTOR, provider_id=provider, decision_id=statement.decision_id,
                              body_name="ACE", certified_by="IE", filed_at=clock.now() + timedelta(days=1))
    dispute = disputes.file_dispute(session, clock, TEST_ACTOR, provider_id=provider,
                                    decision_id=statement.decision_id, body_name="ACE", certified_by="IE")
    with pytest.raises(InvalidInput):
        disputes.decide_dispute(session, clock, TEST_ACTOR, provider_id=provider, dispute_id=dispute.id,
                                outcome="won")
    with pytest.raises(NotFound):
        disputes.decide_dispute(session, clock, TEST_ACTOR, provider_id=other, dispute_id=dispute.id,
                                outcome="upheld")
    disputes.decide_dispute(session, clock, TEST_ACTOR, provider_id=provider, dispute_id=dispute.id, outcome="settled")
    with pytest.raises(Conflict):
        disputes.decide_dispute(session, clock, TEST_ACTOR, provider_id=provider, dispute_id=dispute.id,
                                outcome="upheld")
