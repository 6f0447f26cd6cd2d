"""Policies in the database: versions kept, publication, activation, resolution and automatic actions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.cases import intake
from accord.cases import service as cases
from accord.cases.decisions import DecisionInput
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.flows import incidents
from accord.flows.decisions import decide
from accord.identity.service import Principal
from accord.policies import service
from accord.policies.models import Policy
from tests.factories import make_org
from tests.unit.banks.helpers import bank_with, principal

AUTOMATION = {"category": "instruction", "sources": ["coordinator_bank"], "action": "remove", "sample_share": 0.1,
              "min_confidence": 0.9}


def _actor(org_id: str) -> Actor:
    return Actor("test:editor", org_id)


def _active(session: Session, clock: FrozenClock, body: dict[str, Any], provider_id: str | None = None) -> Policy:
    provider_id = provider_id or make_org(session, clock).id
    policy = service.create_policy(session, clock, _actor(provider_id), provider_id=provider_id, name="TVEC",
                                   body=body)
    service.publish_version(session, clock, _actor(provider_id), policy_id=policy.id, provider_id=provider_id,
                            number=1)
    return service.activate_version(session, clock, _actor(provider_id), policy_id=policy.id,
                                    provider_id=provider_id, number=1)


def _next(session: Session, clock: FrozenClock, policy: Policy, body: dict[str, Any]) -> int:
    actor = _actor(policy.provider_id)
    version = service.create_version(session, clock, actor, policy_id=policy.id, provider_id=policy.provider_id,
                                     body=body, note="next")
    service.publish_version(session, clock, actor, policy_id=policy.id, provider_id=policy.provider_id,
                            number=version.number)
    service.activate_version(session, clock, actor, policy_id=policy.id, provider_id=policy.provider_id,
                             number=version.number)
    return version.number


def test_every_version_is_kept_and_decisions_are_pinned_to_the_version_they_applied(
    session: Session, clock: FrozenClock, body: dict[str, Any]
) -> None:
    policy = _active(session, clock, body)
    before = service.resolve(session, provider_id=policy.provider_id, category="glorification", country="US")
    body["rules"][1]["action"] = "remove"
    clock.advance(minutes=5)
    assert _next(session, clock, policy, body) == 2
    after = service.resolve(session, provider_id=policy.provider_id, category="glorification", country="US")
    assert (before.action, before.version) == ("review", 1) and (after.action, after.version) == ("remove", 2)
    assert before.version_id != after.version_id and after.policy_id == policy.id
    versions = service.list_versions(session, policy.id, policy.provider_id)
    assert [(v.number, v.state) for v in versions] == [(1, "published"), (2, "published")]
    assert versions[0].body["rules"][1]["action"] == "review"  # the old version is untouched
    [change] = service.diff_versions(session, policy.id, policy.provider_id, 1, 2)
    assert (change.section, change.key, change.fields) == ("rules", "glorification", ("action",))


def test_activating_an_older_version_rolls_back(session: Session, clock: FrozenClock, body: dict[str, Any]) -> None:
    policy = _active(session, clock, body)
    body["rules"][1]["action"] = "remove"
    _next(session, clock, policy, body)
    service.activate_version(session, clock, _actor(policy.provider_id), policy_id=policy.id,
                             provider_id=policy.provider_id, number=1)
    assert service.resolve(session, provider_id=policy.provider_id, category="glorification").version == 1


def test_a_draft_must_be_published_before_activation_and_once_only(
    session: Session, clock: FrozenClock, body: dict[str, Any]
) -> None:
    org = make_org(session, clock)
    policy = service.create_policy(session, clock, _actor(org.id), provider_id=org.id, name="TVEC", body=body)
    kwargs: dict[str, Any] = {"policy_id": policy.id, "provider_id": org.id, "number": 1}
    with pytest.raises(Conflict):
        service.activate_version(session, clock, _actor(org.id), **kwargs)
    service.publish_version(session, clock, _actor(org.id), **kwargs)
    with pytest.raises(Conflict):
        service.publish_version(session, clock, _actor(org.id), **kwargs)
    with pytest.raises(NotFound):
        service.resolve(session, provider_id=org.id, category="glorification")


def test_every_step_leaves_an_audit_event(session: Session, clock: FrozenClock, body: dict[str, Any]) -> None:
    policy = _active(session, clock, body)
    tags = [e.tag for e in session.query(AuditEvent).filter(AuditEvent.org_id == policy.provider_id)
            .order_by(AuditEvent.seq) if e.tag.startswith("policies:")]
    assert tags == ["policies:policy:create", "policies:version:create", "policies:version:publish",
                    "policies:version:activate"]


def test_another_providers_policy_is_not_found(session: Session, clock: FrozenClock, body: dict[str, Any]) -> None:
    policy = _active(session, clock, body)
    other = make_org(session, clock)
    with pytest.raises(NotFound):
        service.get_policy(session, policy.id, other.id)
    with pytest.raises(NotFound):
        service.create_version(session, clock, _actor(other.id), policy_id=policy.id, provider_id=other.id,
                               body=body)
    with pytest.raises(NotFound):
        service.resolve(session, provider_id=other.id, category="glorification")


def test_only_providers_keep_policies_and_names_are_unique(session: Session, clock: FrozenClock,
                                                          body: dict[str, Any]) -> None:
    authority = make_org(session, clock, "authority")
    with pytest.raises(PermissionDenied):
        service.create_policy(session, clock, _actor(authority.id), provider_id=authority.id, name="x", body=body)
    policy = _active(session, clock, body)
    with pytest.raises(Conflict):
        service.create_policy(session, clock, _actor(policy.provider_id), provider_id=policy.provider_id,
                              name="TVEC", body=body)


def test_a_template_gives_a_complete_first_version(session: Session, clock: FrozenClock) -> None:
    org = make_org(session, clock)
    policy = service.create_policy(session, clock, _actor(org.id), provider_id=org.id, name="From template",
                                   template="small-provider-eu-de")
    [version] = service.list_versions(session, policy.id, org.id)
    categories = {r["category"] for r in version.body["rules"]}
    assert {"incitement", "solicitation_commit", "solicitation_group", "instruction", "threat",
            "graphic_violence", "glorification", "recruitment"} <= categories
    assert {o["jurisdiction"] for o in version.body["overlays"]} == {"EU", "DE"}
    assert len(version.body["exemptions"]) == 5 and version.body["automation"] == []
    with pytest.raises(InvalidInput):
        service.create_policy(session, clock, _actor(org.id), provider_id=org.id, name="y", template="nope")


def test_the_statement_text_cites_the_clause_or_the_law(session: Session, clock: FrozenClock,
                                                        body: dict[str, Any]) -> None:
    policy = _active(session, clock, body)
    terms = service.resolve(session, provider_id=policy.provider_id, category="incitement")
    law = service.resolve(session, provider_id=policy.provider_id, category="glorification", country="DE")
    assert service.statement_text(terms) == "We removed this content worldwide under clause 4.1 of our terms: " \
                                            "No incitement."
    assert service.statement_text(law).startswith("We disabled access to this content in DE under the law "
                                                  "(StGB § 140)")


# ---- automatic actions -------------------------------------------------------------------------------


def test_no_automatic_action_without_an_active_policy(session: Session, clock: FrozenClock) -> None:
    org = make_org(session, clock)
    assert service.automatic_action_for(session, provider_id=org.id, category="instruction",
                                        signal_source="coordinator_bank", labels=[], confidence=1.0) is None


def test_no_automatic_action_by_default(session: Session, clock: FrozenClock, body: dict[str, Any]) -> None:
    policy = _active(session, clock, body)
    assert service.automatic_action_for(session, provider_id=policy.provider_id, category="instruction",
                                        signal_source="coordinator_bank", labels=[], confidence=1.0) is None


def test_an_explicit_entry_allows_it_with_sampling_and_exemptions_suppress_it(
    session: Session, clock: FrozenClock, body: dict[str, Any]
) -> None:
    body["automation"] = [AUTOMATION]
    policy = _active(session, clock, body)
    ask = {"provider_id": policy.provider_id, "category": "instruction", "labels": ["manual"]}
    auto = service.automatic_action_for(session, signal_source="coordinator_bank", confidence=0.95, **ask)
    assert auto is not None and auto.automated and auto.action == "remove" and auto.sample_share == 0.1
    assert auto.version == 1 and auto.clause_ref == "4.4" and auto.countries == ()
    assert 50 < sum(auto.needs_verification(f"item-{i}") for i in range(1000)) < 150
    assert service.automatic_action_for(session, signal_source="provider_bank", confidence=1.0, **ask) is None
    assert service.automatic_action_for(session, signal_source="coordinator_bank", confidence=0.5, **ask) is None
    assert service.automatic_action_for(session, signal_source="coordinator_bank", confidence=1.0,
                                        exempt_purpose="journalistic", **ask) is None


def test_a_version_with_a_zero_sample_share_is_refused(session: Session, clock: FrozenClock,
                                                       body: dict[str, Any]) -> None:
    policy = _active(session, clock, body)
    body["automation"] = [{**AUTOMATION, "sample_share": 0}]
    with pytest.raises(InvalidInput) as caught:
        service.create_version(session, clock, _actor(policy.provider_id), policy_id=policy.id,
                               provider_id=policy.provider_id, body=body)
    assert caught.value.field == "automation[0].sample_share"
    assert len(service.list_versions(session, policy.id, policy.provider_id)) == 1


def test_an_automatic_disable_resolves_to_its_countries(session: Session, clock: FrozenClock,
                                                        body: dict[str, Any]) -> None:
    body["automation"] = [{**AUTOMATION, "category": "glorification", "action": "disable", "jurisdiction": "EU"}]
    policy = _active(session, clock, body)
    auto = service.automatic_action_for(session, provider_id=policy.provider_id, category="glorification",
                                        signal_source="coordinator_bank", labels=[], confidence=1.0)
    assert auto is not None and auto.action == "disable" and len(auto.countries) == 27


def test_only_one_policy_applies_per_provider(session: Session, clock: FrozenClock, body: dict[str, Any]) -> None:
    first = _active(session, clock, body)
    body["rules"][1]["action"] = "remove"
    second = service.create_policy(session, clock, _actor(first.provider_id), provider_id=first.provider_id,
                                   name="New", body=body)
    actor = _actor(first.provider_id)
    service.publish_version(session, clock, actor, policy_id=second.id, provider_id=first.provider_id, number=1)
    clock.advance(minutes=1)
    service.activate_version(session, clock, actor, policy_id=second.id, provider_id=first.provider_id, number=1)
    assert first.active_version is None
    resolution = service.resolve(session, provider_id=first.provider_id, category="glorification")
    assert resolution.policy_id == second.id and resolution.action == "remove"


def test_an_incident_bank_rule_covers_the_bank_of_an_active_incident_only(
    session: Session, clock: FrozenClock, body: dict[str, Any]
) -> None:
    body["automation"] = [{**AUTOMATION, "sources": ["incident_bank"]}]
    policy = _active(session, clock, body)
    hub = make_org(session, clock, "coordinator")
    incident = incidents.declare_incident(session, clock, _actor(hub.id), coordinator_id=hub.id, title="Attack",
                                          level="content_incident", criteria=dict.fromkeys(incidents.CRITERIA, True))
    ask = {"provider_id": policy.provider_id, "category": "instruction", "labels": [], "confidence": 1.0}
    auto = service.automatic_action_for(session, signal_source=f"bank:{incident.bank_id}", **ask)
    assert auto is not None and auto.signal_source == "incident_bank" and auto.action == "remove"
    other = bank_with(session, clock, principal(hub), "hub list", values=(), visibility="all")
    assert service.automatic_action_for(session, signal_source=f"bank:{other.id}", **ask) is None
    assert service.automatic_action_for(session, signal_source="coordinator_bank", **ask) is None
    incidents.conclude_incident(session, clock, _actor(hub.id), coordinator_id=hub.id, incident_id=incident.id)
    assert service.automatic_action_for(session, signal_source=f"bank:{incident.bank_id}", **ask) is None


def test_an_exempt_finding_on_the_same_content_suppresses_automatic_re_removal(
    session: Session, clock: FrozenClock, body: dict[str, Any]
) -> None:
    body["automation"] = [AUTOMATION]
    policy = _active(session, clock, body)
    provider = policy.provider_id
    keys = ["hash:sha256:" + "ab" * 32]
    ask = {"provider_id": provider, "category": "instruction", "labels": [], "confidence": 1.0,
           "signal_source": "coordinator_bank"}
    assert service.automatic_action_for(session, **ask) is not None
    reviewer = Principal(org_id=provider, org_kind="provider", ref="member:rev", scopes=frozenset({"cases:write"}))
    case, _ = intake.open_or_join(session, clock, reviewer.actor, provider_id=provider, content_keys=keys,
                                  source="hash_match")
    decide(session, clock, reviewer, case.id, DecisionInput(
        action="no_action", ground="4.4", ground_kind="terms", facts="A news report on the attack.",
        exempt_purpose="journalistic", exemption_assessment="Broadcaster's report, no praise."))
    found = cases.exempt_finding(session, provider_id=provider, content_keys=keys)
    assert found == "journalistic"
    assert service.automatic_action_for(session, **ask, exempt_purpose=found) is None
    assert cases.exempt_finding(session, provider_id=provider, content_keys=["hash:sha256:" + "cd" * 32]) is None
    stranger = make_org(session, clock).id
    assert cases.exempt_finding(session, provider_id=stranger, content_keys=keys) is None


def test_a_published_version_is_parsed_once_and_a_new_version_is_seen_at_once(
    session: Session, clock: FrozenClock, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = _active(session, clock, body)
    parsed: list[str] = []
    real = service.parse_body

    def counting(raw: dict[str, Any]) -> Any:
        parsed.append("parse")
        return real(raw)

    monkeypatch.setattr(service, "parse_body", counting)
    for _ in range(3):
        assert service.resolve(session, provider_id=policy.provider_id, category="glorification").version == 1
    assert parsed == ["parse"]  # the first look-up parses; the next two read the cache
    body["rules"][1]["action"] = "remove"
    _next(session, clock, policy, body)
    after = service.resolve(session, provider_id=policy.provider_id, category="glorification", country="US")
    assert (after.action, after.version) == ("remove", 2)
