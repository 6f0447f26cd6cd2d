"""Statements of reasons (DSA Art. 17(3)) for review decisions.

Every decision gets a statement holding the six elements of Art. 17(3): (a) the restriction, its territorial
scope and duration; (b) the facts and circumstances, including whether a notice or the provider's own
initiative led to it; (c) the automated means used; (d) the legal ground; (e) the contractual ground; (f) the
redress available. Where the Transparency Database wants one, the body built by
``accord.law.sor.to_statement`` is stored beside it; otherwise the documented exemption is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session, object_session

from accord.cases.models import Case, Decision, Statement, Strike
from accord.clock import as_utc
from accord.db import new_id
from accord.identity.models import Organisation
from accord.law import sor
from accord.policies.models import PolicyVersion

REDRESS: Final = [
    "internal complaint to the provider, free of charge, within six months (DSA Art. 20; TCO Art. 10)",
    "out-of-court dispute settlement by a certified body (DSA Art. 21)",
    "judicial redress before the courts of the Member State concerned (TCO Art. 9; national law)",
]
# "§" alone is not a hint: terms of service number their clauses that way too.
_LEGAL_HINT: Final = re.compile(r"\b(art|article|regulation|directive|code|law|act|tco|dsa|stgb)\b", re.IGNORECASE)
_CONTENT_TYPES: Final = {"pdq": "image", "md5": "other", "sha256": "other", "video_md5": "video",
                         "vpdq": "video", "tmk": "video", "text": "text", "url": "other"}


def infer_ground_kind(ground: str) -> str:
    """'legal' when the ground cites an article or a law, else 'terms' (a policy clause)."""
    return "legal" if _LEGAL_HINT.search(ground) else "terms"


def content_types(case: Case) -> list[str]:
    """The kinds of media the case is about (image, video, text, other), from its media and signals."""
    kinds = {str(m.get("type", "other")) for m in case.media}
    kinds |= {_CONTENT_TYPES.get(str(s.get("type", s.get("signal_type", ""))), "other") for s in case.signals}
    known = {k for k in kinds if k in {c.value for c in sor.ContentType}}
    return sorted(known) or ["other"]


def decision_source(sources: Sequence[str]) -> sor.Source:
    """How the item came to the provider's attention, strongest notice first."""
    for name, source in (("removal_order", sor.Source.REMOVAL_ORDER),
                         ("trusted_flag", sor.Source.TRUSTED_FLAGGER_NOTICE),
                         ("referral", sor.Source.REFERRAL), ("alert", sor.Source.REFERRAL),
                         ("user_report", sor.Source.USER_NOTICE)):
        if name in sources:
            return source
    return sor.Source.OWN_INITIATIVE


