"""Who may issue what, and for which offences (Regulation (EU) 2023/1543 Art. 4 and 5), as tables.

A refusal names the article it applies, so the authority sees why in the problem+json ``detail``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from accord.errors import InvalidInput

KINDS = ("production", "preservation")
CATEGORIES = ("subscriber", "ip_identification", "traffic", "content")
# Traffic data other than that requested for the sole purpose of identifying the user, and content data.
PROTECTED_CATEGORIES = frozenset({"traffic", "content"})
ISSUER_TYPES = ("judge", "court", "investigating_judge", "prosecutor", "other")
JUDICIAL = frozenset({"judge", "court", "investigating_judge"})
JUDICIAL_OR_PROSECUTOR = JUDICIAL | {"prosecutor"}
# Art. 5(4)(b)-(d): offences for which traffic and content data may be produced whatever the sentence.
LISTED_OFFENCES = {
    "terrorism": "Directive (EU) 2017/541 (terrorism)",
    "child_sexual_abuse": "Directive 2011/93/EU (sexual abuse and exploitation of children)",
    "non_cash_payment_fraud": "Directive (EU) 2019/713 (fraud with non-cash means of payment)",
}
MIN_SENTENCE_YEARS = 3  # Art. 5(4)(a): a custodial sentence of a maximum of at least three years


@dataclass(frozen=True)
class IssuerRule:
    """Which authorities may issue an order of this kind for these categories, or validate one by another."""

    name: str
    article: str
    may_issue: frozenset[str]
    may_validate: frozenset[str]


# The table of Art. 4. An "other" competent authority issues only with the validation of one in ``may_validate``.
ISSUER_RULES = {
    "production:identification": IssuerRule(
        "an EPOC for subscriber data or data for the sole purpose of identifying the user", "Art. 4(1)",
        JUDICIAL_OR_PROSECUTOR, JUDICIAL_OR_PROSECUTOR),
    "production:traffic_content": IssuerRule(
        "an EPOC for traffic data (other than for identification) or content data", "Art. 4(2)",
        JUDICIAL, JUDICIAL),
    "preservation:any": IssuerRule("an EPOC-PR for any category of data", "Art. 4(3)",
                                   JUDICIAL_OR_PROSECUTOR, JUDICIAL_OR_PROSECUTOR),
}
EMERGENCY_VALIDATION_ARTICLE = "Art. 4(5)"


def rule_for(kind: str, categories: Sequence[str]) -> IssuerRule:
    if kind == "preservation":
        return ISSUER_RULES["preservation:any"]
    protected = PROTECTED_CATEGORIES.intersection(categories)
    return ISSUER_RULES["production:traffic_content" if protected else "production:identification"]


def check_categories(kind: str, categories: Sequence[str]) -> list[str]:
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if not categories:
        raise InvalidInput("name at least one data category (Art. 3(9)-(12))", field="data_categories")
    unknown = sorted(set(categories) - set(CATEGORIES))
    if unknown:
        raise InvalidInput(f"unknown data categories: {', '.join(unknown)}", field="data_categories")
    return [c for c in CATEGORIES if c in categories]


def check_issuer(kind: str, categories: Sequence[str], issuer_type: str, validated_by: str | None, *,
                 emergency: bool) -> bool:
    """Refuse what Art. 4 does not allow; True when the order needs an ex-post validation (Art. 4(5))."""
    if issuer_type not in ISSUER_TYPES:
        raise InvalidInput(f"issuer_type must be one of {', '.join(ISSUER_TYPES)}", field="issuer_type")
    rule = rule_for(kind, categories)
    allowed = ", ".join(sorted(rule.may_issue))
    if issuer_type != "other":
        if validated_by is not None:
            raise InvalidInput(f"{rule.article}: only an order of another competent authority is validated",
                               field="validated_by")
        if issuer_type not in rule.may_issue:
            raise InvalidInput(f"{rule.article}: {rule.name} is issued only by a {allowed}, or validated by one",
                               field="issuer_type")
        return False
    if validated_by is None:
        if emergency:
            return True  # Art. 4(5): issued without prior validation, validated within 96 hours
        raise InvalidInput(f"{rule.article}: {rule.name} by another competent authority must be validated by a "
                           f"{allowed} (without prior validation only in an emergency, "
                           f"{EMERGENCY_VALIDATION_ARTICLE})", field="validated_by")
    if validated_by not in rule.may_validate:
        raise InvalidInput(f"{rule.article}: {rule.name} by another competent authority is validated only by a "
                           f"{', '.join(sorted(rule.may_validate))}", field="validated_by")
    return False


def check_offences(kind: str, categories: Sequence[str], offences: Sequence[str], *,
                   max_sentence_years: int | None, listed_offence: str | None) -> None:
    """Art. 5(3)-(4) and 6: subscriber and identification data (and preservation) for any criminal offence;
    traffic and content data only for offences punishable by at least three years at most, or listed ones."""
    if not [o for o in offences if o.strip()]:
        raise InvalidInput("name the criminal offence(s) the order is about (Art. 5, Annex I)", field="offences")
    if listed_offence is not None and listed_offence not in LISTED_OFFENCES:
        raise InvalidInput(f"listed_offence must be one of {', '.join(LISTED_OFFENCES)} (Art. 5(4))",
                           field="listed_offence")
    if max_sentence_years is not None and max_sentence_years < 0:
        raise InvalidInput("max_sentence_years cannot be negative", field="max_sentence_years")
    if kind != "production" or not PROTECTED_CATEGORIES.intersection(categories):
        return
    if listed_offence is None and (max_sentence_years or 0) < MIN_SENTENCE_YEARS:
        raise InvalidInput(
            "Art. 5(4): traffic (other than for identification) and content data are produced only for offences "
            f"punishable in the issuing State by a custodial sentence of a maximum of at least {MIN_SENTENCE_YEARS}"
            " years, or for the offences it lists (e.g. terrorism, Directive (EU) 2017/541)",
            field="max_sentence_years")


def needs_notification(kind: str, categories: Sequence[str], *, resides_in_issuing_state: bool,
                       issuing_state: str | None, enforcing_state: str | None) -> bool:
    """Art. 8(1)-(2): an EPOC for traffic (other than identification) or content data is notified to the
    enforcing authority, unless the issuing authority has reasonable grounds to believe the person resides in
    its own State (or the provider is established there: no other State enforces)."""
    if kind != "production" or not PROTECTED_CATEGORIES.intersection(categories):
        return False
    if enforcing_state is not None and enforcing_state == issuing_state:
        return False
    return not resides_in_issuing_state
