"""The label vocabulary of bank entries: GIFCT's behaviour taxonomy, spelled Accord's way, with its aliases.

Accord stores British spellings (``graphic_violence_against_defenceless_people``,
``radicalisation_recruitment_instruction``). GIFCT's own list, TCAP alerts and python-threatexchange feeds use
US spellings and display names ("Graphic Violence Against Defenseless People"; "Radicalization, Recruitment and
Instruction"). Every door (API, CSV, CLI, exchange feed, pytx import) maps those aliases to the canonical label,
so that one behaviour is one label in banks, matches and reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from accord.banks.models import BehaviourLabel
from accord.errors import InvalidInput

CANONICAL: Final = frozenset(label.value for label in BehaviourLabel)
# US spellings (GIFCT, TCAP, pytx) of the words that differ; "and" is dropped from display names.
_SPELLINGS: Final = {"defenseless": "defenceless", "radicalization": "radicalisation"}
_DROPPED: Final = frozenset({"and"})
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def canonical_label(text: str) -> str | None:
    """The canonical label ``text`` names (a canonical label, a US spelling, a display name), or None."""
    words = [w for w in _SEPARATORS.split(text.strip().casefold()) if w and w not in _DROPPED]
    slug = "_".join(_SPELLINGS.get(word, word) for word in words)
    return slug if slug in CANONICAL else None


def canonical_labels(labels: Iterable[str]) -> list[str]:
    """Every label mapped to its canonical form, sorted and unique; an unknown label is refused by name."""
    found: set[str] = set()
    for label in labels:
        canonical = canonical_label(str(label))
        if canonical is None:
            raise InvalidInput(f"unknown label {label!r}; known: {', '.join(sorted(CANONICAL))}", field="labels")
        found.add(canonical)
    return sorted(found)


def known_labels(tags: Iterable[str]) -> list[str]:
    """The canonical labels among free tags (an exchange's opinion tags), ignoring the tags that are not labels."""
    return sorted({label for tag in tags if (label := canonical_label(str(tag))) is not None})
