"""The exporter gives exactly the Transparency Database body, and every body passes the independent rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import InvalidInput
from accord.law import sor
from accord.law.eu import EEA_COUNTRIES, EU_MEMBER_STATES
from accord.law.sor import (
    Action,
    Automation,
    ContentType,
    ContractualGround,
    DecisionFacts,
    ExtraKeyword,
    Instrument,
    LegalGround,
    Restriction,
    Source,
    batches,
    export_statements,
    puid_for,
    statement_category,
    statement_exemption,
    to_json_lines,
    to_statement,
)
from accord.transparency.sor_rules import validate_batch, validate_statement

from .factories import make_facts

GOLDEN_REMOVAL = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
    "illegal_content_legal_ground": "Regulation (EU) 2021/784 (TCO), Art. 2(7)(a)",
    "illegal_content_explanation": ("The video glorifies a terrorist attack and calls on viewers to repeat it."),
    "decision_ground_reference_url": "https://eur-lex.europa.eu/eli/reg/2021/784/oj",
    "content_type": ["CONTENT_TYPE_VIDEO"],
    "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "category_specification": ["KEYWORD_TERRORIST_CONTENT"],
    "territorial_scope": list(EEA_COUNTRIES),
    "content_date": "2026-03-01",
    "application_date": "2026-03-02",
    "decision_facts": ("Notice from a trusted flagger; reviewed by a moderator against the TCO definition."),
    "source_type": "SOURCE_TRUSTED_FLAGGER",
    "automated_detection": "No",
    "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
    "puid": "accord-3f2b8c1e-6d4a-4b7e-9a51-0c2d7e8f9a10",
}

GOLDEN_RESTRICTION = {
    "decision_visibility": ["DECISION_VISIBILITY_OTHER"],
    "decision_visibility_other": "Shown only behind a warning screen",
    "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    "incompatible_content_ground": "Community rules §4.2 (violent extremism)",
    "incompatible_content_explanation": "Praise of a designated group without critical context.",
    "incompatible_content_illegal": "No",
    "content_type": ["CONTENT_TYPE_OTHER", "CONTENT_TYPE_TEXT"],
    "content_type_other": "Live chat message",
    "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "category_specification": ["KEYWORD_ILLEGAL_ORGANIZATIONS", "KEYWORD_TERRORIST_CONTENT"],
    "territorial_scope": ["AT", "DE"],
    "content_language": "DE",
    "content_date": "2025-12-31",
    "application_date": "2026-01-02",
    "end_date_visibility_restriction": "2026-07-02",
    "decision_facts": "Detected by hash match, confirmed by a moderator.",
    "source_type": "SOURCE_VOLUNTARY",
    "automated_detection": "Yes",
    "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
    "puid": "tenant_7-981",
}


def _restriction_facts() -> DecisionFacts:
    return make_facts(
        decision_id=981,
        puid_namespace="tenant_7",
        action=Action.RESTRICT,
        restriction=Restriction.OTHER,
        restriction_other="Shown only behind a warning screen",
        ground=ContractualGround(
            clause="Community rules §4.2 (violent extremism)",
            explanation="Praise of a designated group without critical context.",
            also_illegal=False,
        ),
        content_types=(ContentType.TEXT, ContentType.OTHER),
        content_type_other="Live chat message",
        extra_keywords=(ExtraKeyword.ILLEGAL_ORGANIZATIONS,),
        territorial_scope=("de", "AT", "DE"),
        content_language="de",
        content_date=date(2025, 12, 31),
        application_date=date(2026, 1, 2),
        end_date=date(2026, 7, 2),
        facts="Detected by hash match, confirmed by a moderator.",
        source=Source.OWN_INITIATIVE,
        automated_detection=True,
        automated_decision=Automation.PARTIALLY,
    )


# --- golden bodies --------------------------------------------------------------------------------------


def test_trusted_flagger_removal_matches_the_golden_body() -> None:
    assert to_statement(make_facts()) == GOLDEN_REMOVAL


def test_golden_body_keeps_its_key_order_in_json_lines() -> None:
    line = next(to_json_lines([to_statement(make_facts())]))
    assert line == json.dumps(GOLDEN_REMOVAL, ensure_ascii=False, separators=(",", ":")) + "\n"


def test_contractual_restriction_matches_the_golden_body() -> None:
    assert to_statement(_restriction_facts()) == GOLDEN_RESTRICTION


@pytest.mark.parametrize("body", [GOLDEN_REMOVAL, GOLDEN_RESTRICTION])
def test_golden_bodies_pass_the_rules(body: dict[str, object]) -> None:
    assert validate_statement(body) == []


# --- every decision Accord can express -------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=40)
_SENTENCE = st.builds(
    lambda head, tail, extra: f"{head.strip() or 'x'} {tail}{extra}",
    _TEXT,
    _TEXT,
    st.sampled_from(["", " contact a@b.eu", " see https://x.example/u/1", " " + "long " * 1200]),
)
_DECISION_IDS = st.uuids() | st.integers(0, 2**63) | st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True)
_DAY = st.dates(date(2020, 1, 1), date(2037, 12, 1))


@st.composite
def _grounds(draw: st.DrawFn) -> LegalGround | ContractualGround:
    url = draw(st.none() | st.just("https://example.eu/terms#4"))
    if draw(st.booleans()):
        return LegalGround(draw(st.sampled_from(Instrument)), draw(_SENTENCE), draw(_SENTENCE), url)
    also = draw(st.none() | st.booleans())
    return ContractualGround(draw(_SENTENCE), draw(_SENTENCE), also, url)


@st.composite
def _decisions(draw: st.DrawFn) -> DecisionFacts:
    action = draw(st.sampled_from(Action))
    restriction = draw(st.sampled_from(Restriction)) if action is Action.RESTRICT else None
    types = tuple(draw(st.sets(st.sampled_from(ContentType), min_size=1)))
    source = draw(st.sampled_from(Source))
    applied = draw(_DAY)
    scope_needed = action is Action.DISABLE
    scope = draw(st.lists(st.sampled_from(EEA_COUNTRIES), min_size=int(scope_needed), max_size=5))
    return DecisionFacts(
        decision_id=draw(_DECISION_IDS),
        action=action,
        ground=draw(_grounds()),
        content_types=types,
        content_date=draw(st.dates(date(2000, 1, 1), applied)),
        application_date=applied,
        facts=draw(_SENTENCE),
        source=source,
        automated_detection=draw(st.booleans()),
        automated_decision=draw(st.sampled_from(Automation)),
        territorial_scope=tuple(scope),
        end_date=draw(st.none() | st.dates(applied, date(2038, 1, 1))),
        restriction=restriction,
        restriction_other=draw(_SENTENCE) if restriction is Restriction.OTHER else None,
        content_type_other=draw(_SENTENCE) if ContentType.OTHER in types else None,
        content_language=draw(st.none() | st.sampled_from(["en", "AR", "de", "Uk"])),
        notifier="EU IRU" if source in (Source.TRUSTED_FLAGGER_NOTICE, Source.REFERRAL) else None,
        extra_keywords=tuple(draw(st.sets(st.sampled_from(ExtraKeyword)))),
    )


@settings(max_examples=600, deadline=None)
@given(_decisions())
def test_every_exported_statement_passes_the_rules(facts: DecisionFacts) -> None:
    if statement_exemption(facts) is not None:
        with pytest.raises(InvalidInput):
            to_statement(facts)
        return
    body = to_statement(facts)
    assert validate_statement(body) == []
    assert body["category"] == statement_category(facts.ground, facts.topic)[0]
    terrorist = body["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    assert terrorist == ("KEYWORD_TERRORIST_CONTENT" in body["category_specification"])
    if isinstance(facts.ground, LegalGround):
        assert terrorist
    assert json.loads(next(to_json_lines([body]))) == body


def test_every_action_ground_and_source_is_covered() -> None:
    grounds = [make_facts().ground, ContractualGround("Terms §3", "Extremist propaganda.")]
    exported = 0
    for action in Action:
        for ground in grounds:
            for source in Source:
                facts = make_facts(
                    action=action,
                    ground=ground,
                    source=source,
                    restriction=Restriction.DEMOTED if action is Action.RESTRICT else None,
                    territorial_scope=("FR",) if action is Action.DISABLE else (),
                )
                if statement_exemption(facts) is None:
                    assert validate_statement(to_statement(facts)) == []
                    exported += 1
    assert exported == 5 * 2 * 4  # no_action and removal orders are exempt


# --- exemptions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (make_facts(action=Action.NO_ACTION), "Art. 17(1)"),
        (make_facts(source=Source.REMOVAL_ORDER), "Art. 17(5)"),
    ],
)
def test_exempt_decisions_have_a_documented_reason(facts: DecisionFacts, reason: str) -> None:
    assert reason in (statement_exemption(facts) or "")
    with pytest.raises(InvalidInput) as refused:
        to_statement(facts)
    assert refused.value.field == "action"


def test_export_statements_skips_exempt_decisions() -> None:
    decisions = [make_facts(decision_id=1), make_facts(decision_id=2, action=Action.NO_ACTION)]
    assert [body["puid"] for body in export_statements(decisions)] == ["accord-1"]


# --- lengths and personal data ---------------------------------------------------------------------------


def test_overlong_facts_are_cut_on_a_word_boundary() -> None:
    body = to_statement(make_facts(facts="word " * 2000))
    assert len(body["decision_facts"]) <= 5000
    assert body["decision_facts"].endswith("word…")


def test_overlong_text_without_spaces_is_cut_hard() -> None:
    body = to_statement(make_facts(ground=LegalGround(Instrument.NATIONAL, "§" * 900, "x")))
    assert len(body["illegal_content_legal_ground"]) == 500


@pytest.mark.parametrize(
    "identifier",
    ["jane.doe@example.org", "https://social.example/u/jane", "@jane_doe", "192.168.10.4", "+49 30 1234567"],
)
def test_personal_identifiers_are_masked(identifier: str) -> None:
    body = to_statement(make_facts(facts=f"Uploaded by {identifier} at noon."))
    assert body["decision_facts"] == "Uploaded by [redacted] at noon."


def test_dates_and_times_in_facts_survive_the_mask() -> None:
    text = "Posted 2026-03-01 at 12:30:45, removed 59 minutes after receipt of order 2026/17."
    assert to_statement(make_facts(facts=text))["decision_facts"] == text


@pytest.mark.parametrize("blank", ["", "   ", "\n", "\u200b \u200b \u200b", "\ufeff\u3000"])
def test_blank_facts_are_refused(blank: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        to_statement(make_facts(facts=blank))
    assert refused.value.field == "facts"


# --- puid ------------------------------------------------------------------------------------------------


def test_puid_is_built_from_the_decision_id() -> None:
    uuid = UUID("3f2b8c1e-6d4a-4b7e-9a51-0c2d7e8f9a10")
    assert puid_for(uuid) == "accord-3f2b8c1e-6d4a-4b7e-9a51-0c2d7e8f9a10"
    assert puid_for(42, "hostco") == "hostco-42"


@given(st.lists(st.uuids() | st.integers(0, 10**12), unique=True, max_size=50))
def test_distinct_decisions_get_distinct_puids(ids: list[UUID | int]) -> None:
    puids = [puid_for(i) for i in ids]
    assert len(set(puids)) == len(puids)


@pytest.mark.parametrize(
    ("decision_id", "namespace", "field"),
    [
        ("a.b", "accord", "decision_id"),
        ("has space", "accord", "decision_id"),
        ("x" * 494, "accord", "decision_id"),
        (-1, "accord", "decision_id"),
        (True, "accord", "decision_id"),
        (1, "bad-namespace", "puid_namespace"),
        (1, "", "puid_namespace"),
    ],
)
def test_unusable_ids_are_refused_not_rewritten(decision_id: object, namespace: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        puid_for(decision_id, namespace)  # type: ignore[arg-type]  # deliberately wrong types
    assert refused.value.field == field


def test_longest_acceptable_puid_fits_500() -> None:
    assert len(puid_for("x" * 493)) == 500


# --- refusals of facts the API cannot express -------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"action": Action.DISABLE}, "territorial_scope"),
        ({"territorial_scope": ("GB",)}, "territorial_scope"),
        ({"action": Action.RESTRICT}, "restriction"),
        ({"restriction": Restriction.DEMOTED}, "restriction"),
        ({"action": Action.RESTRICT, "restriction": Restriction.OTHER}, "restriction_other"),
        (
            {"action": Action.RESTRICT, "restriction": Restriction.LABELLED, "restriction_other": "x"},
            "restriction_other",
        ),
        ({"content_types": ()}, "content_types"),
        ({"content_types": (ContentType.OTHER,)}, "content_type_other"),
        ({"content_type_other": "clip"}, "content_type_other"),
        ({"content_language": "XX"}, "content_language"),
        ({"content_date": date(2026, 3, 3)}, "content_date"),
        ({"content_date": date(1999, 12, 31)}, "content_date"),
        ({"application_date": date(2038, 1, 2)}, "application_date"),
        ({"end_date": date(2026, 3, 1)}, "end_date"),
        ({"source": Source.USER_NOTICE, "notifier": "Jane Doe"}, "notifier"),
        ({"ground": LegalGround(Instrument.TCO, "Art. 3", "  ")}, "ground.explanation"),
        ({"ground": ContractualGround("", "why")}, "ground.clause"),
        ({"ground": ContractualGround("§1", "why", reference_url="ftp://x")}, "ground.reference_url"),
        ({"ground": ContractualGround("§1", "why", reference_url="https://localhost/t")}, "ground.reference_url"),
    ],
)
def test_inexpressible_facts_are_refused(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        to_statement(make_facts(**overrides))
    assert refused.value.field == field


def test_disable_lists_the_countries_sorted_with_greece_as_gr() -> None:
    body = to_statement(make_facts(action=Action.DISABLE, territorial_scope=("FR", "EL", "fr")))
    assert body["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    assert body["territorial_scope"] == ["FR", "GR"]


def test_eu_wide_scope_can_be_given_explicitly() -> None:
    assert to_statement(make_facts(territorial_scope=EU_MEMBER_STATES))["territorial_scope"] == sorted(EU_MEMBER_STATES)


def test_aware_datetimes_are_taken_as_utc_dates() -> None:
    late = datetime(2026, 3, 2, 23, 30, tzinfo=timezone(timedelta(hours=-2)))  # 01:30 UTC on the 3rd
    body = to_statement(make_facts(application_date=late, content_date=datetime(2026, 3, 1, tzinfo=UTC)))
    assert (body["content_date"], body["application_date"]) == ("2026-03-01", "2026-03-03")


def test_trusted_flagger_may_be_named() -> None:
    body = to_statement(make_facts(notifier="Europol EU IRU"))
    assert body["source_identity"] == "Europol EU IRU"
    assert validate_statement(body) == []


# --- JSON lines and batches ------------------------------------------------------------------------------


def test_json_lines_are_one_compact_object_per_line() -> None:
    bodies = [to_statement(make_facts(decision_id=i, facts="line\nbreak ünïcode")) for i in range(3)]
    lines = list(to_json_lines(bodies))
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    assert [json.loads(line) for line in lines] == bodies
    assert "ünïcode" in lines[0]


def test_batches_hold_at_most_100_and_pass_the_batch_rules() -> None:
    bodies = [to_statement(make_facts(decision_id=i)) for i in range(250)]
    calls = list(batches(bodies))
    assert [len(call["statements"]) for call in calls] == [100, 100, 50]
    assert all(validate_batch(call) == [] for call in calls)


def test_batches_of_a_chosen_size_and_of_nothing() -> None:
    assert [len(c["statements"]) for c in batches(range(5), size=2)] == [2, 2, 1]  # type: ignore[arg-type]
    assert list(batches([])) == []


@pytest.mark.parametrize("size", [0, 101, -5])
def test_batch_size_outside_1_to_100_is_refused(size: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        batches([], size=size)
    assert refused.value.field == "size"


def test_endpoints_are_the_documented_ones() -> None:
    assert (sor.STATEMENT_ENDPOINT, sor.STATEMENTS_ENDPOINT, sor.MAX_BATCH) == (
        "/api/v1/statement",
        "/api/v1/statements",
        100,
    )
