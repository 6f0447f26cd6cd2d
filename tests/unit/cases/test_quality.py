"""Quality: sampling shares, blind re-reviews, Cohen's kappa checked against statsmodels and by hand."""

from __future__ import annotations

import secrets

import pytest
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from accord.cases import config, decisions, quality
from accord.cases.models import ACTIONS
from accord.errors import PermissionDenied
from accord.flows import decisions as flows
from tests.unit.cases.conftest import Provider

# A known fixture: 20 double-reviewed decisions over three actions.
FIXTURE = ([("remove", "remove")] * 8 + [("no_action", "no_action")] * 5 + [("restrict", "restrict")] * 2
           + [("remove", "no_action")] * 2 + [("no_action", "remove")] + [("remove", "restrict")]
           + [("restrict", "no_action")])


def _table(pairs: list[tuple[str, str]]) -> list[list[int]]:
    labels = sorted({x for pair in pairs for x in pair})
    return [[sum(1 for p in pairs if p == (a, b)) for b in labels] for a in labels]


def test_kappa_matches_statsmodels_and_a_hand_computation() -> None:
    ours = quality.cohens_kappa(FIXTURE)
    assert ours == pytest.approx(sm_kappa(_table(FIXTURE)).kappa)
    # by hand: po = 15/20; first rater remove 11, no_action 6, restrict 3; second 9, 8, 3
    expected = (11 * 9 + 6 * 8 + 3 * 3) / 400
    assert ours == pytest.approx((0.75 - expected) / (1 - expected))


def test_kappa_edge_cases() -> None:
    assert quality.cohens_kappa([]) is None
    assert quality.cohens_kappa([("remove", "remove")] * 3) is None  # chance agreement is 1: undefined
    assert quality.cohens_kappa([("remove", "no_action"), ("no_action", "remove")]) == pytest.approx(-1.0)


def test_draw_gives_about_the_configured_share() -> None:
    draws = [quality.draw(f"dec_{secrets.token_urlsafe(12)}") for _ in range(4000)]
    assert all(0 <= d < 1 for d in draws)
    assert 0.08 < sum(d < 0.10 for d in draws) / len(draws) < 0.12


def _decide_many(p: Provider, n: int, *, automated: bool = False) -> None:
    for i in range(n):
        case = p.case(f"c{i}{automated}", ["hash_match"])
        flows.decide(p.session, p.clock, p.admin, case.id, decisions.DecisionInput(
            action="remove", ground="TCO Art. 2(7)", facts="propaganda", automated_decision=automated))


def test_every_decision_is_sampled_at_share_one_and_none_at_zero(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id, {"rereview_share": 1.0})
    _decide_many(p, 3)
    assert len(quality.pending(p.session, p.reviewer("second"))) == 3
    assert quality.pending(p.session, p.admin) == []  # never your own decisions
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id, {"rereview_share": 0.0})
    _decide_many(p, 3, automated=False)
    assert quality.agreement(p.session, p.id)["pending"] == 3


def test_automated_decisions_are_verified_by_a_human(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id, {"automated_verify_share": 1.0})
    _decide_many(p, 2, automated=True)
    human = p.reviewer("human")
    reviews = quality.pending(p.session, human)
    assert {r.kind for r in reviews} == {"verification"}
    quality.submit(p.session, p.clock, human, reviews[0].id, "remove")
    quality.submit(p.session, p.clock, human, reviews[1].id, "no_action")
    figures = quality.agreement(p.session, p.id)["automated"]
    assert (figures["decisions"], figures["sampled"], figures["count"]) == (2, 2, 2)
    assert figures["overturn_rate"] == 0.5


def test_agreement_per_queue_and_reviewer_pair(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id, {"rereview_share": 1.0})
    first, second = p.reviewer("first"), p.reviewer("second")
    for i, (original, _) in enumerate(FIXTURE):
        case = p.case(f"k{i}", ["hash_match"])
        flows.decide(p.session, p.clock, first, case.id, decisions.DecisionInput(
            action=original, ground="Terms §3", facts="reviewed"))
    for review, (_, again) in zip(quality.pending(p.session, second), FIXTURE, strict=True):
        quality.submit(p.session, p.clock, second, review.id, again)
    figures = quality.agreement(p.session, p.id)
    [queue] = figures["queues"]
    [pair] = figures["pairs"]
    assert queue["count"] == pair["count"] == 20
    assert queue["kappa"] == pytest.approx(sm_kappa(_table(FIXTURE)).kappa, abs=1e-4)
    assert pair["reviewers"] == sorted([first.ref, second.ref])
    assert figures["overall"]["overturn_rate"] == pytest.approx(5 / 20)


def test_the_first_reviewer_cannot_re_review_their_own_decision(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id, {"rereview_share": 1.0})
    _decide_many(p, 1)
    [review] = quality.pending(p.session, p.reviewer("other"))
    with pytest.raises(PermissionDenied):
        quality.submit(p.session, p.clock, p.admin, review.id, ACTIONS[0])
    assert quality.blind_view(p.session, review).id == review.case_id
