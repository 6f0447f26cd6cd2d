"""Jurisdiction codes and the starter guide."""

from __future__ import annotations

import pytest

from accord.errors import InvalidInput
from accord.policies.jurisdictions import check_jurisdiction, countries_for, covers, guide, guide_rules


def test_eu_covers_the_27_member_states_and_a_country_itself() -> None:
    eu = countries_for("EU")
    assert len(eu) == 27 and len(set(eu)) == 27
    assert {"DE", "FR", "IE", "MT", "CY"} <= set(eu) and "NO" not in eu and "GB" not in eu
    assert countries_for("de") == ("DE",)
    assert len(countries_for("EEA")) == 30 and "NO" in countries_for("EEA")
    assert covers("EU", "fr") and not covers("DE", "FR")


@pytest.mark.parametrize("code", ["Europe", "D", "DEU", ""])
def test_unknown_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput):
        check_jurisdiction(code)


def test_the_guide_ships_the_eu_rule_and_two_national_examples_marked_for_counsel() -> None:
    data = guide()
    assert "counsel" in data["notice"]
    codes = [j["code"] for j in data["jurisdictions"]]
    assert codes[0] == "EU" and len(codes) >= 3
    assert all(j["example"] and j["rules"] for j in data["jurisdictions"])
    assert len(data["jurisdictions"][0]["countries"]) == 27
    assert all(rule["legal_ref"] for j in data["jurisdictions"] for rule in j["rules"])
    assert any("§ 140" in r["legal_ref"] for r in guide_rules("DE"))
    assert guide_rules("XX") == []
