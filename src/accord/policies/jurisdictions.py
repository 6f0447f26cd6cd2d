"""Jurisdictions: which countries a code covers, and the starter guide of what is illegal where.

X-01: a TCO order applies "in all Member States" (Art. 3(3)), so the code ``EU`` expands to the 27; a national
code covers one country. The guide in ``jurisdictions.json`` is data, shipped as examples for counsel to check.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from typing import Any

from accord.errors import InvalidInput
from accord.law.eu import EEA_COUNTRIES, EU_MEMBER_STATES

REGIONS: dict[str, tuple[str, ...]] = {"EU": EU_MEMBER_STATES, "EEA": EEA_COUNTRIES}
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def check_jurisdiction(code: str, field: str = "jurisdiction") -> str:
    """A region (``EU``, ``EEA``) or an ISO 3166-1 alpha-2 country, upper-cased."""
    value = code.strip().upper()
    if value not in REGIONS and not _COUNTRY.match(value):
        raise InvalidInput(f"{code!r} is neither EU, EEA nor an ISO 3166-1 alpha-2 country", field=field)
    return value


def countries_for(code: str) -> tuple[str, ...]:
    """The countries a jurisdiction code covers: ``EU`` gives the 27 Member States, ``DE`` gives ``("DE",)``."""
    value = check_jurisdiction(code)
    return REGIONS.get(value, (value,))


def covers(code: str, country: str) -> bool:
    return country.upper() in countries_for(code)


def specificity(code: str) -> int:
    """A national rule is more specific than a regional one (fewer countries wins a tie)."""
    return -len(countries_for(code))


@cache
def guide() -> dict[str, Any]:
    """The jurisdiction guide: the EU-wide TCO rule and national examples, each with its legal references."""
    text = files("accord.policies").joinpath("jurisdictions.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    for entry in data["jurisdictions"]:
        entry["countries"] = list(countries_for(entry["code"]))
    return data


def guide_rules(code: str) -> list[dict[str, str]]:
    """The guide's rules for one jurisdiction code (empty when the guide has none)."""
    for entry in guide()["jurisdictions"]:
        if entry["code"] == code.upper():
            return [dict(rule) for rule in entry["rules"]]
    return []
