"""What a policy version says for one category and country: the rule of the terms, or a stricter law.

The terms apply everywhere; an overlay adds what the law of one jurisdiction requires there. An overlay
therefore applies only where it is stricter than the terms, and among overlays covering a country the
stricter wins, then the more specific (a national law over the EU-wide rule).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from accord.errors import InvalidInput
from accord.policies.document import Automation, Overlay, PolicyBody, Rule, strictness
from accord.policies.jurisdictions import countries_for, covers, specificity

WORLDWIDE: tuple[str, ...] = ()


@dataclass(frozen=True)
class GeoAction:
    """An action required by law in a set of countries."""

    jurisdiction: str
    action: str
    countries: tuple[str, ...]
    legal_ref: str


@dataclass(frozen=True)
class Resolution:
    """The action a policy version prescribes, where, and the clause and text cited in the statement of reasons.

    ``countries`` is empty when the action applies worldwide (a terms-of-service action); otherwise the
    countries where it applies (``disable`` in the 27 Member States for the EU-wide rule). ``ground_kind`` is
    ``legal`` when a jurisdiction's law decided it and ``terms`` otherwise. ``geo`` lists, when no country was
    asked for, the stricter actions the law requires in some countries.
    """

    action: str
    countries: tuple[str, ...]
    clause_ref: str
    text: str
    legal_ref: str | None
    version: int
    category: str
    ground_kind: str
    jurisdiction: str | None = None
    policy_id: str = ""
    version_id: str = ""
    geo: tuple[GeoAction, ...] = ()

    @property
    def worldwide(self) -> bool:
        return not self.countries


def _geo(overlay: Overlay) -> GeoAction:
    return GeoAction(overlay.jurisdiction, overlay.action, countries_for(overlay.jurisdiction), overlay.legal_ref)


def _stricter_overlays(body: PolicyBody, rule: Rule) -> list[Overlay]:
    found = [o for o in body.overlays if o.category == rule.category and strictness(o.action) > strictness(rule.action)]
    return sorted(found, key=lambda o: (strictness(o.action), specificity(o.jurisdiction)), reverse=True)


def _from_rule(rule: Rule, version: int, geo: tuple[GeoAction, ...]) -> Resolution:
    return Resolution(action=rule.action, countries=WORLDWIDE, clause_ref=rule.clause_ref, text=rule.text,
                      legal_ref=None, version=version, category=rule.category, ground_kind="terms", geo=geo)


def _from_overlay(rule: Rule, overlay: Overlay, version: int) -> Resolution:
    return Resolution(action=overlay.action, countries=countries_for(overlay.jurisdiction),
                      clause_ref=rule.clause_ref, text=overlay.text or rule.text, legal_ref=overlay.legal_ref,
                      version=version, category=rule.category, ground_kind="legal",
                      jurisdiction=overlay.jurisdiction)


def resolve_body(body: PolicyBody, version: int, category: str, country: str | None) -> Resolution:
    """Resolve one category, for one country or (``None``) in general with the geo-scoped actions listed."""
    rule = body.rule(category)
    if rule is None:
        raise InvalidInput(f"the policy has no category {category!r}", field="category")
    overlays = _stricter_overlays(body, rule)
    if country is None:
        return _from_rule(rule, version, tuple(_geo(o) for o in overlays))
    here = [o for o in overlays if covers(o.jurisdiction, country)]
    return _from_overlay(rule, here[0], version) if here else _from_rule(rule, version, ())


def automation_for(body: PolicyBody, category: str, source: str, labels: tuple[str, ...],
                   confidence: float) -> Automation | None:
    """The first automation entry that explicitly allows acting on this signal; ``None`` means a human decides."""
    for entry in body.automation:
        if entry.category != category or source not in entry.sources or confidence < entry.min_confidence:
            continue
        if entry.labels and not set(entry.labels) & set(labels):
            continue
        return entry
    return None


def sampled(share: float, key: str) -> bool:
    """Whether the item named ``key`` goes to human verification: a stable draw, so a retry draws the same."""
    draw = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64
    return draw < share
