"""The readiness score: each item turns red, is fixed the way its advice says, turns green (and, where it has an
age limit, red again once the fix is too old)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows import decisions
from accord.identity import service as identity
from accord.jobs import webhooks
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.policies import service as policies
from accord.readiness import drills, score
from accord.rights import profile
from accord.settings import Settings
from tests.factories import PASSWORD, TEST_ACTOR, OrgHandle
from tests.helpers import Receiver
from tests.unit.notices.helpers import org, principal


def _item(session: Session, clock: FrozenClock, provider: OrgHandle, key: str) -> score.Item:
    found = score.of_provider(session, clock, provider.id)
    [item] = [i for i in found.items if i.key == key]
    assert item.fix and item.link.startswith("/ui/")  # every item says how to fix it, and where
    return item


@pytest.fixture
def provider(session: Session, clock: FrozenClock) -> OrgHandle:
    return org(session, clock, "provider")[0]


def test_contact_point_needs_an_email_and_languages(session: Session, clock: FrozenClock,
                                                    provider: OrgHandle) -> None:
    assert not _item(session, clock, provider, "contact_point").ok  # languages, but no e-mail
    identity.update_contact_point(session, clock, principal(provider), email="orders@host.example", phone=None,
                                  languages=["en", "fr"])
    assert _item(session, clock, provider, "contact_point").ok
    english_only = identity.create_organisation(session, clock, TEST_ACTOR, kind="provider", name="EN only",
                                                country="FR", contact_email="o@en.example", contact_languages=["en"])
    item = _item(session, clock, OrgHandle(english_only.id, "provider", "EN only", "", ""), "contact_point")
    assert not item.ok and item.detail == "no official language of FR accepted"  # TCO Art. 15(2)


def test_two_people_who_can_act(session: Session, clock: FrozenClock, provider: OrgHandle) -> None:
    assert not _item(session, clock, provider, "two_people").ok  # the admin alone
    identity.add_member(session, clock, TEST_ACTOR, org_id=provider.id, email="analyst@host.example", name="A",
                        role="analyst", password=PASSWORD)
    assert not _item(session, clock, provider, "two_people").ok  # an analyst cannot act on an order
    identity.add_member(session, clock, TEST_ACTOR, org_id=provider.id, email="oncall@host.example", name="B",
                        role="reviewer", password=PASSWORD)
    assert _item(session, clock, provider, "two_people").ok


def test_a_policy_in_force(session: Session, clock: FrozenClock, provider: OrgHandle) -> None:
    assert not _item(session, clock, provider, "policy").ok
    policy = policies.create_policy(session, clock, TEST_ACTOR, provider_id=provider.id, name="TVEC",
                                    template="small-provider-eu")
    policies.publish_version(session, clock, TEST_ACTOR, policy_id=policy.id, provider_id=provider.id, number=1)
    assert not _item(session, clock, provider, "policy").ok  # published is not in force
    policies.activate_version(session, clock, TEST_ACTOR, policy_id=policy.id, provider_id=provider.id, number=1)
    assert _item(session, clock, provider, "policy").ok


def test_the_micro_small_profile_declared_either_way(session: Session, clock: FrozenClock,
                                                     provider: OrgHandle) -> None:
    assert not _item(session, clock, provider, "micro_small_profile").ok
    profile.set_micro_small(session, clock, TEST_ACTOR, org_id=provider.id, micro_small=False)
    assert _item(session, clock, provider, "micro_small_profile").ok


def test_keys_younger_than_a_year(session: Session, clock: FrozenClock, settings: Settings,
                                  provider: OrgHandle) -> None:
    assert _item(session, clock, provider, "keys_rotated").ok
    clock.advance(days=366)
    assert not _item(session, clock, provider, "keys_rotated").ok
    [old] = identity.list_keys(session, provider.id)
    identity.create_key(session, clock, TEST_ACTOR, org_id=provider.id, name="rotated")
    assert not _item(session, clock, provider, "keys_rotated").ok  # the old key still works
    identity.revoke_key(session, clock, TEST_ACTOR, key_ref=old.id, org_id=provider.id)
    assert _item(session, clock, provider, "keys_rotated").ok


def _answered_drill(session: Session, clock: FrozenClock, provider: OrgHandle, minutes: int) -> None:
    hub = org(session, clock, "coordinator")[1]
    drill = drills.schedule(session, clock, hub, provider_id=provider.id, starts_after=clock.now(),
                            ends_before=clock.now() + timedelta(minutes=1), rng=random.Random(3))
    clock.set(drill.send_at)
    notice = drills.send(session, clock, drill)
    clock.advance(minutes=minutes)
    decisions.answer_notice(session, clock, principal(provider), notice.id, decisions.Answer(outcome="removed"))


def test_a_drill_passed_in_the_last_90_days(session: Session, clock: FrozenClock, provider: OrgHandle) -> None:
    assert not _item(session, clock, provider, "drill_passed").ok
    _answered_drill(session, clock, provider, minutes=75)  # acted on, but after the hour
    assert not _item(session, clock, provider, "drill_passed").ok
    _answered_drill(session, clock, provider, minutes=20)
    assert _item(session, clock, provider, "drill_passed").ok
    clock.advance(days=91)
    assert not _item(session, clock, provider, "drill_passed").ok


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as found:
        yield found


def test_a_webhook_that_answered_a_signed_test(factory: sessionmaker[Session], clock: FrozenClock,
                                               settings: Settings, receiver: Receiver) -> None:
    load_all()
    with unit_of_work(factory) as session:
        provider = org(session, clock, "provider")[0]
        assert not _item(session, clock, provider, "webhook_tested").ok
        webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=provider.id, url=receiver.url,
                                 events=["notice.received"])
    with unit_of_work(factory) as session:
        assert not _item(session, clock, provider, "webhook_tested").ok  # an endpoint never tested
        assert webhooks.send_test(session, clock, TEST_ACTOR, org_id=provider.id) == 1
    assert Worker(factory, clock, settings).drain() == 1
    assert receiver.received[0].headers[webhooks.EVENT_HEADER] == webhooks.TEST_EVENT
    assert webhooks.SIGNATURE_HEADER in receiver.received[0].headers
    with factory() as session:
        assert _item(session, clock, provider, "webhook_tested").ok
        clock.advance(days=31)
        assert not _item(session, clock, provider, "webhook_tested").ok


def test_a_failing_webhook_test_stays_red(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings,
                                          receiver: Receiver) -> None:
    load_all()
    receiver.status = 500
    with unit_of_work(factory) as session:
        provider = org(session, clock, "provider")[0]
        webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=provider.id, url=receiver.url)
        webhooks.send_test(session, clock, TEST_ACTOR, org_id=provider.id)
    Worker(factory, clock, settings).drain()
    assert receiver.received
    with factory() as session:
        assert not _item(session, clock, provider, "webhook_tested").ok


def test_the_coordinator_overview_and_who_reads_it(session: Session, clock: FrozenClock,
                                                   provider: OrgHandle) -> None:
    hub = org(session, clock, "coordinator")[1]
    seen = score.visible(session, clock, hub)
    assert provider.id in {r.provider_id for r in seen} and all(len(r.items) == 7 for r in seen)
    assert [r.provider_id for r in score.visible(session, clock, principal(provider))] == [provider.id]
    with pytest.raises(Exception, match="providers read their readiness"):
        score.visible(session, clock, org(session, clock, "authority")[1])
