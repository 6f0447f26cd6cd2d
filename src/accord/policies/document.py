"""The body of one policy version: rules per category, exemptions, jurisdiction overlays and automation.

A version's body is stored as JSON and parsed here into frozen dataclasses, so that every rule is checked once
(when the version is written) and the resolver works on typed values. Nothing here touches the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from accord.errors import InvalidInput
from accord.policies.jurisdictions import check_jurisdiction

# TCO Art. 2(7)(a)-(e), then categories most providers add; a provider may add its own slugs.
TCO_CATEGORIES = ("incitement", "solicitation_commit", "solicitation_group", "instruction", "threat")
STANDARD_CATEGORIES = (*TCO_CATEGORIES, "graphic_violence", "glorification", "recruitment")
# From the weakest to the strongest: an overlay applies where it is stricter than the terms.
ACTIONS = ("no_action", "review", "restrict", "disable", "remove")
AUTOMATIC_ACTIONS = ("restrict", "disable", "remove")
# TCO Art. 1(3): material disseminated for these purposes is not terrorist content.
EXEMPT_PURPOSES = ("journalistic", "educational", "artistic", "research", "counter_terrorism")
_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,47}$")


def strictness(action: str) -> int:
    return ACTIONS.index(action)


@dataclass(frozen=True)
class Rule:
    """What the provider does with one category under its terms, and the text cited to users."""

    category: str
    action: str
    clause_ref: str
    text: str
    label: str = ""


@dataclass(frozen=True)
class Exemption:
    purpose: str
    text: str


@dataclass(frozen=True)
class Overlay:
    """What the law of a jurisdiction requires for one category, with its legal reference."""

    jurisdiction: str
    category: str
    action: str
    legal_ref: str
    text: str = ""


@dataclass(frozen=True)
class Automation:
    """An explicit permission to act without a reviewer on signals from named sources (TCO Art. 5: sampled)."""

    category: str
    sources: tuple[str, ...]
    action: str
    sample_share: float
    min_confidence: float = 1.0
    labels: tuple[str, ...] = ()
    jurisdiction: str | None = None


@dataclass(frozen=True)
class PolicyBody:
    rules: tuple[Rule, ...]
    exemptions: tuple[Exemption, ...] = ()
    overlays: tuple[Overlay, ...] = ()
    automation: tuple[Automation, ...] = ()
    categories: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(r.category for r in self.rules))

    def rule(self, category: str) -> Rule | None:
        return next((r for r in self.rules if r.category == category), None)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("categories")
        plain: dict[str, Any] = json.loads(json.dumps(data))  # tuples become lists, as stored
        return plain


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidInput(f"{key} must be a non-empty string", field=f"{where}.{key}")
    return value.strip()


def _choice(raw: Mapping[str, Any], key: str, where: str, options: Sequence[str]) -> str:
    value = raw.get(key)
    if value not in options:
        raise InvalidInput(f"{key} must be one of {', '.join(options)}", field=f"{where}.{key}")
    return str(value)


def _share(raw: Mapping[str, Any], key: str, where: str, default: float | None) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidInput(f"{key} must be a number from 0 to 1", field=f"{where}.{key}")
    return float(value)


def _items(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise InvalidInput(f"{key} must be a list of objects", field=key)
    return value


def _rule(raw: Mapping[str, Any], where: str) -> Rule:
    category = _text(raw, "category", where)
    if not _SLUG.match(category):
        raise InvalidInput("a category is a lower-case slug such as 'glorification'", field=f"{where}.category")
    return Rule(category=category, action=_choice(raw, "action", where, ACTIONS),
                clause_ref=_text(raw, "clause_ref", where), text=_text(raw, "text", where),
                label=_text(raw, "label", where, required=False) or category.replace("_", " ").capitalize())


def _exemption(raw: Mapping[str, Any], where: str) -> Exemption:
    return Exemption(purpose=_choice(raw, "purpose", where, EXEMPT_PURPOSES), text=_text(raw, "text", where))


def _overlay(raw: Mapping[str, Any], where: str) -> Overlay:
    return Overlay(jurisdiction=check_jurisdiction(_text(raw, "jurisdiction", where), f"{where}.jurisdiction"),
                   category=_text(raw, "category", where), action=_choice(raw, "action", where, ACTIONS),
                   legal_ref=_text(raw, "legal_ref", where), text=_text(raw, "text", where, required=False))


def _strings(raw: Mapping[str, Any], key: str, where: str, *, required: bool) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidInput(f"{key} must be a list of strings", field=f"{where}.{key}")
    if required and not value:
        raise InvalidInput(f"{key} must name at least one", field=f"{where}.{key}")
    return tuple(v.strip() for v in value)


def _automation(raw: Mapping[str, Any], where: str) -> Automation:
    action = _choice(raw, "action", where, AUTOMATIC_ACTIONS)
    share = _share(raw, "sample_share", where, None)
    if share <= 0:
        raise InvalidInput("sample_share must be above 0: TCO Art. 5 requires human verification of "
                           "automated removals", field=f"{where}.sample_share")
    jurisdiction = raw.get("jurisdiction")
    if action == "disable" and not jurisdiction:
        raise InvalidInput("an automatic disable needs a jurisdiction", field=f"{where}.jurisdiction")
    return Automation(
        category=_text(raw, "category", where), sources=_strings(raw, "sources", where, required=True),
        action=action, sample_share=share, min_confidence=_share(raw, "min_confidence", where, 1.0),
        labels=_strings(raw, "labels", where, required=False),
        jurisdiction=check_jurisdiction(str(jurisdiction), f"{where}.jurisdiction") if jurisdiction else None,
    )


def _check_categories(body: PolicyBody) -> None:
    if len(set(body.categories)) != len(body.categories):
        raise InvalidInput("each category may have only one rule", field="rules")
    named = [("overlays", i, o.category) for i, o in enumerate(body.overlays)]
    named += [("automation", i, a.category) for i, a in enumerate(body.automation)]
    for section, index, category in named:
        if category not in body.categories:
            raise InvalidInput(f"category {category!r} has no rule in this policy",
                               field=f"{section}[{index}].category")


def parse_body(raw: Mapping[str, Any]) -> PolicyBody:
    """Check a version's body and return it typed; every problem names the field at fault."""
    rules = tuple(_rule(item, f"rules[{i}]") for i, item in enumerate(_items(raw, "rules")))
    if not rules:
        raise InvalidInput("a policy needs at least one rule", field="rules")
    body = PolicyBody(
        rules=rules,
        exemptions=tuple(_exemption(item, f"exemptions[{i}]") for i, item in enumerate(_items(raw, "exemptions"))),
        overlays=tuple(_overlay(item, f"overlays[{i}]") for i, item in enumerate(_items(raw, "overlays"))),
        automation=tuple(_automation(item, f"automation[{i}]") for i, item in enumerate(_items(raw, "automation"))),
    )
    _check_categories(body)
    return body
