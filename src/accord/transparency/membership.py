"""GIFCT membership self-assessment (HASH-06): where a provider stands against the membership criteria, from
the facts Accord holds about it.

GIFCT asks a member for a public prohibition of terrorist and violent extremist content in its terms, the
ability to receive, review and act on reports and to hear appeals, a willingness to explore technical solutions
(hash sharing), and a regular transparency report. Accord can show the first three from its own records; it
produces the yearly report but cannot know whether the provider published it, so that item is left for the
provider to confirm. The result is a checklist, not an application: GIFCT decides membership.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.banks.models import Bank
from accord.clock import Clock
from accord.errors import PermissionDenied
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.policies.service import active_version
from accord.transparency.events import field as payload_field
from accord.transparency.events import not_drill

SOURCE: Final = "GIFCT membership criteria (gifct.org, membership resource guide)"
TCO_CATEGORIES: Final = ("incitement", "solicitation_commit", "solicitation_group", "instruction", "threat")
PROHIBITING: Final = ("remove", "disable")
WINDOW: Final = timedelta(days=365)
MET, NOT_MET, TO_CONFIRM = "met", "not_met", "to_confirm"


@dataclass(frozen=True)
class Criterion:
    id: str
    criterion: str
    status: str
    evidence: dict[str, Any]
    next_step: str = ""


@dataclass(frozen=True)
class SelfAssessment:
    provider_id: str
    provider_name: str
    assessed_at: str
    source: str
    criteria: list[Criterion]
    summary: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def self_assessment(session: Session, clock: Clock, principal: Principal) -> SelfAssessment:
    """The caller's own checklist; only a hosting provider has one."""
    if principal.org_kind != "provider":
        raise PermissionDenied("only hosting providers assess themselves against the GIFCT criteria")
    org = session.get(Organisation, principal.org_id)
    assert org is not None  # the principal was authenticated against it
    since = clock.now() - WINDOW
    criteria = [_prohibition(session, org), _reports_and_appeals(session, org, since),
                _technical_solutions(session, org, since), _transparency(session, org, clock.now())]
    summary = {status: sum(1 for c in criteria if c.status == status) for status in (MET, NOT_MET, TO_CONFIRM)}
    return SelfAssessment(org.id, org.name, clock.now().isoformat(), SOURCE, criteria, summary)


def _count(session: Session, tag: str, provider_id: str, since: datetime) -> int:
    query = (select(func.count()).select_from(AuditEvent)
             .where(AuditEvent.tag == tag, AuditEvent.at >= since, payload_field("provider_id") == provider_id,
                    not_drill(payload_field("drill"))))  # a drill (accord.readiness) is not a fact
    return int(session.scalar(query) or 0)


def _prohibition(session: Session, org: Organisation) -> Criterion:
    text = "Terms that publicly prohibit terrorist and violent extremist content"
    found = active_version(session, org.id)
    if found is None:
        return Criterion("public_prohibition", text, NOT_MET, {"active_policy": None},
                         "publish and activate a policy (accord policy templates; accord policy create)")
    version, body = found
    covered = [c for c in TCO_CATEGORIES if (rule := body.rule(c)) is not None and rule.action in PROHIBITING]
    missing = [c for c in TCO_CATEGORIES if c not in covered]
    evidence = {"policy_id": version.policy_id, "version": version.number, "covered": covered, "missing": missing}
    if missing:
        return Criterion("public_prohibition", text, NOT_MET, evidence,
                         f"add rules that remove or disable: {', '.join(missing)}")
    return Criterion("public_prohibition", text, MET, evidence)


def _reports_and_appeals(session: Session, org: Organisation, since: datetime) -> Criterion:
    text = "Able to receive, review and act on reports, and to hear appeals"
    evidence = {"contact_email": org.contact_email, "contact_languages": list(org.contact_languages),
                "notices_received": _count(session, Event.NOTICES_NOTICE_RECEIVE, org.id, since),
                "notices_answered": _count(session, Event.NOTICES_NOTICE_OUTCOME, org.id, since),
                "decisions": _count(session, Event.CASES_DECISION_CREATE, org.id, since),
                "complaints_decided": _count(session, Event.RIGHTS_COMPLAINT_DECIDE, org.id, since)}
    if not org.contact_email:
        return Criterion("reports_and_appeals", text, NOT_MET, evidence,
                         "declare a contact point (PUT /v1/organisation/contact-point; accord org contact-point)")
    return Criterion("reports_and_appeals", text, MET, evidence)


def _technical_solutions(session: Session, org: Organisation, since: datetime) -> Criterion:
    text = "Willing to explore technical solutions such as hash sharing"
    banks = int(session.scalar(select(func.count()).select_from(Bank).where(Bank.org_id == org.id)) or 0)
    matches = _count(session, Event.MATCHING_MATCH_FOUND, org.id, since)
    evidence = {"banks_owned": banks, "matches_last_12_months": matches}
    if banks or matches:
        return Criterion("technical_solutions", text, MET, evidence)
    return Criterion("technical_solutions", text, NOT_MET, evidence,
                     "match uploads against shared banks (POST /v1/match) or keep a bank of your own")


def _transparency(session: Session, org: Organisation, now: datetime) -> Criterion:
    year = now.year - 1
    evidence = {"year": year, "command": f"accord report transparency --org {org.name!r} --year {year}",
                "route": f"GET /v1/transparency/report?year={year}",
                "notices_in_year": _count(session, Event.NOTICES_NOTICE_RECEIVE, org.id, now - WINDOW)}
    return Criterion("transparency_report", "A regular, public transparency report", TO_CONFIRM, evidence,
                     "publish the yearly report Accord produces and confirm it here")


def as_markdown(assessment: SelfAssessment) -> str:
    """The checklist as a Markdown page the provider can keep or send."""
    marks = {MET: "[x]", NOT_MET: "[ ]", TO_CONFIRM: "[?]"}
    lines = [f"# GIFCT membership self-assessment: {assessment.provider_name}", "",
             f"Assessed {assessment.assessed_at} against the {assessment.source}.", ""]
    for c in assessment.criteria:
        lines.append(f"- {marks[c.status]} **{c.criterion}** ({c.status})")
        lines.extend(f"  - {key}: {value}" for key, value in c.evidence.items())
        if c.next_step:
            lines.append(f"  - next step: {c.next_step}")
    return "\n".join(lines) + "\n"
