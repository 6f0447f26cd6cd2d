"""Lookups: visibility, negative banks, quarantine, what a match carries, and recording for providers."""

from __future__ import annotations

import hashlib
import importlib.util
import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.banks import service
from accord.banks.models import MatchRecord
from accord.banks.service import EntryDetails, NewSignal
from accord.cases import config as review_config
from accord.cases import quality
from accord.cases.decisions import DecisionInput
from accord.cases.models import Case, Decision, QualityReview
from accord.clock import FrozenClock
from accord.flows import incidents
from accord.flows.decisions import decide
from accord.identity.service import Principal
from accord.matching import lookup
from accord.matching.lookup import QuerySignal
from accord.matching.service import Matcher
from accord.policies import service as policies
from accord.policies.resolution import sampled
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
    mine = lookup.match_content(session, clock, matcher, provider, upload, decide=decide)
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
    first = lookup.match_content(session, clock, matcher, provider, lookup.signals_of_upload(mirrored(12), LIMITS),
                                 decide=decide)
    again = lookup.match_content(session, clock, matcher, provider, lookup.signals_of_upload(mirrored(12), LIMITS),
                                 decide=decide)
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
    outcome = lookup.match_content(session, clock, Matcher(), hub, [QuerySignal("pdq", PDQ_A)], decide=decide)
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
    without = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", PDQ_A)], decide=decide)
    assert without.action == "review", "a policy without an automation entry never acts alone"

    body = {**policies.get_version(session, policy.id, provider.org_id, 1).body, "automation": [
        {"category": "instruction", "sources": ["coordinator_bank"], "action": "remove", "sample_share": 0.1,
         "min_confidence": 0.95}]}
    policies.create_version(session, clock, POLICY_ACTOR, policy_id=policy.id, provider_id=provider.org_id,
                            body=body, note="automatic removal")
    _activate(session, clock, provider.org_id, policy.id, 2)
    far = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", flip(PDQ_A, 20))], decide=decide)
    assert far.action == "review", "a distant PDQ match is below the policy's confidence"
    exact = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", PDQ_A)], decide=decide)
    assert exact.action == "remove" and exact.case_id == without.case_id
    [decision] = session.scalars(select(Decision).where(Decision.case_id == exact.case_id)).all()
    assert decision.automated_decision and decision.action == "remove"
    actions = session.scalars(select(MatchRecord.action).order_by(MatchRecord.created_at)).all()
    assert sorted(actions) == ["remove", "review", "review"]


# ---- incident tags reach the case; the rule's sample share; exempt findings -----------------------------

INSTRUCTION = "radicalisation_recruitment_instruction"
INCIDENT_REASON = "+3 severity: linked to a declared incident"