def elements(case: Case, decision: Decision, policy: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The six Art. 17(3) elements, plus the TCO Art. 1(3) purpose assessment. ``policy`` (policy id, version
    number and version id) is named beside the ground when the ground cites the provider's policy."""
    legal = decision.ground_kind == "legal"
    ground: dict[str, Any] = {"reference": decision.ground_ref,
                              "explanation": decision.ground_explanation or decision.facts}
    if policy is not None:
        ground["policy"] = dict(policy)
    return {
        "restriction": {"type": decision.action, "restriction": decision.restriction,
                        "territorial_scope": decision.countries or "all countries where the service is offered",
                        "duration": "indefinite" if decision.action != "no_action" else None},
        "facts_and_circumstances": {"facts": decision.facts, "sources": list(case.sources),
                                    "basis": "own initiative" if decision_source(case.sources)
                                    is sor.Source.OWN_INITIATIVE else "notice"},
        "automated_means": {"detection": decision.automated_detection, "decision": decision.automated_decision},
        "legal_ground": ground if legal else None,
        "contractual_ground": None if legal else ground,
        "redress": list(REDRESS),
        "purpose_assessment": {"exempt_purpose": decision.exempt_purpose,
                               "assessment": decision.exemption_assessment},
    }


def content_date(case: Case) -> date:
    """The statement's ``content_date``: Accord holds references, never the item, so the day the case about it
    opened is the latest the content can date from. The decision event carries it (``content_date``) so that
    the export from the audit trail states the same day as the stored statement."""
    return as_utc(case.created_at).date()


def puid_namespace(session: Session | None, provider_id: str) -> str:
    """The provider's ``puid`` namespace (``sor.provider_namespace``), as the export uses it too."""
    if session is None:
        return sor.provider_namespace(provider_id)
    with session.no_autoflush:
        org = session.get(Organisation, provider_id)
    return sor.provider_namespace(provider_id, org.settings if org is not None else None)


def ground_topic(session: Session | None, decision: Decision) -> str | None:
    """The category of the policy rule or overlay the decision's ground cites, in the version in force."""
    if session is None or decision.policy_version_id is None:
        return None
    with session.no_autoflush:
        version = session.get(PolicyVersion, decision.policy_version_id)
    return sor.policy_topic(version.body, decision.ground_ref) if version is not None else None


def decision_facts(case: Case, decision: Decision, now: datetime) -> sor.DecisionFacts:
    """The transparency package's view of one decision, in the provider's ``puid`` namespace."""
    session = object_session(case)
    return sor.DecisionFacts(
        decision_id=decision.id,
        action=sor.Action(decision.action),
        ground=_ground(decision),
        content_types=tuple(sor.ContentType(t) for t in content_types(case)),
        content_type_other="hosted item" if "other" in content_types(case) else None,
        content_date=content_date(case),
        application_date=now.date(),
        facts=decision.facts,
        source=decision_source(case.sources),
        automated_detection=decision.automated_detection,
        automated_decision=sor.Automation.FULLY if decision.automated_decision else sor.Automation.NOT_AUTOMATED,
        territorial_scope=tuple(decision.countries),
        restriction=sor.Restriction(decision.restriction) if decision.restriction else None,
        content_language=case.language,
        puid_namespace=puid_namespace(session, decision.provider_id),
        topic=ground_topic(session, decision),
    )


def _ground(decision: Decision) -> sor.Ground:
    explanation = decision.ground_explanation or decision.facts
    if decision.ground_kind == "terms":
        return sor.ContractualGround(clause=decision.ground_ref, explanation=explanation)
    return sor.LegalGround(instrument=_instrument(decision.ground_ref), article=decision.ground_ref,
                           explanation=explanation)


def _instrument(reference: str) -> sor.Instrument:
    if re.search(r"TCO|2021/784", reference, re.IGNORECASE):
        return sor.Instrument.TCO
    if re.search(r"DSA|2022/2065", reference, re.IGNORECASE):
        return sor.Instrument.DSA
    return sor.Instrument.NATIONAL


def build(case: Case, decision: Decision, now: datetime, *, policy: Mapping[str, Any] | None = None) -> Statement:
    """The statement of one decision: its elements, and the TDB body or the reason none is due."""
    facts = decision_facts(case, decision, now)
    exemption = sor.statement_exemption(facts)
    return Statement(id=new_id("sor"), decision_id=decision.id, provider_id=decision.provider_id,
                     elements=elements(case, decision, policy), body=None if exemption else sor.to_statement(facts),
                     exemption=exemption, created_at=now)


def suspension(case: Case, decision: Decision, strike: Strike, *, strikes: int, window_days: int,
               days: int, now: datetime) -> Statement:
    """The statement of reasons of an Art. 23 suspension, its own beside the decision's: the uploader's account
    (Art. 23(1)) or the handling of the notifier's notices (Art. 23(2)), for ``days`` from ``now``, after a
    warning, for ``strikes`` manifestly illegal items or manifestly unfounded notices within ``window_days``."""
    uploader = strike.subject_kind == "uploader"
    facts = sor.DecisionFacts(
        decision_id=strike.id,
        action=sor.Action.SUSPEND_ACCOUNT if uploader else sor.Action.SUSPEND_NOTICES,
        ground=sor.ContractualGround(clause=_SUSPENSION_CLAUSE, explanation=_suspension_reason(
            uploader, strikes, window_days)),
        content_types=tuple(sor.ContentType(t) for t in content_types(case)) if uploader else (sor.ContentType.OTHER,),
        content_type_other=("hosted item" if "other" in content_types(case) else None) if uploader else "notices",
        content_date=content_date(case), application_date=now.date(), end_date=(now + timedelta(days=days)).date(),
        facts=_suspension_reason(uploader, strikes, window_days) + f" The suspension lasts {days} days.",
        source=sor.Source.OWN_INITIATIVE, automated_detection=False,
        automated_decision=sor.Automation.PARTIALLY,  # the count is automatic; the decisions counted are not
        puid_namespace=puid_namespace(object_session(case), decision.provider_id),
        category=_category(case, decision) if uploader else sor.CATEGORY_OTHER_TERMS,
    )
    elements = {"restriction": {"type": facts.action.value, "territorial_scope": "all countries where the service "
                                "is offered", "duration": f"{days} days"},
                "facts_and_circumstances": {"facts": facts.facts, "decision_id": decision.id, "strikes": strikes,
                                            "basis": "own initiative, after a warning (DSA Art. 23(1)-(3))"},
                "automated_means": {"detection": False, "decision": "the strikes are counted automatically"},
                "legal_ground": None, "contractual_ground": {"reference": _SUSPENSION_CLAUSE,
                                                            "explanation": facts.facts},
                "redress": list(REDRESS)}
    return Statement(id=new_id("sor"), decision_id=decision.id, provider_id=decision.provider_id,
                     elements=elements, body=sor.to_statement(facts), exemption=None, created_at=now)


_SUSPENSION_CLAUSE: Final = "Terms of service: suspension for misuse (DSA Art. 23(4))"


def _suspension_reason(uploader: bool, strikes: int, window_days: int) -> str:
    if uploader:
        return (f"After a warning, the account posted manifestly illegal content {strikes} times within"
                f" {window_days} days (DSA Art. 23(1)).")
    return (f"After a warning, the notifier filed {strikes} manifestly unfounded notices within {window_days} days"
            " (DSA Art. 23(2)).")


def _category(case: Case, decision: Decision) -> str:
    """The category of the decision behind the strike, so that the suspension is filed under the same one."""
    return sor.statement_category(_ground(decision), ground_topic(object_session(case), decision))[0]
