"""Altitude-style priority: tiers, confidence + severity, bands and the reasons shown."""

from __future__ import annotations

from accord.banks.models import BehaviourLabel
from accord.cases import priority


def test_removal_orders_then_trusted_then_ordinary() -> None:
    assert priority.tier(["user_report", "removal_order"]) == priority.TIER_REMOVAL_ORDER
    assert priority.tier(["trusted_flag"]) == priority.TIER_TRUSTED
    assert priority.tier(["user_report", "hash_match"]) == priority.TIER_ORDINARY


def test_trusted_and_repeated_sources_raise_confidence_to_the_cap() -> None:
    alone = priority.assess(["user_report"], set(), 1)
    trusted = priority.assess(["trusted_flag", "user_report", "hash_match"], set(), 3)
    assert alone.confidence == 0
    assert trusted.confidence == 3  # 2 + 1 + 1 capped at 3
    assert any("trusted source" in r for r in trusted.reasons)
    assert any("more than one source" in r for r in trusted.reasons)


def test_severity_imminent_threat_is_maximal_and_graphic_plus_incident_add_up() -> None:
    imminent = priority.assess(["user_report"], {"imminent_threat", "graphic_violence"}, 1)
    graphic = priority.assess(["user_report"], {"graphic_violence"}, 1)
    crisis = priority.assess(["user_report"], {"graphic_violence", "incident"}, 1)
    assert (imminent.severity, graphic.severity, crisis.severity) == (7, 4, 7)
    assert imminent.band == "high" and graphic.band == "medium"
    assert priority.assess(["user_report"], set(), 1).band == "low"
    assert imminent.reasons[-1].startswith("+7 severity")


def test_signal_labels_from_banks_count_as_case_labels() -> None:
    labels = priority.case_labels(["Incident"], [{"labels": ["Graphic Violence Against Defenseless People"]}])
    assert labels == {"incident", "graphic_violence_against_defenseless_people"}
    assert priority.is_graphic(labels)
    assert priority.severity_label(labels) == "graphic"
    assert priority.severity_label(set()) == "standard"


def test_the_banks_own_graphic_violence_label_raises_severity() -> None:
    """The label Accord's banks attach (British spelling) counts as graphic, like GIFCT's American one."""
    labels = priority.case_labels([], [{"labels": [BehaviourLabel.GRAPHIC_VIOLENCE_AGAINST_DEFENCELESS_PEOPLE.value]}])
    assert priority.is_graphic(labels)
    assert priority.assess(["hash_match"], labels, 1).severity > priority.assess(["hash_match"], set(), 1).severity
