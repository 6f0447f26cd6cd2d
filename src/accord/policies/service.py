"""Providers' policies: versions, publication, activation, diffs, resolution and automatic actions.

Every version is kept and never edited: a change is a new version. A version is written as a draft, published
(frozen and citable), then activated; decisions record the version they applied (``Resolution.version_id``).
The review console cites ``resolve``; matching asks ``automatic_action_for`` whether it may act alone, which
it may only where the active version explicitly allows it for that category and signal source, and always
with a share of the items sampled for human verification (TCO Art. 5).

``signal_source`` names where a signal came from, as the automation rule lists it: a bank id such as
``bank:<id>``, or a kind of source such as ``coordinator_bank`` (a bank curated by the hub),
``incident_bank`` or ``provider_bank``. Matching is exact; there are no wildcards. A rule naming
``incident_bank`` covers ``bank:<id>`` while ``<id>`` is the bank of an active incident: a provider opts in once
to acting on every crisis's hashes, and the permission ends with each incident.

An exempt-purpose finding (TCO Art. 1(3)) on the same content, by the provider, always leaves the item to a
human: ``accord.cases.service.exempt_finding`` looks it up by the case's content keys, and the caller passes it as
``exempt_purpose``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import get_owned, new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Organisation
from accord.policies import templates
from accord.policies.crisis import active_incidents, priority_boost_for
from accord.policies.diff import Change, diff
from accord.policies.document import Automation, PolicyBody, parse_body
from accord.policies.jurisdictions import countries_for
from accord.policies.models import Incident, Policy, PolicyVersion
from accord.policies.resolution import Resolution, automation_for, resolve_body, sampled

__all__ = [
    "AutoAction", "Resolution", "activate_version", "active_incidents", "automatic_action_for", "create_policy",
    "create_version", "diff_versions", "get_policy", "get_version", "list_policies",
    "list_versions", "priority_boost_for", "publish_version", "resolve", "statement_text",
]


@dataclass(frozen=True)
class AutoAction:
    """An action the policy lets the system take alone; it is ``automated`` in its statement of reasons and
    ``needs_verification(key)`` tells whether this item is in the share sampled for a human."""

    action: str
    category: str
    countries: tuple[str, ...]
    sample_share: float
    clause_ref: str
    text: str
    version: int
    version_id: str
    policy_id: str
    signal_source: str
    automated: bool = True

    def needs_verification(self, key: str) -> bool:
        return sampled(self.sample_share, f"{self.version_id}:{key}")


# ---- policies ----------------------------------------------------------------------------------------


def _provider(session: Session, provider_id: str) -> Organisation:
    org = session.get(Organisation, provider_id)
    if org is None:
        raise NotFound(f"no organisation {provider_id!r}")
    if org.kind != "provider":
        raise PermissionDenied("only hosting providers keep policies")
    return org


def create_policy(
    session: Session, clock: Clock, actor: Actor, *, provider_id: str, name: str, description: str = "",
    body: Mapping[str, Any] | None = None, template: str | None = None,
) -> Policy:
    """Create a provider's policy with its first draft version, from a body or from a named template."""
    _provider(session, provider_id)
    if not name.strip():
        raise InvalidInput("name must not be empty", field="name")
    if session.scalar(select(Policy.id).where(Policy.provider_id == provider_id, Policy.name == name.strip())):
        raise Conflict(f"a policy named {name!r} exists already", field="name")
    now = clock.now()
    policy = Policy(id=new_id("pol"), provider_id=provider_id, name=name.strip(), description=description,
                    created_at=now, updated_at=now)
    session.add(policy)
    session.flush()
    record(session, clock, actor, Event.POLICIES_POLICY_CREATE, subject=policy.id, org_id=provider_id,
           payload={"provider_id": provider_id, "name": policy.name, "template": template})
    create_version(session, clock, actor, policy_id=policy.id, provider_id=provider_id,
                   body=body if body is not None else _template(template), note="first version")
    return policy


def _template(name: str | None) -> dict[str, Any]:
    for entry in templates.catalogue():
        if entry["name"] == (name or "small-provider-eu"):
            body: dict[str, Any] = entry["body"]
            return body
    raise InvalidInput(f"no policy template {name!r}", field="template")


def get_policy(session: Session, policy_id: str, provider_id: str) -> Policy:
    """A provider's own policy; another's is NotFound."""
    return get_owned(session, Policy, policy_id, provider_id, what="policy", by="provider_id")


