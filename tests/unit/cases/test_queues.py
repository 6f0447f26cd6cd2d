"""Routing: ordered rules, first match wins, a lazily created default queue, role-restricted queues."""

from __future__ import annotations

import pytest

from accord.cases import queues
from accord.errors import InvalidInput
from tests.unit.cases.conftest import Provider


def test_first_matching_queue_wins_and_the_rest_go_to_default(provider: Provider) -> None:
    p = provider
    orders = queues.create_queue(p.session, p.clock, p.admin.actor, provider_id=p.id, name="Orders", position=1,
                                 rules={"sources": ["removal_order"]})
    graphic = queues.create_queue(p.session, p.clock, p.admin.actor, provider_id=p.id, name="Graphic",
                                  position=2, rules={"severity": ["graphic", "imminent"]})
    german = queues.create_queue(p.session, p.clock, p.admin.actor, provider_id=p.id, name="German DE",
                                 position=3, rules={"languages": ["DE"], "jurisdictions": ["de"]})
    order = p.case("a", ["removal_order"], deadline_minutes=60, labels=["graphic_violence"])
    gore = p.case("b", labels=["graphic_violence"])
    de = p.case("c", language="de", jurisdiction="DE")
    de_only_language = p.case("d", language="de", jurisdiction="AT")
    for case in (order, gore, de, de_only_language):
        queues.triage(p.session, p.clock, case)
    assert order.queue_id == orders.id  # matches Orders and Graphic: the first one wins
    assert gore.queue_id == graphic.id
    assert de.queue_id == german.id
    default = queues.default_queue(p.session, p.id, p.clock.now())
    assert de_only_language.queue_id == default.id  # every rule of a queue must match
    assert [q.kind for q in queues.list_queues(p.session, p.clock, p.id)][-1] == "default"


def test_default_queue_is_created_once(provider: Provider) -> None:
    first = queues.default_queue(provider.session, provider.id, provider.clock.now())
    again = queues.default_queue(provider.session, provider.id, provider.clock.now())
    assert first.id == again.id


def test_role_restricted_queue_is_hidden_from_other_roles(provider: Provider) -> None:
    p = provider
    secret = queues.create_queue(p.session, p.clock, p.admin.actor, provider_id=p.id, name="Sensitive",
                                 roles=["analyst"])
    reviewer, analyst = p.reviewer("rita"), p.reviewer("ana", role="analyst")
    assert secret.id not in queues.visible_queue_ids(p.session, p.clock, reviewer)
    assert secret.id in queues.visible_queue_ids(p.session, p.clock, analyst)
    assert secret.id in queues.visible_queue_ids(p.session, p.clock, p.admin)


@pytest.mark.parametrize("rules", [{"colour": ["red"]}, {"severity": ["extreme"]}])
def test_unknown_rules_are_refused(provider: Provider, rules: dict[str, list[str]]) -> None:
    with pytest.raises(InvalidInput):
        queues.create_queue(provider.session, provider.clock, provider.admin.actor, provider_id=provider.id,
                            name="x", rules=rules)


def test_joined_case_is_triaged_again(provider: Provider) -> None:
    p = provider
    case = p.case("e")
    assert queues.triage_pending(p.session, p.clock, p.id) == 1
    assert queues.triage_pending(p.session, p.clock, p.id) == 0
    p.clock.advance(minutes=1)
    p.case("e", ["trusted_flag"])
    assert queues.triage_pending(p.session, p.clock, p.id) == 1
    assert case.tier == 1
