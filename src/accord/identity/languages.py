"""The official languages of the Union (Regulation No 1/58) each Member State has, for TCO Art. 15(2).

A provider's contact point for removal orders states the Union languages it can be addressed in; they must
include at least one official language of the Member State of its main establishment (or where its legal
representative resides or is established). Irish, Maltese and Luxembourgish-speaking states are listed with
the Union languages they have: Luxembourgish is not an official language of the Union.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from accord.errors import InvalidInput

STATE_LANGUAGES: Final[dict[str, tuple[str, ...]]] = {
    "AT": ("de",), "BE": ("nl", "fr", "de"), "BG": ("bg",), "CY": ("el",), "CZ": ("cs",), "DE": ("de",),
    "DK": ("da",), "EE": ("et",), "ES": ("es",), "FI": ("fi", "sv"), "FR": ("fr",), "GR": ("el",),
    "HR": ("hr",), "HU": ("hu",), "IE": ("ga", "en"), "IT": ("it",), "LT": ("lt",), "LU": ("fr", "de"),
    "LV": ("lv",), "MT": ("mt", "en"), "NL": ("nl",), "PL": ("pl",), "PT": ("pt",), "RO": ("ro",),
    "SE": ("sv",), "SI": ("sl",), "SK": ("sk",),
}
UNION_LANGUAGES: Final[frozenset[str]] = frozenset(lang for langs in STATE_LANGUAGES.values() for lang in langs)


def establishment_languages(country: str | None) -> tuple[str, ...]:
    """The Union languages of ``country``; empty outside the Union (or unknown)."""
    return STATE_LANGUAGES.get((country or "").upper(), ())


def includes_establishment_language(country: str | None, languages: Sequence[str]) -> bool | None:
    """Whether ``languages`` hold one of the establishment state's; None where the state is not a Member State
    (a provider outside the Union answers through its legal representative, whose state Accord does not hold)."""
    own = establishment_languages(country)
    if not own:
        return None
    return any(lang in own for lang in languages)


def check_contact_languages(country: str | None, languages: Sequence[str]) -> None:
    """TCO Art. 15(2): refuse a provider's contact languages without one of its Member State's."""
    if includes_establishment_language(country, languages) is False:
        wanted = ", ".join(establishment_languages(country))
        raise InvalidInput(f"the contact point must accept an official language of {country} ({wanted}), "
                           "TCO Art. 15(2)", field="languages")
