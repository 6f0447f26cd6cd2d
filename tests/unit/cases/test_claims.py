"""Claiming: priority order, idle claims, wellness rotation and, on PostgreSQL, no double assignment."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.cases import claims, config, decisions, queues, service
from accord.cases.models import Claim
from accord.clock import FrozenClock
from accord.db import is_postgres, unit_of_work
from accord.errors import Conflict
from accord.flows import decisions as flows
from accord.identity.service import Principal
from tests.unit.cases.conftest import Provider

CLEAR = decisions.DecisionInput(action="no_action", ground="Terms §1 (no violation)", facts="news report")


def _take_and_decide(p: Provider, who: Principal) -> str | None:
    result = claims.next_case(p.session, p.clock, who)
    if result.case is None:
        return None
    flows.decide(p.session, p.clock, who, result.case.id, CLEAR)
    return result.case.title


def test_next_follows_removal_orders_by_deadline_then_trusted_then_score_then_age(provider: Provider) -> None:
    p = provider
    p.case("ordinary-old", ["hash_match"])
    p.clock.advance(minutes=1)
    p.case("ordinary-graphic", ["hash_match"], labels=["graphic_violence"])
    p.case("ordinary-new", ["hash_match"])
    p.case("trusted", ["trusted_flag"])
    p.case("order-late", ["removal_order"], deadline_minutes=50)
    p.case("order-soon", ["removal_order"], deadline_minutes=30)
    reviewer = p.reviewer("rev")
    titles = [_take_and_decide(p, reviewer) for _ in range(7)]
    assert titles == ["order-soon", "order-late", "trusted", "ordinary-graphic", "ordinary-old", "ordinary-new",
                      None]


def test_listing_shows_the_same_order_with_score_and_reasons(provider: Provider) -> None:
    p = provider
    p.case("low", ["user_report"])
    p.case("order", ["removal_order"], deadline_minutes=40)
    rows = [service.describe(c, p.clock) for c in service.list_cases(p.session, p.clock, p.id)]
    assert [r["title"] for r in rows] == ["order", "low"]
    assert rows[0]["seconds_left"] == 40 * 60 and rows[0]["breach"] is False
    assert rows[0]["score_reasons"] and rows[0]["band"] in ("low", "medium", "high")


def test_a_reviewer_keeps_their_claim_and_others_get_another_case(provider: Provider) -> None:
    p = provider
    p.case("one", ["hash_match"])
    p.case("two", ["hash_match"])
    a, b = p.reviewer("a"), p.reviewer("b")
    first = claims.next_case(p.session, p.clock, a).case
    again = claims.next_case(p.session, p.clock, a).case
    other = claims.next_case(p.session, p.clock, b).case
    assert first is not None and again is not None and other is not None
    assert first.id == again.id != other.id
    with pytest.raises(Conflict):
        flows.decide(p.session, p.clock, b, first.id, CLEAR)
    assert claims.next_case(p.session, p.clock, p.reviewer("c")).case is None


def test_idle_claim_returns_to_the_pool_after_the_configured_time(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id, {"claim_idle_minutes": 5})
    p.case("only", ["hash_match"])
    a, b = p.reviewer("a"), p.reviewer("b")
    held = claims.next_case(p.session, p.clock, a).case
    p.clock.advance(minutes=4)
    assert claims.next_case(p.session, p.clock, b).case is None
    p.clock.advance(minutes=2)
    taken = claims.next_case(p.session, p.clock, b).case
    assert held is not None and taken is not None and taken.id == held.id and taken.claimed_by == b.ref
    outcomes = sorted(c.outcome or "open" for c in p.session.scalars(select(Claim)))
    assert outcomes == ["expired", "open"]


def test_release_gives_the_case_back(provider: Provider) -> None:
    p = provider
    p.case("only", ["hash_match"])
    a, b = p.reviewer("a"), p.reviewer("b")
    held = claims.next_case(p.session, p.clock, a).case
    assert held is not None
    claims.release(p.session, p.clock, a, held.id)
    again = claims.next_case(p.session, p.clock, b).case
    assert again is not None and again.id == held.id


def test_past_the_graphic_soft_cap_a_reviewer_gets_lower_harm_queues_and_a_break(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id, {"graphic_soft_cap": 2})
    queues.create_queue(p.session, p.clock, p.admin.actor, provider_id=p.id, name="Spam-like", harm="low",
                        rules={"severity": ["standard"]})
    for key in ("g1", "g2", "g3"):
        p.case(key, ["hash_match"], labels=["graphic_violence"])
    p.case("mild", ["hash_match"])
    reviewer = p.reviewer("r")
    assert [_take_and_decide(p, reviewer) for _ in range(2)] == ["g1", "g2"]
    result = claims.next_case(p.session, p.clock, reviewer)
    assert result.case is not None and result.case.title == "mild"
    assert result.wellness["graphic_seen"] == 2 and result.wellness["suggest_break"] is True
    p.clock.advance(hours=9)  # a new shift
    flows.decide(p.session, p.clock, reviewer, result.case.id, CLEAR)
    later = claims.next_case(p.session, p.clock, reviewer)
    assert later.case is not None and later.case.title == "g3" and later.wellness["over_cap"] is False


def test_removal_orders_still_reach_a_reviewer_past_the_cap(provider: Provider) -> None:
    p = provider
    config.update_review_settings(p.session, p.clock, p.admin.actor, p.id, {"graphic_soft_cap": 1})
    p.case("g1", ["hash_match"], labels=["graphic_violence"])
    p.case("order", ["removal_order"], deadline_minutes=45, labels=["graphic_violence"])
    reviewer = p.reviewer("r")
    assert _take_and_decide(p, reviewer) == "order"
    assert claims.next_case(p.session, p.clock, reviewer).case is None  # g1 waits for someone else


@pytest.mark.committing  # other connections read what it committed
def test_concurrent_reviewers_never_get_the_same_case(provider: Provider, factory: sessionmaker[Session],
                                                      clock: FrozenClock) -> None:
    p = provider
    if not is_postgres(p.session):
        pytest.skip("SKIP LOCKED claims are a PostgreSQL guarantee; SQLite serialises writers")
    for i in range(24):
        p.case(f"c{i}", ["hash_match"])
    reviewers = [p.reviewer(f"r{i}") for i in range(4)]
    queues.triage_pending(p.session, p.clock, p.id)
    p.session.commit()
    barrier, taken, errors = threading.Barrier(4), Counter[str](), []

    def work(who: Principal) -> None:
        barrier.wait()
        try:
            while True:
                with unit_of_work(factory) as session:
                    result = claims.next_case(session, clock, who)
                    if result.case is None:
                        return
                    taken[result.case.id] += 1
                    flows.decide(session, clock, who, result.case.id, CLEAR)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(taken) == 24 and set(taken.values()) == {1}


@pytest.mark.committing  # other connections read what it committed
def test_a_claim_held_open_is_skipped_not_waited_for(provider: Provider, factory: sessionmaker[Session],
                                                    clock: FrozenClock) -> None:
    p = provider
    if not is_postgres(p.session):
        pytest.skip("row locks are a PostgreSQL matter")
    p.case("first", ["hash_match"])
    p.case("second", ["hash_match"])
    a, b = p.reviewer("a"), p.reviewer("b")
    queues.triage_pending(p.session, p.clock, p.id)
    p.session.commit()
    with factory() as first, factory() as second:
        got_a = claims._candidates(first, clock, a, claims.idle_cutoff(first, clock, p.id), over_cap=False)
        row_a = first.scalar(got_a)
        row_b = second.scalar(claims._candidates(second, clock, b, claims.idle_cutoff(second, clock, p.id),
                                                 over_cap=False))
        assert row_a is not None and row_b is not None and row_a.id != row_b.id
        first.rollback()
        second.rollback()
