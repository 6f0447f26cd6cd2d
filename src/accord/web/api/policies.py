"""/v1/policies, versions, diffs and resolution; /v1/jurisdictions; /v1/incidents and their debriefs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from accord.flows import incidents
from accord.identity.service import Principal
from accord.policies import service, templates
from accord.policies.jurisdictions import guide
from accord.policies.models import Incident
from accord.web.deps import ClockDep, Scoped, SessionDep
from accord.web.schemas.common import VersionInPath, VersionInQuery
from accord.web.schemas.policies import (
    ChangeOut,
    ConcludeIn,
    DebriefOut,
    DiffOut,
    EscalateIn,
    IncidentIn,
    IncidentOut,
    JurisdictionsOut,
    LinkBankIn,
    PolicyIn,
    PolicyOut,
    ResolutionOut,
    ReviewDoneIn,
    ReviewTaskOut,
    TemplateOut,
    VersionIn,
    VersionOut,
)

router = APIRouter(prefix="/v1", tags=["policies"])
Reader = Annotated[Principal, Depends(Scoped("policies:read"))]
Writer = Annotated[Principal, Depends(Scoped("policies:write"))]


# ---- policies ----------------------------------------------------------------------------------------


@router.get("/policies")
def list_policies(principal: Reader, session: SessionDep) -> list[PolicyOut]:
    """The caller's own policies (a provider's; other kinds keep none)."""
    return [PolicyOut.model_validate(p) for p in service.list_policies(session, principal.org_id)]


@router.post("/policies", status_code=201)
def create_policy(body: PolicyIn, principal: Writer, session: SessionDep, clock: ClockDep) -> PolicyOut:
    """Create a policy with its first draft version, from a body or a template."""
    policy = service.create_policy(
        session, clock, principal.actor, provider_id=principal.org_id, name=body.name,
        description=body.description, template=body.template,
        body=body.body.model_dump() if body.body else None,
    )
    return PolicyOut.model_validate(policy)


@router.get("/policies/resolve")
def resolve(principal: Reader, session: SessionDep, category: str, country: str | None = None) -> ResolutionOut:
    """What the active policy prescribes for a category, in a country or in general (with geo actions)."""
    resolution = service.resolve(session, provider_id=principal.org_id, category=category, country=country)
    return ResolutionOut.model_validate({**asdict(resolution), "statement": service.statement_text(resolution)})


@router.get("/policy-templates")
def policy_templates(principal: Reader) -> list[TemplateOut]:
    """Model terms for small providers, with jurisdiction presets."""
    return [TemplateOut.model_validate(t) for t in templates.catalogue()]


@router.get("/jurisdictions")
def jurisdictions(principal: Reader) -> JurisdictionsOut:
    """The jurisdiction guide: the EU-wide TCO rule and national examples (to be checked by counsel)."""
    return JurisdictionsOut.model_validate(guide())


@router.get("/policies/{policy_id}")
def get_policy(policy_id: str, principal: Reader, session: SessionDep) -> PolicyOut:
    return PolicyOut.model_validate(service.get_policy(session, policy_id, principal.org_id))


@router.get("/policies/{policy_id}/versions")
def list_versions(policy_id: str, principal: Reader, session: SessionDep) -> list[VersionOut]:
    """Every version, oldest first; none is ever deleted."""
    return [VersionOut.model_validate(v) for v in service.list_versions(session, policy_id, principal.org_id)]


@router.post("/policies/{policy_id}/versions", status_code=201)
def create_version(policy_id: str, body: VersionIn, principal: Writer, session: SessionDep,
                   clock: ClockDep) -> VersionOut:
    version = service.create_version(session, clock, principal.actor, policy_id=policy_id,
                                     provider_id=principal.org_id, body=body.body.model_dump(), note=body.note)
    return VersionOut.model_validate(version)


@router.get("/policies/{policy_id}/versions/{number}")
def get_version(policy_id: str, number: VersionInPath, principal: Reader, session: SessionDep) -> VersionOut:
    return VersionOut.model_validate(service.get_version(session, policy_id, principal.org_id, number))


@router.post("/policies/{policy_id}/versions/{number}/publish")
def publish_version(policy_id: str, number: VersionInPath, principal: Writer, session: SessionDep,
                    clock: ClockDep) -> VersionOut:
    version = service.publish_version(session, clock, principal.actor, policy_id=policy_id,
                                      provider_id=principal.org_id, number=number)
    return VersionOut.model_validate(version)


@router.post("/policies/{policy_id}/versions/{number}/activate")
def activate_version(policy_id: str, number: VersionInPath, principal: Writer, session: SessionDep,
                     clock: ClockDep) -> PolicyOut:
    policy = service.activate_version(session, clock, principal.actor, policy_id=policy_id,
                                      provider_id=principal.org_id, number=number)
    return PolicyOut.model_validate(policy)


@router.get("/policies/{policy_id}/diff")
def diff_versions(policy_id: str, from_version: VersionInQuery, to_version: VersionInQuery, principal: Reader,
                  session: SessionDep) -> DiffOut:
    changes = service.diff_versions(session, policy_id, principal.org_id, from_version, to_version)
    return DiffOut(policy_id=policy_id, from_version=from_version, to_version=to_version,
                   changes=[ChangeOut.model_validate(asdict(c)) for c in changes])


# ---- post-incident policy reviews ----------------------------------------------------------------------


@router.get("/policy-reviews")
def list_reviews(principal: Reader, session: SessionDep) -> list[ReviewTaskOut]:
    """The "review your policies after this incident" tasks of the caller."""
    return [ReviewTaskOut.model_validate(t) for t in incidents.list_review_tasks(session, principal.org_id)]


@router.post("/policy-reviews/{task_id}/done")
def review_done(task_id: str, body: ReviewDoneIn, principal: Writer, session: SessionDep,
                clock: ClockDep) -> ReviewTaskOut:
    task = incidents.complete_review_task(session, clock, principal.actor, provider_id=principal.org_id,
                                          task_id=task_id, note=body.note)
    return ReviewTaskOut.model_validate(task)


# ---- incidents ---------------------------------------------------------------------------------------


def _incident_out(session: Session, incident: Incident) -> IncidentOut:
    return IncidentOut.model_validate(incidents.describe(session, incident))


@router.get("/incidents")
def list_incidents(principal: Reader, session: SessionDep, state: str | None = None) -> list[IncidentOut]:
    """The incidents the caller takes part in (as their coordinator or a member)."""
    return [_incident_out(session, i) for i in incidents.list_incidents(session, state, principal.org_id)]


@router.post("/incidents", status_code=201)
def declare(body: IncidentIn, principal: Writer, session: SessionDep, clock: ClockDep) -> IncidentOut:
    """A coordinator declares an incident (or a drill) against the criteria checklist, for its members: the
    incident bank is created and shared with them, and they are told by webhook (``incident.declared``)."""
    incident = incidents.declare_incident(
        session, clock, principal.actor, coordinator_id=principal.org_id, title=body.title, level=body.level,
        criteria=body.criteria, description=body.description, drill=body.drill, member_ids=body.members,
    )
    return _incident_out(session, incident)


@router.get("/incidents/{incident_id}")
def get_incident(incident_id: str, principal: Reader, session: SessionDep) -> IncidentOut:
    return _incident_out(session, incidents.get_incident(session, incident_id, principal.org_id))


@router.post("/incidents/{incident_id}/escalate")
def escalate(incident_id: str, body: EscalateIn, principal: Writer, session: SessionDep,
             clock: ClockDep) -> IncidentOut:
    incident = incidents.escalate_incident(session, clock, principal.actor, coordinator_id=principal.org_id,
                                           incident_id=incident_id, level=body.level, reason=body.reason)
    return _incident_out(session, incident)


@router.post("/incidents/{incident_id}/bank")
def link_bank(incident_id: str, body: LinkBankIn, principal: Writer, session: SessionDep,
              clock: ClockDep) -> IncidentOut:
    incident = incidents.link_bank(session, clock, principal.actor, coordinator_id=principal.org_id,
                                   incident_id=incident_id, bank_id=body.bank_id)
    return _incident_out(session, incident)


@router.post("/incidents/{incident_id}/conclude")
def conclude(incident_id: str, body: ConcludeIn, principal: Writer, session: SessionDep,
             clock: ClockDep) -> IncidentOut:
    incident = incidents.conclude_incident(session, clock, principal.actor, coordinator_id=principal.org_id,
                                           incident_id=incident_id, conclusion=body.conclusion)
    return _incident_out(session, incident)


@router.get("/incidents/{incident_id}/debrief")
def debrief(incident_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> DebriefOut:
    """The debrief of a concluded incident, or the figures so far of an active one (coordinator and members)."""
    return DebriefOut.model_validate(incidents.incident_debrief(session, clock, incident_id, principal.org_id))
