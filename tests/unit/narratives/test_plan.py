"""The GAMMMA+ plan: what a campaign may say about itself, its audience, its redirects and its experiment."""

from __future__ import annotations

from typing import Any

import pytest

from accord.errors import InvalidInput
from accord.narratives.audience import validate_variants
from accord.narratives.plan import (
    validate_baselines,
    validate_campaign,
    validate_experiment,
    validate_lessons,
    validate_redirect,
)

MINIMAL: dict[str, Any] = {
    "name": "Contract",
    "goal": "g",
    "variants": [{"key": "control", "control": True, "messenger": "peer", "format": "text"},
                 {"key": "former", "messenger": "former_extremist", "format": "video"}],
    "segments": [{"key": "fr-ar", "country": "FR", "language": "ar"}],
}


def _field(call: Any, *args: Any) -> str | None:
    with pytest.raises(InvalidInput) as caught:
        call(*args)
    return caught.value.field


def test_the_contract_document_is_a_whole_plan_with_defaults() -> None:
    plan = validate_campaign(MINIMAL)
    assert plan.name == "Contract" and plan.texts["goal"] == "g" and plan.texts["evaluation"] == ""
    assert plan.starts_on is None and plan.ends_on is None
    assert plan.experiment.primary_outcome == "get_help_clicks" and plan.experiment.allocation == "fixed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"religion": "x"}, "religion"),
        ({"lookalike_audience": "x"}, "lookalike_audience"),
        ({"name": " "}, "name"),
        ({"starts_on": "2026-03-10", "ends_on": "2026-03-01"}, "ends_on"),
        ({"starts_on": "10/03/2026"}, "starts_on"),
        ({"starts_on": 20260310}, "starts_on"),
        ({"variants": "control"}, "variants"),
        ({"experiment": {"primary_outcome": "ctr"}}, "primary_outcome"),
        ({"experiment": {"allocation": "greedy"}}, "experiment.allocation"),
        ({"experiment": {"min_share": 0.6}}, "min_share"),
        ({"experiment": {"min_share": "lots"}}, "experiment.min_share"),
        ({"experiment": {"audience_religion": "x"}}, "experiment.audience_religion"),
        ({"baselines": {"xx": 0.02}}, "baselines.xx"),
        ({"baselines": {"fr-ar": 2.41}}, "baselines.fr-ar"),
    ],
)
def test_a_bad_plan_names_the_field(change: dict[str, Any], field: str) -> None:
    assert _field(validate_campaign, {**MINIMAL, **change}) == field


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"keywords": [], "variant": "former"}, "r.keywords"),
        ({"keywords": ["caliphate"]}, "r"),
        ({"keywords": ["caliphate"], "variant": "ghost"}, "r.variant"),
        ({"keywords": ["caliphate"], "url": "javascript:alert(1)"}, "r.url"),
        ({"keywords": ["@recruiter"], "variant": "former"}, "r.keywords[0]"),
        ({"keywords": ["caliphate"], "variant": "former", "user": "u1"}, "r.user"),
    ],
)
def test_redirect_rules_lead_somewhere_and_name_no_one(rule: dict[str, Any], field: str) -> None:
    assert _field(validate_redirect, rule, {"control", "former"}, "r") == field


def test_a_redirect_rule_may_lead_to_a_variant_and_a_url() -> None:
    rule = validate_redirect({"keywords": ["Hijra guide"], "variant": "former", "url": "https://example.org/p",
                              "language": "AR"}, {"former"})
    assert rule.keywords == ("Hijra guide",) and rule.language == "ar" and rule.url == "https://example.org/p"


def test_the_design_must_fit_the_arms() -> None:
    variants = validate_variants(MINIMAL["variants"])
    assert validate_experiment({"min_share": 0.5}, variants).min_share == 0.5
    assert _field(validate_experiment, {"control_share": 0.99, "min_share": 0.05}, variants) == "control_share"


def test_baselines_are_rates() -> None:
    assert validate_baselines({"fr-ar": 0.0241}, {"fr-ar"}) == {"fr-ar": 0.0241}
    assert _field(validate_baselines, {"fr-ar": True}, {"fr-ar"}) == "baselines.fr-ar"


@pytest.mark.parametrize("text", ["mail me at a@b.org", "call +33 6 12 34 56 78", "thanks @someone"])
def test_lessons_are_anonymised(text: str) -> None:
    assert _field(validate_lessons, "Title", text) == "lessons"


def test_lessons_may_cite_a_report() -> None:
    assert validate_lessons("Title", "See https://example.org/report for the method.")[0] == "Title"
    assert _field(validate_lessons, "Title", "  ") == "lessons"
