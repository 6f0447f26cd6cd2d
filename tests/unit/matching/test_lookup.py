"""Lookups: visibility, negative banks, quarantine, what a match carries, and recording for providers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.banks import service
from accord.banks.models import MatchRecord
from accord.banks.service import EntryDetails, NewSignal
from accord.cases.models import Case, Decision
from accord.clock import FrozenClock
from accord.matching import lookup
from accord.matching.lookup import QuerySignal
from accord.matching.service import Matcher
from accord.policies import service as policies
from tests.unit.banks.helpers import LIMITS, PDQ_A, bank_photo, bank_with, flip, mirrored, org

POLICY_ACTOR = Actor("test:policy", None)


def test_a_match_carries_bank_entry_distance_labels_and_metadata(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    [entry] = service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_A)], EntryDetails(
        labels=["glorification_of_terrorist_acts"], entity="Example Front", list_source="eu", metadata={"k": 1}))
    outcome = lookup.lookup(session, Matcher(), owner.org_id, [QuerySignal("pdq", flip(PDQ_A, 9))])
    [found] = [m.as_dict(owner.org_id) for m in outcome.matches]
    assert found["bank"] == bank.name and found["entry_id"] == entry.id and found["distance"] == 9
    assert found["labels"] == ["glorification_of_terrorist_acts"] and found["metadata"] == {"k": 1}
    assert (found["entity"], found["list_source"], found["value"]) == ("Example Front", "eu", PDQ_A)
    assert lookup.lookup(session, Matcher(), owner.org_id, [QuerySignal("pdq", flip(PDQ_A, 32))]).matches == []


def test_another_orgs_private_bank_never_matches(session: Session, clock: FrozenClock) -> None:
    owner, other = org(session, clock), org(session, clock)
    bank_with(session, clock, owner)
    matcher = Matcher()
    assert lookup.lookup(session, matcher, owner.org_id, [QuerySignal("pdq", PDQ_A)]).matches
    assert lookup.lookup(session, matcher, other.org_id, [QuerySignal("pdq", PDQ_A)]).matches == []


def test_negative_bank_suppresses_every_match_of_the_content(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    shared = bank_with(session, clock, hub, "shared", values=(), visibility="all")
    bank_photo(session, clock, hub, shared, 11)
    allow = bank_with(session, clock, provider, "exempt", values=(), kind="negative")
    bank_photo(session, clock, provider, allow, 11)
    matcher = Matcher()
    upload = lookup.signals_of_upload(mirrored(11), LIMITS)
    mine = lookup.match_content(session, clock, matcher, provider, upload)
    assert mine.matches == [] and {m.bank.id for m in mine.suppressed_by} == {allow.id}
    assert session.scalars(select(MatchRecord)).all() == [], "a suppressed match records nothing"
    other = org(session, clock)
    theirs = lookup.lookup(session, matcher, other.org_id, upload)
    assert theirs.matches and {m.bank.id for m in theirs.matches} == {shared.id}, "only the owner's allow-list"


def test_a_provider_match_opens_a_case_then_joins_it(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    shared = bank_with(session, clock, hub, values=(), visibility="all")
    bank_photo(session, clock, hub, shared, 12)
    matcher = Matcher()
    first = lookup.match_content(session, clock, matcher, provider, lookup.signals_of_upload(mirrored(12), LIMITS))
    again = lookup.match_content(session, clock, matcher, provider, lookup.signals_of_upload(mirrored(12), LIMITS))
    assert first.case_id and first.case_id == again.case_id
    assert first.action == "review", "no policy says otherwise"
    case = session.get(Case, first.case_id)
    assert case is not None and "hash_match" in case.sources and case.provider_id == provider.org_id
    [event, _] = session.scalars(select(AuditEvent).where(AuditEvent.tag == "matching:match:found")).all()
    assert {"provider_id", "bank_id", "entry_id", "signal_type", "distance", "case_id"} <= set(event.payload)
    assert event.payload["case_id"] == first.case_id and event.org_id == provider.org_id


def test_non_providers_look_up_without_recording(session: Session, clock: FrozenClock) -> None:
    hub = org(session, clock, "coordinator")
    bank_with(session, clock, hub)
    outcome = lookup.match_content(session, clock, Matcher(), hub, [QuerySignal("pdq", PDQ_A)])
    assert outcome.matches and outcome.case_id is None
    assert session.scalars(select(MatchRecord)).all() == []


def test_only_the_named_banks(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank_with(session, clock, owner, "one")
    bank_with(session, clock, owner, "two", values=(flip(PDQ_A, 3),))
    matcher = Matcher()
    both = lookup.lookup(session, matcher, owner.org_id, [QuerySignal("pdq", PDQ_A)])
    only = lookup.lookup(session, matcher, owner.org_id, [QuerySignal("pdq", PDQ_A)], ["two"])
    assert len(both.matches) == 2 and [m.bank.name for m in only.matches] == ["two"]


def _activate(session: Session, clock: FrozenClock, provider_id: str, policy_id: str, number: int) -> None:
    policies.publish_version(session, clock, POLICY_ACTOR, policy_id=policy_id, provider_id=provider_id,
                             number=number)
    policies.activate_version(session, clock, POLICY_ACTOR, policy_id=policy_id, provider_id=provider_id,
                              number=number)


def test_automatic_action_only_where_the_policy_says_so(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    bank_with(session, clock, hub, visibility="all", labels=("radicalisation_recruitment_instruction",))
    policy = policies.create_policy(session, clock, POLICY_ACTOR, provider_id=provider.org_id, name="TVEC",
                                    template="small-provider-eu")
    _activate(session, clock, provider.org_id, policy.id, 1)
    matcher = Matcher()
    without = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", PDQ_A)])
    assert without.action == "review", "a policy without an automation entry never acts alone"

    body = {**policies.get_version(session, policy.id, provider.org_id, 1).body, "automation": [
        {"category": "instruction", "sources": ["coordinator_bank"], "action": "remove", "sample_share": 0.1,
         "min_confidence": 0.95}]}
    policies.create_version(session, clock, POLICY_ACTOR, policy_id=policy.id, provider_id=provider.org_id,
                            body=body, note="automatic removal")
    _activate(session, clock, provider.org_id, policy.id, 2)
    far = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", flip(PDQ_A, 20))])
    assert far.action == "review", "a distant PDQ match is below the policy's confidence"
    exact = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", PDQ_A)])
    assert exact.action == "remove" and exact.case_id == without.case_id
    [decision] = session.scalars(select(Decision).where(Decision.case_id == exact.case_id)).all()
    assert decision.automated_decision and decision.action == "remove"
    actions = session.scalars(select(MatchRecord.action).order_by(MatchRecord.created_at)).all()
    assert sorted(actions) == ["remove", "review", "review"]
