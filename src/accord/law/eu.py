"""The EU member states and the EEA countries, as ISO 3166-1 alpha-2 codes (Greece is ``GR``, not ``EL``)."""

from __future__ import annotations

from typing import Final

EU_MEMBER_STATES: Final[tuple[str, ...]] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip
EEA_COUNTRIES: Final[tuple[str, ...]] = tuple(sorted((*EU_MEMBER_STATES, "IS", "LI", "NO")))