def list_policies(session: Session, provider_id: str) -> list[Policy]:
    query = select(Policy).where(Policy.provider_id == provider_id).order_by(Policy.created_at, Policy.name)
    return list(session.scalars(query))


# ---- versions ----------------------------------------------------------------------------------------


def list_versions(session: Session, policy_id: str, provider_id: str) -> list[PolicyVersion]:
    get_policy(session, policy_id, provider_id)
    query = select(PolicyVersion).where(PolicyVersion.policy_id == policy_id).order_by(PolicyVersion.number)
    return list(session.scalars(query))


def get_version(session: Session, policy_id: str, provider_id: str, number: int) -> PolicyVersion:
    get_policy(session, policy_id, provider_id)
    version = session.scalar(select(PolicyVersion).where(PolicyVersion.policy_id == policy_id,
                                                         PolicyVersion.number == number))
    if version is None:
        raise NotFound(f"policy {policy_id!r} has no version {number}")
    return version


def create_version(
    session: Session, clock: Clock, actor: Actor, *, policy_id: str, provider_id: str,
    body: Mapping[str, Any], note: str = "",
) -> PolicyVersion:
    """Write a new draft version; the body is checked whole (categories, actions, overlays, automation)."""
    policy = get_policy(session, policy_id, provider_id)
    parsed = parse_body(body)
    number = len(list_versions(session, policy_id, provider_id)) + 1
    version = PolicyVersion(id=new_id("pov"), policy_id=policy.id, number=number, state="draft",
                            body=parsed.to_json(), note=note, created_by=actor.ref, created_at=clock.now())
    session.add(version)
    policy.updated_at = clock.now()
    session.flush()
    record(session, clock, actor, Event.POLICIES_VERSION_CREATE, subject=version.id, org_id=provider_id,
           payload={"provider_id": provider_id, "policy_id": policy.id, "version": number,
                    "categories": list(parsed.categories)})
    return version


def publish_version(session: Session, clock: Clock, actor: Actor, *, policy_id: str, provider_id: str,
                    number: int) -> PolicyVersion:
    """Freeze a draft: from now on it may be activated and cited."""
    version = get_version(session, policy_id, provider_id, number)
    if version.state != "draft":
        raise Conflict(f"version {number} is {version.state} already")
    version.state, version.published_at, version.published_by = "published", clock.now(), actor.ref
    record(session, clock, actor, Event.POLICIES_VERSION_PUBLISH, subject=version.id, org_id=provider_id,
           payload={"provider_id": provider_id, "policy_id": policy_id, "version": number})
    return version


def activate_version(session: Session, clock: Clock, actor: Actor, *, policy_id: str, provider_id: str,
                     number: int) -> Policy:
    """Make a published version the one decisions apply (also a roll-back); the provider's other policies
    stop applying, so that one version answers for the provider at any time."""
    version = get_version(session, policy_id, provider_id, number)
    if version.state != "published":
        raise Conflict(f"version {number} must be published before it is activated")
    previous = _active_policy(session, provider_id)
    if previous is not None and previous.id != policy_id:
        previous.active_version = None
    policy = get_policy(session, policy_id, provider_id)
    before = policy.active_version
    policy.active_version, policy.activated_at, policy.updated_at = number, clock.now(), clock.now()
    session.flush()
    record(session, clock, actor, Event.POLICIES_VERSION_ACTIVATE, subject=version.id, org_id=provider_id,
           payload={"provider_id": provider_id, "policy_id": policy_id, "version": number, "previous": before})
    return policy


def diff_versions(session: Session, policy_id: str, provider_id: str, old: int, new: int) -> list[Change]:
    """What changed between two versions of one policy."""
    before = get_version(session, policy_id, provider_id, old)
    after = get_version(session, policy_id, provider_id, new)
    return diff(parse_body(before.body), parse_body(after.body))


# ---- resolution --------------------------------------------------------------------------------------


def _active_policy(session: Session, provider_id: str) -> Policy | None:
    query = (select(Policy).where(Policy.provider_id == provider_id, Policy.active_version.is_not(None))
             .order_by(Policy.activated_at.desc()).limit(1))
    return session.scalar(query)


