"""Deciding a case: the action, its ground, the purpose assessment, the statement of reasons, the answers.

A decision must cite the policy clause or legal article relied on (Coop's "require policy", DSA Art.
17(3)(d)-(e)); it records the TCO Art. 1(3) assessment of a journalistic, educational, artistic, research or
counter-terrorism purpose; it yields a statement of reasons; it answers every notice joined in the case
(TCO Annex II/III feedback, DSA Art. 16(5)); it may be sampled for a blind quality review; and a manifestly
illegal upload or a manifestly unfounded notice counts as a strike (DSA Art. 23).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session, object_session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases import claims, quality, statements, strikes
from accord.cases.models import ACTIONS, EXEMPT_PURPOSES, Case, Decision, Statement
from accord.clock import Clock
from accord.db import get_owned, new_id
from accord.errors import Conflict, InvalidInput
from accord.identity.service import Principal
from accord.jobs import webhooks
from accord.jobs.service import enqueue
from accord.law.sor import Restriction
from accord.policies.models import Policy, PolicyVersion

_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class DecisionInput:
    """What a reviewer (or an automated rule) submits."""

    action: str
    ground: str
    facts: str
    ground_kind: str | None = None
    ground_explanation: str = ""
    countries: Sequence[str] = ()
    restriction: str | None = None
    exempt_purpose: str | None = None
    exemption_assessment: str = ""
    automated_decision: bool = False
    manifestly_illegal: bool = False
    unfounded_notifiers: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class AppliedPolicy:
    """The provider's policy version in force when a decision is taken, with what it lets a ground cite: the
    clause references and legal references of its rules and overlays, and their texts."""

    policy_id: str
    version: int
    version_id: str
    references: frozenset[str]
    texts: frozenset[str]

    def cited_by(self, decision: Decision) -> bool:
        """True when the decision's ground names one of this version's clauses or quotes one of its texts."""
        # Neither set holds an empty string, so a decision without an explanation never matches on it.
        return (_plain(decision.ground_ref) in self.references
                or _plain(decision.ground_explanation) in self.texts)

    def citation(self) -> dict[str, Any]:
        return {"policy_id": self.policy_id, "version": self.version, "version_id": self.version_id}


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


_ACTIVE_VERSION = (
    select(PolicyVersion.id, PolicyVersion.policy_id, PolicyVersion.number, PolicyVersion.body)
    .join(Policy, and_(Policy.id == PolicyVersion.policy_id, Policy.active_version == PolicyVersion.number))
    .where(Policy.provider_id == bindparam("org"))
    .order_by(Policy.activated_at.desc())
    .limit(1)
)


def applied_policy(session: Session, provider_id: str) -> AppliedPolicy | None:
    """The version of the provider's active policy (``accord.policies.service.active_version``, read in one
    query); None when the provider has activated none."""
    with session.no_autoflush:  # nothing pending changes which version is in force
        row = session.execute(_ACTIVE_VERSION, {"org": provider_id}).first()
    if row is None:
        return None
    version_id, policy_id, number, body = row
    rules, overlays = list(body.get("rules", [])), list(body.get("overlays", []))
    references = {str(r.get("clause_ref", "")) for r in rules} | {str(o.get("legal_ref", "")) for o in overlays}
    texts = {str(item.get("text", "")) for item in (*rules, *overlays)}
    return AppliedPolicy(policy_id=policy_id, version=number, version_id=version_id,
                         references=frozenset(_plain(r) for r in references if r.strip()),
                         texts=frozenset(_plain(t) for t in texts if t.strip()))


def validate(data: DecisionInput) -> DecisionInput:
    """Refuse a decision without a ground or facts, with an unknown action, or with contradictions."""
    if data.action not in ACTIONS:
        raise InvalidInput(f"action must be one of {', '.join(ACTIONS)}", field="action")
    if not data.ground.strip():
        raise InvalidInput("cite the policy clause or legal article relied on", field="ground")
    if not data.facts.strip():
        raise InvalidInput("state the facts and circumstances relied on", field="facts")
    kind = data.ground_kind or statements.infer_ground_kind(data.ground)
    if kind not in ("legal", "terms"):
        raise InvalidInput("ground_kind is 'legal' or 'terms'", field="ground_kind")
    if data.exempt_purpose is not None and data.exempt_purpose not in EXEMPT_PURPOSES:
        raise InvalidInput(f"exempt_purpose is one of {', '.join(EXEMPT_PURPOSES)}", field="exempt_purpose")
    if data.unfounded_notifiers and data.action != "no_action":
        raise InvalidInput("a notice is manifestly unfounded only when no action was taken",
                           field="unfounded_notifiers")
    if data.exempt_purpose and kind == "legal" and data.action != "no_action":
        raise InvalidInput("material with an exempt purpose is not terrorist content (TCO Art. 1(3)); act on "
                           "a terms clause or take no action", field="exempt_purpose")
    return DecisionInput(**{**data.__dict__, "ground_kind": kind, "countries": _countries(data),
                            "restriction": _restriction(data)})


def _countries(data: DecisionInput) -> list[str]:
    countries = sorted({c.strip().upper() for c in data.countries})
    if data.action == "disable" and not countries:
        raise InvalidInput("disabling access needs the countries concerned", field="countries")
    if any(not _COUNTRY.match(c) for c in countries):
        raise InvalidInput("countries are ISO 3166-1 alpha-2 codes", field="countries")
    return countries if data.action == "disable" else []


def _restriction(data: DecisionInput) -> str | None:
    if data.action != "restrict":
        return None
    value = data.restriction or Restriction.DEMOTED.value
    if value not in {r.value for r in Restriction} - {Restriction.OTHER.value}:
        raise InvalidInput("restriction is demoted, age_restricted, interaction_restricted or labelled",
                           field="restriction")
    return value


class Decider(Protocol):
    """What takes a decision with its whole legal record: ``accord.flows.decisions.decide``. Domains that act
    on content by themselves (an automatic action under a policy) are handed it, since flows sit above them."""

    def __call__(self, session: Session, clock: Clock, principal: Principal, case_id: str,
                 data: DecisionInput, /) -> Decision: ...


@dataclass(frozen=True)
class Draft:
    """A decision being taken: the case, the decision and its statement of reasons, not yet written."""

    case: Case
    decision: Decision
    statement: Statement
    data: DecisionInput


def draft(session: Session, clock: Clock, principal: Principal, case_id: str, data: DecisionInput, *,
          claim_check: bool = True) -> Draft:
    """Check that the case can be decided and build the decision and its statement (DSA Art. 17).

    Nothing is written: ``accord.flows.decisions`` answers the case's notices, then ``conclude`` writes. The
    decision records the provider's policy version in force (``policy_version_id``); its statement names that
    version where its ground cites the policy. ``claim_check=False``: a direct answer on a notice, which the
    provider gives whoever holds the case in the console (the order's hour does not wait for a claim)."""
    case = claims.get_case(session, principal.org_id, case_id)
    _check_decidable(session, clock, principal, case, claim_check)
    clean = validate(data)
    policy = applied_policy(session, case.provider_id)
    decision = _new_decision(case, principal.ref, clean, clock, policy)
    statement = _statement(case, decision, clock, policy)  # refuses what the SoR format cannot carry
    decision.statement_id = statement.id
    return Draft(case, decision, statement, clean)


def conclude(session: Session, clock: Clock, actor: Actor, taken: Draft) -> None:
    """Write the decision: the case closes; the decision, its statement and the ``cases:decision:create``
    event reach the database in one flush (the statement's foreign key puts the decision first); the decision
    may be sampled for quality review and may count as a strike."""
    case, decision = taken.case, taken.decision
    _close_case(session, case, clock)
    session.add_all([decision, taken.statement])
    record(session, clock, actor, Event.CASES_DECISION_CREATE, subject=decision.id, org_id=case.provider_id,
           payload=decision_payload(case, decision))
    if decision.notice_ids:  # DSA Art. 16(5): public notifiers learn the decision on their report
        enqueue(session, clock, "rights.inform_notifiers", {"decision_id": decision.id}, org_id=case.provider_id)
    with session.no_autoflush:  # reading the listeners needs none of the decision's rows written yet
        webhooks.emit(session, clock, org_id=case.provider_id, event="case.decided",
                      data={"case_id": case.id, "decision_id": decision.id, "action": decision.action})
    quality.sample(session, clock, decision)
    strikes.after_decision(session, clock, actor, case, decision, taken.data.unfounded_notifiers)


def conclude_drill(session: Session, clock: Clock, actor: Actor, taken: Draft) -> None:
    """Close a drill's case (``"drill"`` in its labels, ``accord.readiness``): its notices were answered, and
    nothing else is written. A practice order has no decision, statement of reasons, strike, quality sample,
    preservation or user notice, so no report, export or Transparency Database submission can count it."""
    case, decision = taken.case, taken.decision
    _close_case(session, case, clock)
    record(session, clock, actor, Event.CASES_DRILL_DECIDE, subject=case.id, org_id=case.provider_id,
           payload={"case_id": case.id, "action": decision.action, "notice_ids": list(decision.notice_ids),
                    "drill": True})
    with session.no_autoflush:
        webhooks.emit(session, clock, org_id=case.provider_id, event="case.decided",
                      data={"case_id": case.id, "decision_id": None, "action": decision.action, "drill": True})


def is_drill(case: Case) -> bool:
    return "drill" in case.labels


def _statement(case: Case, decision: Decision, clock: Clock, policy: AppliedPolicy | None) -> Statement:
    cited = policy.citation() if policy is not None and policy.cited_by(decision) else None
    return statements.build(case, decision, clock.now(), policy=cited)


def _check_decidable(session: Session, clock: Clock, principal: Principal, case: Case, claim_check: bool) -> None:
    if case.state != "open":
        raise Conflict(f"case {case.id} is already {case.state}")
    if not claim_check:
        return
    cutoff = claims.idle_cutoff(session, clock, case.provider_id)
    if claims.is_claimed(case, cutoff) and case.claimed_by != principal.ref:
        raise Conflict("another reviewer holds this case; take the next one")


def _new_decision(case: Case, reviewer: str, data: DecisionInput, clock: Clock,
                  policy: AppliedPolicy | None) -> Decision:
    return Decision(
        id=new_id("dec"), case_id=case.id, provider_id=case.provider_id, queue_id=case.queue_id,
        reviewer=reviewer, action=data.action, countries=list(data.countries), restriction=data.restriction,
        ground_kind=data.ground_kind or "terms", ground_ref=data.ground.strip(),
        ground_explanation=data.ground_explanation.strip(), exempt_purpose=data.exempt_purpose,
        exemption_assessment=data.exemption_assessment.strip(), facts=data.facts.strip(),
        automated_detection="hash_match" in case.sources, automated_decision=data.automated_decision,
        manifestly_illegal=data.manifestly_illegal, notice_ids=[],
        policy_version_id=policy.version_id if policy is not None else None, created_at=clock.now(),
    )


def _close_case(session: Session, case: Case, clock: Clock) -> None:
    claims.end_claim(session, case, "decided", clock.now())
    case.state, case.decided_at, case.updated_at = "decided", clock.now(), clock.now()


def case_snapshot(case: Case) -> dict[str, Any]:
    """What the preservation store keeps of removed content: Accord holds references, never the item."""
    return {"id": case.id, "title": case.title, "urls": list(case.urls), "signals": list(case.signals),
            "media": list(case.media), "uploader_ref": case.uploader_ref, "labels": list(case.labels),
            "jurisdiction": case.jurisdiction, "created_at": case.created_at.isoformat()}


def decision_payload(case: Case, decision: Decision) -> dict[str, Any]:
    """The ``cases:decision:create`` payload (docs/events.md): rights and transparency read decisions here."""
    return {
        "case_id": case.id, "provider_id": case.provider_id, "action": decision.action,
        "countries": decision.countries, "ground_kind": decision.ground_kind, "ground_ref": decision.ground_ref,
        "automated_detection": decision.automated_detection, "automated_decision": decision.automated_decision,
        "exempt_purpose": decision.exempt_purpose, "notice_ids": decision.notice_ids,
        "sources": list(case.sources), "content_type": statements.content_types(case),
        "queue_id": decision.queue_id, "reviewer": decision.reviewer, "statement_id": decision.statement_id,
        "seconds_to_decide": int((decision.created_at - case.created_at).total_seconds()),
        "facts": decision.facts, "ground_explanation": decision.ground_explanation,
        "policy_version_id": decision.policy_version_id, "content_date": statements.content_date(case).isoformat(),
        "restriction": decision.restriction,
    }


def get_decision(session: Session, provider_id: str, decision_id: str) -> Decision:
    return get_owned(session, Decision, decision_id, provider_id, what="decision", by="provider_id")


def case_decisions(session: Session, case_id: str) -> list[Decision]:
    return list(session.scalars(select(Decision).where(Decision.case_id == case_id)
                                .order_by(Decision.created_at)))


def get_statement(session: Session, provider_id: str, statement_id: str) -> Statement:
    """A statement of reasons of this provider; another organisation's is not found."""
    return get_owned(session, Statement, statement_id, provider_id, what="statement", by="provider_id")


def preview(case: Case, reviewer: str, data: DecisionInput, clock: Clock) -> dict[str, Any]:
    """The statement a decision would produce, without saving anything (the console's SoR preview); it cites
    the policy version in force as the decision would."""
    clean = validate(data)
    session = object_session(case)
    policy = applied_policy(session, case.provider_id) if session is not None else None
    decision = _new_decision(case, reviewer, clean, clock, policy)
    statement = _statement(case, decision, clock, policy)
    return {"elements": statement.elements, "body": statement.body, "exemption": statement.exemption}
