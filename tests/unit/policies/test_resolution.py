"""Resolving a category for a country: the terms everywhere, a stricter law where it applies."""

from __future__ import annotations

from typing import Any

import pytest

from accord.errors import InvalidInput
from accord.policies.document import parse_body
from accord.policies.resolution import automation_for, resolve_body, sampled


def test_an_eu_wide_rule_covers_all_27_member_states(body: dict[str, Any]) -> None:
    resolution = resolve_body(parse_body(body), 3, "glorification", "FR")
    assert resolution.action == "disable" and len(resolution.countries) == 27
    assert resolution.ground_kind == "legal" and resolution.jurisdiction == "EU"
    assert resolution.legal_ref == "Regulation (EU) 2021/784, Art. 3(3)"
    assert resolution.clause_ref == "4.7" and resolution.version == 3


def test_a_national_rule_covers_one_country_and_wins_over_the_eu_rule_there(body: dict[str, Any]) -> None:
    resolution = resolve_body(parse_body(body), 1, "glorification", "DE")
    assert resolution.action == "disable" and resolution.countries == ("DE",)
    assert resolution.legal_ref == "StGB § 140" and resolution.text.startswith("Approving")


def test_outside_every_overlay_the_terms_apply_worldwide(body: dict[str, Any]) -> None:
    resolution = resolve_body(parse_body(body), 1, "glorification", "US")
    assert resolution.action == "review" and resolution.worldwide and resolution.ground_kind == "terms"
    assert resolution.legal_ref is None


def test_without_a_country_the_terms_apply_and_the_geo_actions_are_listed(body: dict[str, Any]) -> None:
    resolution = resolve_body(parse_body(body), 1, "glorification", None)
    assert resolution.action == "review" and resolution.worldwide
    assert [(g.jurisdiction, len(g.countries)) for g in resolution.geo] == [("DE", 1), ("EU", 27)]


def test_a_law_never_weakens_the_terms(body: dict[str, Any]) -> None:
    body["overlays"].append({"jurisdiction": "FR", "category": "incitement", "action": "disable",
                             "legal_ref": "Code pénal, art. 421-2-5"})
    resolution = resolve_body(parse_body(body), 1, "incitement", "FR")
    assert resolution.action == "remove" and resolution.worldwide and resolution.ground_kind == "terms"


def test_an_unknown_category_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_body(parse_body(body), 1, "threat", None)
    assert caught.value.field == "category"


def test_automation_needs_an_explicit_entry_for_category_source_labels_and_confidence(
    body: dict[str, Any],
) -> None:
    body["automation"] = [{"category": "instruction", "sources": ["coordinator_bank"], "action": "remove",
                           "sample_share": 0.1, "min_confidence": 0.9, "labels": ["bomb_making"]}]
    parsed = parse_body(body)
    assert automation_for(parsed, "instruction", "coordinator_bank", ("bomb_making",), 0.95) is not None
    assert automation_for(parsed, "instruction", "provider_bank", ("bomb_making",), 0.95) is None
    assert automation_for(parsed, "incitement", "coordinator_bank", ("bomb_making",), 0.95) is None
    assert automation_for(parsed, "instruction", "coordinator_bank", ("other",), 0.95) is None
    assert automation_for(parsed, "instruction", "coordinator_bank", ("bomb_making",), 0.5) is None


def test_sampling_is_stable_and_follows_the_share() -> None:
    keys = [f"item-{i}" for i in range(2000)]
    share = sum(sampled(0.1, k) for k in keys) / len(keys)
    assert 0.07 < share < 0.13
    assert [sampled(0.1, k) for k in keys[:50]] == [sampled(0.1, k) for k in keys[:50]]
    assert all(sampled(1.0, k) for k in keys[:50])
