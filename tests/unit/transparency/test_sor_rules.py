"""The independent validator accepts what the Transparency Database accepts and rejects each broken variant.

The bodies here are written by hand from the API documentation, never produced by the exporter.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from accord.transparency.sor_rules import Problem, field_rules, validate_batch, validate_statement

VALID: dict[str, Any] = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
    "illegal_content_legal_ground": "Regulation (EU) 2021/784, Art. 2(7)",
    "illegal_content_explanation": "Glorifies a terrorist attack.",
    "content_type": ["CONTENT_TYPE_VIDEO"],
    "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "category_specification": ["KEYWORD_TERRORIST_CONTENT"],
    "territorial_scope": ["AT", "DE"],
    "content_date": "2026-03-01",
    "application_date": "2026-03-02",
    "decision_facts": "Reviewed by a moderator after a trusted-flagger notice.",
    "source_type": "SOURCE_TRUSTED_FLAGGER",
    "automated_detection": "No",
    "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
    "puid": "accord-42",
}

# The example payload of the API documentation (v2), which uses every kind of field.
DOCUMENTED_EXAMPLE: dict[str, Any] = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_DISABLED"],
    "decision_monetary": "DECISION_MONETARY_TERMINATION",
    "end_date_monetary_restriction": "2023-08-08",
    "decision_provision": "DECISION_PROVISION_TOTAL_SUSPENSION",
    "decision_account": "DECISION_ACCOUNT_SUSPENDED",
    "account_type": "ACCOUNT_TYPE_BUSINESS",
    "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    "decision_ground_reference_url": "https://www.anurl.com",
    "content_type": ["CONTENT_TYPE_VIDEO", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_SYNTHETIC_MEDIA"],
    "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "incompatible_content_ground": "incompatible content grounds",
    "incompatible_content_explanation": "incompatible content explanation",
    "incompatible_content_illegal": "Yes",
    "territorial_scope": ["PT", "ES", "DE"],
    "content_language": "EN",
    "content_date": "2023-08-08",
    "application_date": "2023-08-08",
    "decision_facts": "facts about the decision",
    "source_type": "SOURCE_TRUSTED_FLAGGER",
    "automated_detection": "No",
    "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
    "puid": "TK421",
}

REQUIRED = (
    "decision_ground",
    "content_type",
    "category",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
)


def _variant(**changes: Any) -> dict[str, Any]:
    """VALID with fields replaced; a value of ``...`` deletes the field."""
    body = copy.deepcopy(VALID)
    for name, value in changes.items():
        if value is ...:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def _fields(problems: list[Problem]) -> set[str]:
    return {problem.field for problem in problems}


def test_a_valid_body_has_no_problems() -> None:
    assert validate_statement(VALID) == []


def test_the_documented_example_is_valid() -> None:
    assert validate_statement(DOCUMENTED_EXAMPLE) == []


def test_the_documented_example_with_both_grounds_is_flagged() -> None:
    # The old documentation sent illegal_* beside an incompatible ground; the API drops them silently.
    body = {**DOCUMENTED_EXAMPLE, "illegal_content_legal_ground": "x", "illegal_content_explanation": "y"}
    dropped = {"illegal_content_legal_ground", "illegal_content_explanation"}
    assert _fields(validate_statement(body)) == dropped


def test_rules_are_read_from_the_reference_extract() -> None:
    rules = field_rules()
    assert rules["puid"].max_length == 500
    assert rules["puid"].pattern is not None
    assert rules["decision_facts"].max_length == 5000
    assert rules["illegal_content_explanation"].max_length == 2000
    assert "KEYWORD_TERRORIST_CONTENT" in rules["category_specification"].allowed
    assert rules["decision_visibility"].required_without_all == (
        "decision_monetary",
        "decision_provision",
        "decision_account",
    )
    assert set(REQUIRED) == {name for name, rule in rules.items() if rule.required}


# --- broken variants -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("empty", [..., None, "", "  ", [], "\u200b\n"])
def test_each_required_field_missing_or_empty_is_rejected(name: str, empty: Any) -> None:
    problems = validate_statement(_variant(**{name: empty}))
    assert Problem(name, "is required") in problems


def test_no_restriction_at_all_is_rejected() -> None:
    problems = validate_statement(_variant(decision_visibility=...))
    restrictions = {"decision_visibility", "decision_monetary", "decision_provision", "decision_account"}
    assert _fields(problems) == restrictions


@pytest.mark.parametrize(
    "other",
    [
        {"decision_account": "DECISION_ACCOUNT_SUSPENDED"},
        {"decision_monetary": "DECISION_MONETARY_SUSPENSION"},
        {"decision_provision": "DECISION_PROVISION_PARTIAL_SUSPENSION"},
    ],
)
def test_any_one_restriction_suffices(other: dict[str, str]) -> None:
    assert validate_statement(_variant(decision_visibility=..., **other)) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("decision_visibility", ["CONTENT_REMOVED"]),
        ("decision_visibility", "DECISION_VISIBILITY_CONTENT_REMOVED"),
        ("decision_ground", "ILLEGAL_CONTENT"),
        ("content_type", ["CONTENT_TYPE_VIDEO", "CONTENT_TYPE_GIF"]),
        ("content_type", "CONTENT_TYPE_VIDEO"),
        ("category", "STATEMENT_CATEGORY_TERRORISM"),
        ("category_specification", ["KEYWORD_TERRORISM"]),
        ("territorial_scope", ["DE", "GB"]),
        ("territorial_scope", ["EL"]),
        ("source_type", "SOURCE_REMOVAL_ORDER"),
        ("automated_detection", True),
        ("automated_detection", "yes"),
        ("automated_decision", "No"),
        ("content_language", "en"),
        ("account_type", "ACCOUNT_TYPE_PERSONAL"),
        ("decision_monetary", "DECISION_MONETARY_FINE"),
    ],
)
def test_values_outside_the_enumeration_are_rejected(name: str, value: Any) -> None:
    assert name in _fields(validate_statement(_variant(**{name: value})))


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"illegal_content_legal_ground": ...}, "illegal_content_legal_ground"),
        ({"illegal_content_explanation": " "}, "illegal_content_explanation"),
        (
            {
                "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
                "illegal_content_legal_ground": ...,
                "illegal_content_explanation": ...,
                "incompatible_content_ground": "Terms §4",
            },
            "incompatible_content_explanation",
        ),
        ({"decision_visibility": ["DECISION_VISIBILITY_OTHER"]}, "decision_visibility_other"),
        ({"content_type": ["CONTENT_TYPE_OTHER"]}, "content_type_other"),
        ({"decision_monetary": "DECISION_MONETARY_OTHER"}, "decision_monetary_other"),
    ],
)
def test_missing_conditional_fields_are_rejected(changes: dict[str, Any], missing: str) -> None:
    problems = validate_statement(_variant(**changes))
    assert missing in _fields(problems)
    assert any("is required when" in p.message for p in problems if p.field == missing)


@pytest.mark.parametrize(
    "changes",
    [
        {"incompatible_content_ground": "Terms §4"},
        {"content_type_other": "clip"},
        {"decision_visibility_other": "warning screen"},
        {"incompatible_content_illegal": "Yes"},
        {"category_specification_other": "new kind"},
        {"source_type": "SOURCE_VOLUNTARY", "source_identity": "someone"},
    ],
)
def test_fields_the_api_would_drop_are_reported(changes: dict[str, Any]) -> None:
    problems = validate_statement(_variant(**changes))
    assert any("dropped" in p.message for p in problems), problems


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("decision_facts", 5000),
        ("illegal_content_legal_ground", 500),
        ("illegal_content_explanation", 2000),
        ("source_identity", 500),
        ("decision_ground_reference_url", 500),
    ],
)
def test_too_long_text_is_rejected_and_the_limit_itself_accepted(name: str, limit: int) -> None:
    def text(length: int) -> str:
        return "https://e.eu/" + "a" * (length - 13) if name.endswith("url") else "a" * length

    assert validate_statement(_variant(**{name: text(limit)})) == []
    assert Problem(name, f"may not be longer than {limit} characters") in validate_statement(
        _variant(**{name: text(limit + 1)})
    )


@pytest.mark.parametrize(
    "puid",
    ["has space", "dot.ted", "new\nline", "trailing\n", "ünï", "a/b", "a" * 501, 42],
)
def test_bad_puids_are_rejected(puid: Any) -> None:
    assert "puid" in _fields(validate_statement(_variant(puid=puid)))


@pytest.mark.parametrize("puid", ["a", "A-b_9", "x" * 500, "3f2b8c1e-6d4a-4b7e-9a51-0c2d7e8f9a10"])
def test_good_puids_pass(puid: str) -> None:
    assert validate_statement(_variant(puid=puid)) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("content_date", "2026-3-1"),
        ("content_date", "2026-02-30"),
        ("content_date", "1999-12-31"),
        ("content_date", "2026-03-01 10:00:00"),
        ("content_date", "01-03-2026"),
        ("application_date", "2019-12-31"),
        ("application_date", "2038-01-02"),
        ("end_date_visibility_restriction", "2026-03-01"),
        ("end_date_visibility_restriction", "2038-01-02"),
        ("end_date_account_restriction", "soon"),
    ],
)
def test_bad_dates_are_rejected(name: str, value: str) -> None:
    assert name in _fields(validate_statement(_variant(**{name: value})))


def test_boundary_dates_pass() -> None:
    body = _variant(
        content_date="2000-01-01", application_date="2020-01-01", end_date_visibility_restriction="2038-01-01"
    )
    assert validate_statement(body) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("decision_ground_reference_url", "not a url"),
        ("decision_ground_reference_url", "ftp://files.example.eu/terms"),
        ("content_id", {"EAN-13": "123"}),
        ("content_id", {"ISBN": "9781234567897"}),
        ("content_id", "9781234567897"),
        ("decision_facts", 12),
        ("decision_facts", "Uploaded by jane.doe@example.org"),
        ("illegal_content_explanation", "Posted from 10.0.0.1"),
        ("url", "https://example.eu/video/1"),
    ],
)
def test_other_broken_fields_are_rejected(name: str, value: Any) -> None:
    assert name in _fields(validate_statement(_variant(**{name: value})))


def test_a_good_content_id_passes() -> None:
    assert validate_statement(_variant(content_id={"EAN-13": "9781234567897"})) == []


@pytest.mark.parametrize("body", [None, [], "{}", 3])
def test_a_non_object_body_is_rejected(body: Any) -> None:
    assert validate_statement(body) == [Problem("", "the body must be a JSON object")]


# --- batches ---------------------------------------------------------------------------------------------


def _batch(count: int) -> dict[str, Any]:
    return {"statements": [_variant(puid=f"accord-{i}") for i in range(count)]}


@pytest.mark.parametrize("count", [1, 100])
def test_batches_of_1_to_100_pass(count: int) -> None:
    assert validate_batch(_batch(count)) == []


@pytest.mark.parametrize("count", [0, 101])
def test_batches_outside_1_to_100_are_rejected(count: int) -> None:
    assert _fields(validate_batch(_batch(count))) == {"statements"}


def test_batch_problems_are_indexed_like_the_api() -> None:
    body = _batch(3)
    body["statements"][2]["category"] = "X"
    body["statements"][1]["puid"] = "accord-0"
    assert _fields(validate_batch(body)) == {"statement_2.category", "statement_1.puid"}


@pytest.mark.parametrize("body", [{"items": []}, [], None, {"statements": {}}])
def test_malformed_batches_are_rejected(body: Any) -> None:
    assert _fields(validate_batch(body)) == {"statements"}
