"""Golden tests: a synthetic year of audit events gives exactly the expected report figures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.errors import InvalidInput
from accord.identity.models import Organisation
from accord.rights.profile import set_micro_small
from accord.transparency import reports
from tests.factories import OrgHandle, make_org
from tests.unit.transparency import history

ACTOR = Actor("test:reports", None)


def _orders(session: Session, clock: FrozenClock, provider: str, fr: str, de: str) -> None:
    order = {"provider_id": provider, "kind": "removal_order"}
    history.notice(session, clock, **order, issuer_id=fr, member_state="FR", tco_types=["incitement"],
                   seconds_to_ack=600, outcome="removed", seconds_to_act=1800)
    history.notice(session, clock, **order, issuer_id=fr, member_state="FR", cross_border=True,
                   tco_types=["incitement", "instruction"], seconds_to_ack=1200, outcome="disabled",
                   seconds_to_act=3000)
    history.notice(session, clock, **order, issuer_id=de, member_state="DE", tco_types=["instruction"],
                   seconds_to_ack=300, outcome="cannot_comply", ground="manifest_error", seconds_to_act=900)
    history.notice(session, clock, **order, issuer_id=de, member_state="DE", tco_types=["threat"],
                   seconds_to_ack=100, outcome="removed", seconds_to_act=4000, breach=True)


def _notices(session: Session, clock: FrozenClock, provider: str, fr: str, flagger: str) -> None:
    for outcome, seconds in (("removed", 500), ("no_action", 700)):
        history.notice(session, clock, provider_id=provider, issuer_id=fr, outcome=outcome, seconds_to_act=seconds)
    for outcome, seconds in (("removed", 100), ("removed", 200), ("no_action", 300)):
        history.notice(session, clock, provider_id=provider, issuer_id=flagger, kind="trusted_flagger_notice",
                       issuer_kind="trusted_flagger", member_state="NL", outcome=outcome, seconds_to_act=seconds)
    history.notice(session, clock, provider_id=provider, issuer_id="anonymous", kind="dsa_notice",
                   issuer_kind="public")


def _decisions(session: Session, clock: FrozenClock, provider: str) -> None:
    clock.set(datetime(2026, 3, 10, tzinfo=UTC))
    for _ in range(3):
        history.decision(session, clock, provider, sources=["removal_order"])
    clock.set(datetime(2026, 4, 10, tzinfo=UTC))
    for _ in range(2):
        history.decision(session, clock, provider, sources=["hash_match"], automated_detection=True)
    clock.set(datetime(2026, 5, 10, tzinfo=UTC))
    history.decision(session, clock, provider, action="disable", ground_kind="terms", countries=["DE"],
                     sources=["trusted_flagger_notice"], automated_decision="partially")
    history.decision(session, clock, provider, action="restrict", ground_kind="terms", restriction="demoted")
    for _ in range(2):
        history.decision(session, clock, provider, action="no_action")


def _rights(session: Session, clock: FrozenClock, provider: str, fr: str) -> None:
    common = {"provider_id": provider, "decision_id": "dec_x"}
    for by in ("uploader", "uploader", "notifier"):
        history.event(session, clock, Event.RIGHTS_COMPLAINT_FILE, provider, **common, by=by)
    history.event(session, clock, Event.RIGHTS_COMPLAINT_DECIDE, provider, **common, outcome="upheld",
                  seconds_to_decide=86400, breach=False)
    history.event(session, clock, Event.RIGHTS_COMPLAINT_DECIDE, provider, **common, outcome="reversed",
                  seconds_to_decide=172800, breach=False)
    history.event(session, clock, Event.RIGHTS_CONTENT_REINSTATE, provider, provider_id=provider, reason="complaint")
    history.event(session, clock, Event.RIGHTS_CONTENT_REINSTATE, provider, provider_id=provider, reason="scrutiny")
    review = {"provider_id": provider, "issuer_id": fr}
    history.event(session, clock, Event.RIGHTS_REVIEW_RECORD, provider, **review, brought_by="provider",
                  outcome="pending")
    history.event(session, clock, Event.RIGHTS_REVIEW_DECIDE, fr, **review, brought_by="provider", outcome="annulled")
    history.event(session, clock, Event.RIGHTS_REVIEW_RECORD, fr, **review, brought_by="content_provider",
                  outcome="pending")
    history.event(session, clock, Event.NOTICES_SCRUTINY_DECIDE, fr, **review, infringement=True)
    exposure = {"provider_id": provider, "authority_id": fr}
    for tag in ("decide", "report", "require", "review_request", "review_decide"):
        history.event(session, clock, Event(f"authorities:exposure:{tag}"), fr, **exposure)
    for ground in ("Art. 3(3)", "Art. 3(3)", "Art. 7"):
        history.event(session, clock, Event.AUTHORITIES_PENALTY_IMPOSE, fr, **exposure, ground=ground)
    for signal in ("pdq", "pdq", "md5"):
        history.event(session, clock, Event.MATCHING_MATCH_FOUND, provider, provider_id=provider, signal_type=signal)


def _noise(session: Session, clock: FrozenClock, provider: str, other: str) -> None:
    history.decision(session, clock, other)
    clock.set(datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC))
    history.decision(session, clock, provider)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    history.decision(session, clock, provider)


@pytest.fixture
def year(session: Session, clock: FrozenClock) -> dict[str, OrgHandle]:
    orgs = {"provider": make_org(session, clock, "provider"), "other": make_org(session, clock, "provider"),
            "fr": make_org(session, clock, "authority", country="FR"),
            "de": make_org(session, clock, "authority", country="DE"),
            "flagger": make_org(session, clock, "trusted_flagger", country="NL")}
    provider = orgs["provider"].id
    clock.set(datetime(2026, 2, 1, tzinfo=UTC))
    _orders(session, clock, provider, orgs["fr"].id, orgs["de"].id)
    _notices(session, clock, provider, orgs["fr"].id, orgs["flagger"].id)
    _rights(session, clock, provider, orgs["fr"].id)
    _decisions(session, clock, provider)
    _noise(session, clock, provider, orgs["other"].id)
    return orgs


def _report(session: Session, clock: FrozenClock, org: OrgHandle, year: int = 2026) -> dict[str, Any]:
    organisation = session.get(Organisation, org.id)
    assert organisation is not None
    if org.kind == "authority":
        return reports.authority_report(session, clock, org=organisation, year=year)
    return reports.provider_report(session, clock, org=organisation, year=year)


EXPECTED_ART7 = {
    "a_measures": {"decisions": 9, "restrictions": 7,
                   "by_action": {"disable": 1, "no_action": 2, "remove": 5, "restrict": 1},
                   "detected_by_automated_tools": 2, "automated_detection_with_human_decision": 2},
    "b_reappearance": {"hash_matches": 3, "matches_by_signal_type": {"md5": 1, "pdq": 2},
                       "restrictions_after_a_match": 2},
    "c_removals": {"after_removal_orders": 3, "after_specific_measures": 2, "orders_not_executed": 1,
                   "not_executed_by_ground": {"manifest_error": 1}},
    "d_complaints": {"received": 3, "by_complainant": {"notifier": 1, "uploader": 2}, "decided": 2, "upheld": 1,
                     "reversed": 1, "answered_after_two_weeks": 0, "median_seconds_to_decide": 129600.0},
    "e_review_proceedings": {"brought": 1, "by_party": {"provider": 1}, "by_outcome": {"annulled": 1}},
    "f_reinstated_after_review": 1,
    "g_reinstated_after_complaint": 1,
}

EXPECTED_ORDERS = {
    "total": 4, "median_seconds_to_ack": 450.0, "median_seconds_to_act": 2400.0,
    "by_member_state": {
        "DE": {"count": 2, "median_seconds_to_ack": 200.0, "median_seconds_to_act": 2450.0},
        "FR": {"count": 2, "median_seconds_to_ack": 900.0, "median_seconds_to_act": 2400.0},
    },
    "by_type": {
        "incitement": {"count": 2, "median_seconds_to_ack": 900.0, "median_seconds_to_act": 2400.0},
        "instruction": {"count": 2, "median_seconds_to_ack": 750.0, "median_seconds_to_act": 1950.0},
        "threat": {"count": 1, "median_seconds_to_ack": 100.0, "median_seconds_to_act": 4000.0},
    },
}


def test_the_provider_report_gives_every_art7_item(session: Session, clock: FrozenClock,
                                                   year: dict[str, OrgHandle]) -> None:
    assert _report(session, clock, year["provider"])["tco_art7"] == EXPECTED_ART7


def test_the_dsa_figures(session: Session, clock: FrozenClock, year: dict[str, OrgHandle]) -> None:
    dsa = _report(session, clock, year["provider"])["dsa"]
    assert dsa["orders"] == EXPECTED_ORDERS
    assert dsa["notices"] == {"total": 6, "by_kind": {"dsa_notice": 1, "referral": 2, "trusted_flagger_notice": 3},
                              "trusted_flagger": 3, "by_outcome": {"no_action": 2, "removed": 3},
                              "median_seconds_to_act": 300.0}
    assert dsa["actions"] == {"legal_ground": 5, "terms_ground": 2,
                              "by_action": {"disable": 1, "remove": 5, "restrict": 1}, "own_initiative": 2}
    assert dsa["automated_means"] == {"automated_detection": 2,
                                      "decisions_by_automation": {"not_automated": 6, "partially": 1}}
    assert dsa["complaints"]["median_seconds_to_decide"] == 129600.0
    assert dsa["complaints"]["reversed"] == 1 and dsa["complaints"]["reinstated"] == 2
    [flagger] = dsa["trusted_flaggers"]
    assert (flagger["flagger_id"], flagger["notices"], flagger["acted_on"]) == (year["flagger"].id, 3, 2)


def test_monthly_restrictions_for_the_chart(session: Session, clock: FrozenClock,
                                            year: dict[str, OrgHandle]) -> None:
    monthly = _report(session, clock, year["provider"])["monthly"]
    assert (monthly["legal"]["3"], monthly["legal"]["4"], monthly["terms"]["5"]) == (3, 2, 2)
    assert sum(monthly["legal"].values()) + sum(monthly["terms"].values()) == 7


def test_the_authority_report(session: Session, clock: FrozenClock, year: dict[str, OrgHandle]) -> None:
    art8 = _report(session, clock, year["fr"])["tco_art8"]
    assert art8["a_removal_orders"] == {"orders": 2, "cross_border": 1, "executed": 2,
                                        "by_outcome": {"disabled": 1, "removed": 1}, "not_executed_by_ground": {},
                                        "one_hour_breaches": 0, "median_seconds_to_act": 2400.0}
    assert art8["d_review_proceedings"] == {"brought": 2, "by_party": {"content_provider": 1, "provider": 1},
                                            "by_outcome": {"annulled": 1}}
    assert art8["c_scrutiny"] == {"cross_border_orders": 1, "scrutinised": 1, "infringements": 1}
    assert art8["b_specific_measures_decisions"] == {"art5_4_exposure": 1, "art5_6_measures_required": 1,
                                                     "art5_7_reviews_decided": 1, "count": 3,
                                                     "provider_reports_received": 1}
    assert art8["e_penalties"] == {"count": 3, "by_ground": {"Art. 3(3)": 2, "Art. 7": 1}}
    de = _report(session, clock, year["de"])["tco_art8"]["a_removal_orders"]
    assert (de["orders"], de["one_hour_breaches"], de["not_executed_by_ground"]) == (2, 1, {"manifest_error": 1})


def test_other_years_and_providers_are_left_out(session: Session, clock: FrozenClock,
                                                year: dict[str, OrgHandle]) -> None:
    assert _report(session, clock, year["provider"], 2025)["tco_art7"]["a_measures"]["decisions"] == 1
    assert _report(session, clock, year["other"])["tco_art7"]["a_measures"]["decisions"] == 1


def test_a_micro_or_small_provider_is_spared_the_dsa_figures(session: Session, clock: FrozenClock,
                                                             year: dict[str, OrgHandle]) -> None:
    set_micro_small(session, clock, ACTOR, org_id=year["provider"].id, micro_small=True)
    report = _report(session, clock, year["provider"])
    assert report["dsa"] == {"not_required": reports.SPARED, "transparency_database": reports.SPARED_TDB,
                             "art_24_3": reports.KEPT_24_3}
    assert "Art. 24(5)" in report["dsa"]["transparency_database"] and "Art. 19(1)" in reports.SPARED_TDB
    assert report["tco_art7"] == EXPECTED_ART7


def test_years_before_the_regulation_are_refused(session: Session, clock: FrozenClock,
                                                 year: dict[str, OrgHandle]) -> None:
    with pytest.raises(InvalidInput):
        _report(session, clock, year["provider"], 2019)
