"""Policy templates for small providers: model terms per category, exemptions and jurisdiction presets.

TCAP-02 / HASH-06: a small hosting service should not have to write its terrorist-content policy from nothing.
The texts are a starting point the provider adapts; the overlays come from the jurisdiction guide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord.policies.jurisdictions import guide_rules

MODEL_TERMS: dict[str, tuple[str, str, str]] = {
    # category: (action, clause, text shown to users and cited in statements of reasons)
    "incitement": ("remove", "4.1", "We remove content that incites the commission of terrorist offences, "
                   "including by glorifying them."),
    "solicitation_commit": ("remove", "4.2", "We remove content that solicits anyone to commit or contribute "
                            "to a terrorist offence."),
    "solicitation_group": ("remove", "4.3", "We remove content that solicits anyone to take part in the "
                           "activities of a terrorist group."),
    "instruction": ("remove", "4.4", "We remove instructions for making or using explosives, firearms or "
                    "other weapons or hazardous substances for terrorist purposes."),
    "threat": ("remove", "4.5", "We remove threats to commit a terrorist offence."),
    "graphic_violence": ("restrict", "4.6", "We place graphic depictions of real violence behind a warning "
                         "and remove those that celebrate it."),
    "glorification": ("review", "4.7", "We review content that praises violent extremist attacks or their "
                      "perpetrators and remove it when it promotes them."),
    "recruitment": ("remove", "4.8", "We remove content that recruits for violent extremist organisations."),
}

MODEL_EXEMPTIONS: dict[str, str] = {
    "journalistic": "Reporting on terrorism, including news footage, is allowed when its purpose is to inform.",
    "educational": "Material used to teach about terrorism and its history is allowed.",
    "artistic": "Artistic works that engage with violence without promoting it are allowed.",
    "research": "Material collected or discussed for research is allowed.",
    "counter_terrorism": "Content that counters terrorism, including polemic views in public debate, is allowed.",
}


def template_body(jurisdictions: Sequence[str] = ("EU",)) -> dict[str, Any]:
    """A complete policy body: the model terms, the five exemptions and the guide's overlays for each code."""
    rules = [{"category": c, "action": a, "clause_ref": ref, "text": text}
             for c, (a, ref, text) in MODEL_TERMS.items()]
    overlays = [{"jurisdiction": code.upper(), **rule} for code in jurisdictions for rule in guide_rules(code)]
    return {
        "rules": rules,
        "exemptions": [{"purpose": p, "text": t} for p, t in MODEL_EXEMPTIONS.items()],
        "overlays": overlays,
        "automation": [],
    }


def catalogue() -> list[dict[str, Any]]:
    """The templates on offer, for the API and the CLI."""
    return [
        {"name": "small-provider-eu", "description": "Model terms with the EU-wide TCO rule.",
         "jurisdictions": ["EU"], "body": template_body(["EU"])},
        {"name": "small-provider-eu-de", "description": "Model terms with the EU-wide rule and German law.",
         "jurisdictions": ["EU", "DE"], "body": template_body(["EU", "DE"])},
    ]
