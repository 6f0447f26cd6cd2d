"""Statements built from decision events: every one passes the independent validator; exemptions are skipped."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from accord.clock import FrozenClock
from accord.law.sor import batches, to_json_lines
from accord.transparency import export
from accord.transparency.sor_rules import validate_batch, validate_statement
from tests.factories import make_org
from tests.unit.transparency import history

VARIANTS = [
    {},
    {"action": "disable", "countries": ["DE", "EL", "US"], "sources": ["trusted_flagger_notice"]},
    {"action": "restrict", "restriction": "demoted", "ground_kind": "terms", "ground_ref": "Community rules 4.2"},
    {"action": "restrict", "restriction": "shadow", "ground_kind": "terms", "ground_ref": "Rule 7"},
    {"automated_detection": True, "automated_decision": "fully", "sources": ["hash_match"], "content_type": "image"},
    {"automated_decision": True, "content_type": ["video", "audio"], "sources": ["referral"]},
    {"content_type": "hologram", "ground_ref": "§ 129a StGB", "facts": "x" * 6000},
    {"ground_explanation": "Contact admin@example.org for the full file.", "sources": ["user_notice"]},
    {"facts": "A private-use character \ue000 in the moderator's text stays as written."},
]


@pytest.fixture
def provider(session: Session, clock: FrozenClock) -> str:
    return make_org(session, clock, "provider").id


def test_every_exported_statement_is_valid(session: Session, clock: FrozenClock, provider: str) -> None:
    for variant in VARIANTS:
        history.decision(session, clock, provider, **variant)
    tally = export.ExportTally()
    bodies = list(export.statements(session, provider_id=provider, tally=tally))
    assert len(bodies) == len(VARIANTS) == tally.statements
    for body in bodies:
        assert validate_statement(body) == [], body
    for batch in batches(bodies):
        assert validate_batch(batch) == []
    assert {body["category"] for body in bodies} == {"STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"}
    assert all("KEYWORD_TERRORIST_CONTENT" in body["category_specification"] for body in bodies)


def test_each_json_line_is_the_single_statement_body(session: Session, clock: FrozenClock, provider: str) -> None:
    decision_id = history.decision(session, clock, provider)
    [line] = to_json_lines(export.statements(session, provider_id=provider))
    body = json.loads(line)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert body["puid"] == f"accord-{decision_id}"
    assert validate_statement(body) == []


def test_exempt_decisions_are_skipped(session: Session, clock: FrozenClock, provider: str) -> None:
    history.decision(session, clock, provider, action="no_action")
    history.decision(session, clock, provider, sources=["removal_order"])
    history.decision(session, clock, provider, action="disable", countries=["US"])
    tally = export.ExportTally()
    assert list(export.statements(session, provider_id=provider, tally=tally)) == []
    assert sum(tally.skipped.values()) == 1  # the exempt two are filtered out by the query
    assert all(reason.startswith("cannot be expressed") for reason in tally.skipped)


def test_since_and_provider_scope(session: Session, clock: FrozenClock, provider: str) -> None:
    other = make_org(session, clock, "provider").id
    history.decision(session, clock, provider)
    history.decision(session, clock, other)
    clock.advance(days=3)
    later = history.decision(session, clock, provider)
    since = clock.now().replace(hour=0, minute=0)
    bodies = list(export.statements(session, provider_id=provider, since=since))
    assert [b["puid"] for b in bodies] == [f"accord-{later}"]


def test_batches_hold_at_most_one_hundred(session: Session, clock: FrozenClock, provider: str) -> None:
    for _ in range(205):
        history.decision(session, clock, provider)
    sizes = [len(batch["statements"]) for batch in batches(export.statements(session, provider_id=provider))]
    assert sizes == [100, 100, 5]


def test_content_dates_never_follow_the_decision() -> None:
    facts = export.decision_facts("dec_1", datetime(2026, 3, 2, tzinfo=UTC),
                                  {"action": "remove", "content_date": "2026-05-01", "ground_kind": "legal"})
    assert facts.content_date <= facts.application_date


def test_json_lines_equal_encoding_each_statement(session: Session, clock: FrozenClock, provider: str) -> None:
    for variant in VARIANTS * 2:
        history.decision(session, clock, provider, **variant)
    clock.advance(days=1)
    history.decision(session, clock, provider)
    expected = list(to_json_lines(export.statements(session, provider_id=provider)))
    assert list(export.statement_lines(session, provider_id=provider)) == expected
    assert len({json.loads(line)["puid"] for line in expected}) == len(VARIANTS) * 2 + 1
