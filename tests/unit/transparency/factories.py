"""Factories for statement-of-reasons tests: a sensible decision that each test bends as it needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from accord.law.sor import (
    Action,
    Automation,
    ContentType,
    DecisionFacts,
    Instrument,
    LegalGround,
    Source,
)

TCO_GROUND = LegalGround(
    instrument=Instrument.TCO,
    article="Art. 2(7)(a)",
    explanation="The video glorifies a terrorist attack and calls on viewers to repeat it.",
    reference_url="https://eur-lex.europa.eu/eli/reg/2021/784/oj",
)


def make_facts(**overrides: Any) -> DecisionFacts:
    """A trusted-flagger removal on a TCO ground; keyword arguments replace fields."""
    facts = DecisionFacts(
        decision_id="3f2b8c1e-6d4a-4b7e-9a51-0c2d7e8f9a10",
        action=Action.REMOVE,
        ground=TCO_GROUND,
        content_types=(ContentType.VIDEO,),
        content_date=date(2026, 3, 1),
        application_date=date(2026, 3, 2),
        facts="Notice from a trusted flagger; reviewed by a moderator against the TCO definition.",
        source=Source.TRUSTED_FLAGGER_NOTICE,
        automated_detection=False,
        automated_decision=Automation.NOT_AUTOMATED,
    )
    return replace(facts, **overrides)
