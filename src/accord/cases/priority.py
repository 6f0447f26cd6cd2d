"""The explainable priority of a case, after Altitude's scheme (Jigsaw and Tech Against Terrorism).

Removal orders come first, by deadline (TCO Art. 3(3)); then trusted flaggers and authorities (DSA Art. 22);
then everything else. Within a tier, a score of confidence (0-3) plus severity (0-7) orders cases, and every
point carries its reason so the reviewer sees why a case is where it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

TIER_REMOVAL_ORDER: Final = 0
TIER_TRUSTED: Final = 1
TIER_ORDINARY: Final = 2
TRUSTED_SOURCES: Final = frozenset({"trusted_flag", "alert", "referral"})
NOTICE_SOURCES: Final = frozenset({"removal_order", "referral", "trusted_flag", "user_report", "alert"})
# GIFCT behaviour labels (as carried by bank entries) that map onto the severity factors.
_IMMINENT: Final = frozenset({"imminent_threat", "imminent_credible_threat"})
# Accord's bank taxonomy spells it "defenceless"; GIFCT's list and hashes from other exchanges, "defenseless".
_GRAPHIC: Final = frozenset({"graphic_violence", "graphic_violence_against_defenceless_people",
                             "graphic_violence_against_defenseless_people"})
_INCIDENT: Final = frozenset({"incident", "crisis", "cip"})


@dataclass(frozen=True)
class Priority:
    tier: int
    confidence: int
    severity: int
    reasons: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.confidence + self.severity

    @property
    def band(self) -> str:
        """Altitude's bands: 5 and above high, 3-4 medium, below low."""
        return band(self.score)


def band(score: int) -> str:
    return "high" if score >= 5 else "medium" if score >= 3 else "low"


def normalise_labels(labels: Iterable[str]) -> set[str]:
    return {label.strip().lower().replace(" ", "_").replace("-", "_") for label in labels}


def case_labels(labels: Sequence[str], signals: Sequence[dict[str, Any]]) -> set[str]:
    """The case's own labels plus those its matched signals carry (``labels`` of each signal)."""
    found = normalise_labels(labels)
    for signal in signals:
        found |= normalise_labels(str(x) for x in signal.get("labels", []) or [])
    return found


def tier(sources: Sequence[str]) -> int:
    if "removal_order" in sources:
        return TIER_REMOVAL_ORDER
    return TIER_TRUSTED if TRUSTED_SOURCES & set(sources) else TIER_ORDINARY


def assess(sources: Sequence[str], labels: set[str], item_count: int) -> Priority:
    """Tier, confidence and severity of a case, with one reason per point given."""
    confidence, reasons = _confidence(sources, item_count)
    severity, severity_reasons = _severity(labels)
    return Priority(tier(sources), confidence, severity, reasons + severity_reasons)


def _confidence(sources: Sequence[str], item_count: int) -> tuple[int, list[str]]:
    points, reasons = 0, []
    trusted = sorted(({"removal_order"} | TRUSTED_SOURCES) & set(sources))
    if trusted:
        points += 2
        reasons.append(f"+2 confidence: trusted source ({', '.join(trusted)})")
    if "hash_match" in sources:
        points += 1
        reasons.append("+1 confidence: matches a hash bank entry")
    if len(set(sources)) > 1 or item_count > 1:
        points += 1
        reasons.append(f"+1 confidence: reported by more than one source ({len(set(sources))} kinds)")
    return min(points, 3), reasons


def _severity(labels: set[str]) -> tuple[int, list[str]]:
    if labels & _IMMINENT:
        return 7, ["+7 severity: imminent threat to life (maximum)"]
    points, reasons = 1, ["+1 severity: suspected terrorist content"]
    if labels & _GRAPHIC:
        points += 3
        reasons.append("+3 severity: graphic violence")
    if labels & _INCIDENT:
        points += 3
        reasons.append("+3 severity: linked to a declared incident")
    return min(points, 7), reasons


def is_graphic(labels: set[str]) -> bool:
    return bool(labels & (_GRAPHIC | _IMMINENT))


def severity_label(labels: set[str]) -> str:
    """The severity name routing rules match on: imminent, graphic, incident or standard."""
    if labels & _IMMINENT:
        return "imminent"
    if labels & _GRAPHIC:
        return "graphic"
    return "incident" if labels & _INCIDENT else "standard"