def test_incident_tags_reach_the_case_and_the_match_event(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    incident = incidents.declare_incident(session, clock, Actor("test:hub", hub.org_id), coordinator_id=hub.org_id,
                                          title="Attack", level="content_incident_protocol",
                                          criteria=dict.fromkeys(incidents.CRITERIA, True),
                                          member_ids=[provider.org_id])
    plain = bank_with(session, clock, hub, "plain", values=(flip(PDQ_A, 40),), visibility="all")
    tagged = service.get_bank(session, hub.org_id, str(incident.bank_id))
    [entry] = service.add_entries(session, clock, hub, tagged, [NewSignal("pdq", PDQ_A)],
                                  EntryDetails(labels=[INSTRUCTION], incident_tags=[incident.tag]))
    assert entry.incident_tags == [incident.tag]
    matcher = Matcher()
    hit = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", PDQ_A)], decide=decide)
    other = lookup.match_content(session, clock, matcher, provider, [QuerySignal("pdq", flip(PDQ_A, 40))],
                                 decide=decide)
    case, control = session.get(Case, hit.case_id), session.get(Case, other.case_id)
    assert case is not None and control is not None and plain.id != tagged.id
    assert case.signals[0]["labels"] == sorted([INSTRUCTION, incident.tag])
    assert INCIDENT_REASON in case.score_reasons and INCIDENT_REASON not in control.score_reasons
    assert case.score > control.score
    events = session.scalars(select(AuditEvent).where(AuditEvent.tag == "matching:match:found")).all()
    by_case = {e.payload["case_id"]: e.payload["incident_tags"] for e in events}
    assert by_case == {case.id: [incident.tag], control.id: []}


def _auto_remove(session: Session, clock: FrozenClock, provider_id: str, share: float) -> str:
    """An active policy removing coordinator-bank matches labelled ``instruction`` alone; its version id."""
    policy = policies.create_policy(session, clock, POLICY_ACTOR, provider_id=provider_id, name="TVEC",
                                    template="small-provider-eu")
    body = {**policies.get_version(session, policy.id, provider_id, 1).body, "automation": [
        {"category": "instruction", "sources": ["coordinator_bank"], "action": "remove", "sample_share": share}]}
    version = policies.create_version(session, clock, POLICY_ACTOR, policy_id=policy.id, provider_id=provider_id,
                                      body=body, note="automatic removal")
    _activate(session, clock, provider_id, policy.id, version.number)
    return version.id


def _sha(n: int) -> str:
    return hashlib.sha256(f"item {n}".encode()).hexdigest()


def _auto_removed_cases(session: Session, clock: FrozenClock, count: int, share: float,
                        provider_share: float | None = None) -> tuple[str, list[str], set[str]]:
    """``count`` distinct items matched and removed automatically; the version id, their cases, and the
    cases queued for human verification."""
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    bank = bank_with(session, clock, hub, values=(), visibility="all")
    service.add_entries(session, clock, hub, bank, [NewSignal("sha256", _sha(n)) for n in range(count)],
                        EntryDetails(labels=[INSTRUCTION]))
    if provider_share is not None:
        review_config.update_review_settings(session, clock, POLICY_ACTOR, provider.org_id,
                                             {"automated_verify_share": provider_share})
    version_id = _auto_remove(session, clock, provider.org_id, share)
    matcher, cases = Matcher(), []
    for n in range(count):
        outcome = lookup.match_content(session, clock, matcher, provider, [QuerySignal("sha256", _sha(n))],
                                       decide=decide)
        assert outcome.action == "remove" and outcome.case_id is not None
        cases.append(outcome.case_id)
    queued = set(session.scalars(select(QualityReview.case_id).where(
        QualityReview.provider_id == provider.org_id, QualityReview.kind == "verification")))
    return version_id, cases, queued


def test_a_rule_sampling_every_automatic_decision_sends_each_to_a_human(session: Session, clock: FrozenClock) -> None:
    _, cases, queued = _auto_removed_cases(session, clock, 12, 1.0)
    assert queued == set(cases), "sample_share 1.0: every automated removal is verified (TCO Art. 5)"
    reviews = session.scalars(select(QualityReview).where(QualityReview.case_id.in_(cases))).all()
    assert len(reviews) == len(cases), "one verification per decision, never two"
    assert {(r.kind, r.state, r.original_action, r.original_reviewer) for r in reviews} == {
        ("verification", "pending", "remove", "system:matching")}
    samples = session.scalars(select(AuditEvent).where(AuditEvent.tag == "cases:quality:sample")).all()
    assert sorted(e.payload["decision_id"] for e in samples) == sorted(r.decision_id for r in reviews)


def test_a_small_rule_share_samples_about_that_share_and_never_none(session: Session, clock: FrozenClock) -> None:
    count, share, provider_share = 200, 0.1, 0.001
    version_id, cases, queued = _auto_removed_cases(session, clock, count, share, provider_share)
    drawn = {c for c in cases if sampled(share, f"{version_id}:{c}")}
    decisions = {d.case_id: d.id for d in session.scalars(select(Decision).where(Decision.case_id.in_(cases)))}
    by_provider = {c for c in cases if quality.draw(decisions[c]) < provider_share}
    assert queued == drawn | by_provider, "the rule's sampler draws, besides the provider's own share"
    mean, sd = count * share, math.sqrt(count * share * (1 - share))
    assert max(1, mean - 5 * sd) <= len(drawn) <= mean + 5 * sd, (len(drawn), mean, sd)


def test_content_found_exempt_goes_to_review_not_automatic_removal(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    bank = bank_with(session, clock, hub, values=(), visibility="all")
    service.add_entries(session, clock, hub, bank, [NewSignal("sha256", _sha(n)) for n in (1, 2)],
                        EntryDetails(labels=[INSTRUCTION]))
    matcher = Matcher()
    first = lookup.match_content(session, clock, matcher, provider, [QuerySignal("sha256", _sha(1))], decide=decide)
    assert first.action == "review" and first.case_id is not None
    reviewer = Principal(org_id=provider.org_id, org_kind="provider", ref="member:rev",
                         scopes=frozenset({"cases:write"}))
    decide(session, clock, reviewer, first.case_id, DecisionInput(
        action="no_action", ground="4.4", ground_kind="terms", facts="A news report on the attack.",
        exempt_purpose="journalistic", exemption_assessment="Broadcaster's report, no praise."))
    _auto_remove(session, clock, provider.org_id, 0.5)
    clock.advance(days=3)

    again = lookup.match_content(session, clock, matcher, provider, [QuerySignal("sha256", _sha(1))], decide=decide)
    assert again.action == "review" and again.case_id not in (None, first.case_id)
    case = session.get(Case, again.case_id)
    assert case is not None and case.state == "open", "the item found journalistic waits for a reviewer"
    assert session.scalars(select(Decision).where(Decision.case_id == again.case_id)).all() == []
    other = lookup.match_content(session, clock, matcher, provider, [QuerySignal("sha256", _sha(2))], decide=decide)
    assert other.action == "remove", "other content is still removed automatically"
    actions = session.scalars(select(MatchRecord.action).where(MatchRecord.case_id == again.case_id)).all()
    assert actions == ["review"]


def test_confidence_falls_to_one_half_at_each_signal_types_threshold() -> None:
    import pytest

    from accord.banks.models import Bank, BankEntry

    def match(kind: str, distance: int, percent: float | None = None) -> lookup.Match:
        return lookup.Match(Bank(id="bnk_x", name="x"), BankEntry(id=1, signal_type=kind), distance, "q", percent)

    assert lookup.confidence_of(match("md5", 0)) == 1.0
    assert (lookup.confidence_of(match("pdq", 0)), lookup.confidence_of(match("pdq", 31))) == (1.0, 0.516)
    if importlib.util.find_spec("vpdq") is None:
        pytest.skip("the video extra (vpdq) is not installed")
    assert lookup.confidence_of(match("vpdq", 0, 100.0)) == 1.0
    assert lookup.confidence_of(match("vpdq", 10, 90.0)) == 0.75
    assert lookup.confidence_of(match("vpdq", 20, 80.0)) == 0.5