def active_version(session: Session, provider_id: str) -> tuple[PolicyVersion, PolicyBody] | None:
    """The version that applies to the provider now, parsed; None when it has activated none."""
    policy = _active_policy(session, provider_id)
    if policy is None or policy.active_version is None:
        return None
    version = get_version(session, policy.id, provider_id, policy.active_version)
    return version, parsed_body(version)


_PARSED: dict[str, PolicyBody] = {}
_PARSED_MAX = 1024


def parsed_body(version: PolicyVersion) -> PolicyBody:
    """A version's body, parsed once per process when it is published: a published version is frozen (a change
    is a new version), so its id names one body for good. A hash match that asks the policy whether to act
    automatically reads the version row and parses nothing."""
    if version.state != "published":
        return parse_body(version.body)
    body = _PARSED.get(version.id)
    if body is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        body = _PARSED[version.id] = parse_body(version.body)
    return body


def resolve(session: Session, *, provider_id: str, category: str, country: str | None = None) -> Resolution:
    """What the provider's active policy prescribes for ``category`` in ``country`` (or in general), with the
    clause, the text and the legal reference a statement of reasons cites, and the version applied."""
    found = active_version(session, provider_id)
    if found is None:
        raise NotFound("this provider has no active policy")
    version, body = found
    resolution = resolve_body(body, version.number, category, country.upper() if country else None)
    return replace(resolution, policy_id=version.policy_id, version_id=version.id)


def statement_text(resolution: Resolution) -> str:
    """The sentence a statement of reasons (DSA Art. 17) shows the user for this resolution."""
    where = "worldwide" if resolution.worldwide else f"in {', '.join(resolution.countries)}"
    ground = (f"the law ({resolution.legal_ref})" if resolution.ground_kind == "legal"
              else f"clause {resolution.clause_ref} of our terms")
    verb = {"remove": "removed", "disable": "disabled access to", "restrict": "restricted",
            "review": "are reviewing", "no_action": "took no action on"}[resolution.action]
    return f"We {verb} this content {where} under {ground}: {resolution.text}"


def _sources(session: Session, signal_source: str) -> tuple[str, ...]:
    """The names an automation rule may use for ``signal_source``: itself, and ``incident_bank`` for the bank
    of an incident that is still active."""
    if signal_source.startswith("bank:"):
        query = select(Incident.id).where(Incident.bank_id == signal_source.removeprefix("bank:"),
                                          Incident.state == "active").limit(1)
        if session.scalar(query) is not None:
            return (signal_source, "incident_bank")
    return (signal_source,)


def automatic_action_for(
    session: Session, *, provider_id: str, category: str, signal_source: str, labels: Sequence[str] = (),
    confidence: float = 1.0, exempt_purpose: str | None = None,
) -> AutoAction | None:
    """The action the system may take without a reviewer, or None (a human decides).

    Only an explicit automation entry of the active version, for this category and this source, at or above
    its confidence, allows it. An exempt-purpose finding on the item (TCO Art. 1(3)), given as
    ``exempt_purpose`` (``accord.cases.service.exempt_finding`` finds it), always returns None, so an item found
    journalistic is never re-removed automatically.
    """
    found = active_version(session, provider_id)
    if found is None or exempt_purpose:
        return None
    version, body = found
    rule = body.rule(category)
    for source in _sources(session, signal_source):
        entry = automation_for(body, category, source, tuple(labels), confidence)
        if entry is not None and rule is not None:
            return _auto_action(entry, rule.clause_ref, rule.text, version, source)
    return None


def _auto_action(entry: Automation, clause_ref: str, text: str, version: PolicyVersion, source: str) -> AutoAction:
    countries = countries_for(entry.jurisdiction) if entry.action == "disable" and entry.jurisdiction else ()
    return AutoAction(action=entry.action, category=entry.category, countries=countries,
                      sample_share=entry.sample_share, clause_ref=clause_ref, text=text, version=version.number,
                      version_id=version.id, policy_id=version.policy_id, signal_source=source)


def rule_statement(category: str, action: str, clause_ref: str, text: str) -> str:
    """The statement text one rule would produce, for the editor's preview (nothing is saved)."""
    return statement_text(Resolution(action=action, countries=(), clause_ref=clause_ref, text=text,
                                     legal_ref=None, version=0, category=category, ground_kind="terms"))


def previews(version: PolicyVersion) -> dict[str, str]:
    """The statement text of every rule of a version, by category, as users would read it."""
    body = parse_body(version.body)
    return {c: statement_text(resolve_body(body, version.number, c, None)) for c in body.categories}
