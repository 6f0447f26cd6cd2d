"""Checking a policy version's body."""

from __future__ import annotations

from typing import Any

import pytest

from accord.errors import InvalidInput
from accord.policies.document import STANDARD_CATEGORIES, TCO_CATEGORIES, parse_body


def test_a_valid_body_round_trips(body: dict[str, Any]) -> None:
    parsed = parse_body(body)
    assert parsed.categories == ("incitement", "glorification", "instruction")
    assert parse_body(parsed.to_json()) == parsed
    assert parsed.rule("glorification") is not None and parsed.rule("unknown") is None


def test_the_standard_categories_include_every_tco_type() -> None:
    assert set(TCO_CATEGORIES) <= set(STANDARD_CATEGORIES)
    assert {"graphic_violence", "glorification", "recruitment"} <= set(STANDARD_CATEGORIES)


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda b: b["rules"][0].update(action="delete"), "rules[0].action"),
    (lambda b: b["rules"][0].update(category="Has Spaces"), "rules[0].category"),
    (lambda b: b["rules"][0].update(text=""), "rules[0].text"),
    (lambda b: b["rules"].append(dict(b["rules"][0])), "rules"),
    (lambda b: b.update(rules=[]), "rules"),
    (lambda b: b["exemptions"].append({"purpose": "satire", "text": "x"}), "exemptions[1].purpose"),
    (lambda b: b["overlays"][0].update(jurisdiction="Europe"), "overlays[0].jurisdiction"),
    (lambda b: b["overlays"][0].update(category="threat"), "overlays[0].category"),
])
def test_each_problem_names_its_field(body: dict[str, Any], mutate: Any, field: str) -> None:
    mutate(body)
    with pytest.raises(InvalidInput) as caught:
        parse_body(body)
    assert caught.value.field == field


def _automation(**overrides: Any) -> dict[str, Any]:
    return {"category": "instruction", "sources": ["coordinator_bank"], "action": "remove",
            "sample_share": 0.1, **overrides}


@pytest.mark.parametrize("share", [0, 0.0, -0.1, 1.5, None, True])
def test_automation_refuses_a_sample_share_that_is_zero_or_not_a_share(body: dict[str, Any], share: Any) -> None:
    entry = _automation(sample_share=share)
    if share is None:
        entry.pop("sample_share")
    body["automation"] = [entry]
    with pytest.raises(InvalidInput) as caught:
        parse_body(body)
    assert caught.value.field == "automation[0].sample_share"


def test_zero_share_is_refused_with_the_reason(body: dict[str, Any]) -> None:
    body["automation"] = [_automation(sample_share=0)]
    with pytest.raises(InvalidInput, match=r"TCO Art\. 5"):
        parse_body(body)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"action": "review"}, "automation[0].action"),
    ({"sources": []}, "automation[0].sources"),
    ({"action": "disable"}, "automation[0].jurisdiction"),
    ({"category": "threat"}, "automation[0].category"),
    ({"min_confidence": 2}, "automation[0].min_confidence"),
])
def test_automation_entries_are_checked(body: dict[str, Any], overrides: dict[str, Any], field: str) -> None:
    body["automation"] = [_automation(**overrides)]
    with pytest.raises(InvalidInput) as caught:
        parse_body(body)
    assert caught.value.field == field


def test_an_automatic_disable_names_where(body: dict[str, Any]) -> None:
    body["automation"] = [_automation(action="disable", jurisdiction="eu")]
    assert parse_body(body).automation[0].jurisdiction == "EU"
