"""``accord policy`` (versions, diff, resolve, templates, jurisdictions) and ``accord incident``."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.context import OPERATOR, clock, output, session_scope
from accord.cli.options import JsonOpt, OrgOpt, org_option
from accord.errors import InvalidInput
from accord.flows import incidents
from accord.identity.service import Principal, get_organisation
from accord.policies import service, templates
from accord.policies.jurisdictions import guide
from accord.policies.models import Incident, Policy, PolicyVersion
from accord.transparency import membership

policy_app = typer.Typer(help="Providers' policies: versions, diffs, jurisdictions and resolution.")
incident_app = typer.Typer(help="Crisis incidents: declare against the checklist, conclude, debrief.")



def policy_row(policy: Policy) -> dict[str, Any]:
    return {"id": policy.id, "provider_id": policy.provider_id, "name": policy.name,
            "active_version": policy.active_version, "updated_at": policy.updated_at}


def version_row(version: PolicyVersion) -> dict[str, Any]:
    return {"policy_id": version.policy_id, "number": version.number, "state": version.state,
            "note": version.note, "created_at": version.created_at, "published_at": version.published_at}


def incident_row(incident: Incident) -> dict[str, Any]:
    return {"id": incident.id, "title": incident.title, "level": incident.level, "state": incident.state,
            "drill": incident.drill, "tag": incident.tag, "declared_at": incident.declared_at,
            "concluded_at": incident.concluded_at}


def _body(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read a JSON policy body from {path}: {exc}", field="body") from exc
    return data


# ---- accord policy -----------------------------------------------------------------------------------


@policy_app.command("list")
def policy_list(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """List a provider's policies."""
    with session_scope() as session:
        rows = [policy_row(p) for p in service.list_policies(session, get_organisation(session, org).id)]
    output(rows, as_json=as_json, title="policies")


@policy_app.command("create")
def policy_create(
    org: OrgOpt, name: Annotated[str, typer.Option()],
    template: Annotated[str, typer.Option(help="Template name (see `accord policy templates`)")] = "small-provider-eu",
    body: Annotated[Path | None, typer.Option(help="A JSON policy body instead of a template")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a policy with its first draft version."""
    with session_scope() as session:
        policy = service.create_policy(session, clock(), OPERATOR, provider_id=get_organisation(session, org).id,
                                       name=name, template=template, body=_body(body) if body else None)
        row = policy_row(policy)
    output([row], as_json=as_json, title="policy", single=True)


@policy_app.command("version")
def policy_version(org: OrgOpt, policy: Annotated[str, typer.Argument()],
                   body: Annotated[Path, typer.Option(help="The JSON body of the new version")],
                   note: Annotated[str, typer.Option()] = "", as_json: JsonOpt = False) -> None:
    """Write a new draft version from a JSON body."""
    with session_scope() as session:
        version = service.create_version(session, clock(), OPERATOR, policy_id=policy,
                                         provider_id=get_organisation(session, org).id, body=_body(body), note=note)
        row = version_row(version)
    output([row], as_json=as_json, title="version", single=True)


@policy_app.command("versions")
def policy_versions(org: OrgOpt, policy: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """List every version of a policy."""
    with session_scope() as session:
        rows = [version_row(v) for v in service.list_versions(session, policy, get_organisation(session, org).id)]
    output(rows, as_json=as_json, title="versions")


@policy_app.command("publish")
def policy_publish(org: OrgOpt, policy: Annotated[str, typer.Argument()], number: Annotated[int, typer.Argument()],
                   as_json: JsonOpt = False) -> None:
    """Publish a draft version."""
    with session_scope() as session:
        version = service.publish_version(session, clock(), OPERATOR, policy_id=policy,
                                          provider_id=get_organisation(session, org).id, number=number)
        row = version_row(version)
    output([row], as_json=as_json, title="version", single=True)


@policy_app.command("activate")
def policy_activate(org: OrgOpt, policy: Annotated[str, typer.Argument()],
                    number: Annotated[int, typer.Argument()], as_json: JsonOpt = False) -> None:
    """Make a published version the one decisions apply."""
    with session_scope() as session:
        row = policy_row(service.activate_version(session, clock(), OPERATOR, policy_id=policy,
                                                  provider_id=get_organisation(session, org).id, number=number))
    output([row], as_json=as_json, title="policy", single=True)


@policy_app.command("diff")
def policy_diff(org: OrgOpt, policy: Annotated[str, typer.Argument()], old: Annotated[int, typer.Argument()],
                new: Annotated[int, typer.Argument()], as_json: JsonOpt = False) -> None:
    """What changed between two versions."""
    with session_scope() as session:
        changes = service.diff_versions(session, policy, get_organisation(session, org).id, old, new)
    rows = [{"section": c.section, "key": c.key, "change": c.change, "fields": list(c.fields)} for c in changes]
    output(rows, as_json=as_json, title="changes")


@policy_app.command("resolve")
def policy_resolve(org: OrgOpt, category: Annotated[str, typer.Argument()],
                   country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2")] = None,
                   as_json: JsonOpt = False) -> None:
    """What the active policy prescribes for a category (in a country)."""
    with session_scope() as session:
        resolution = service.resolve(session, provider_id=get_organisation(session, org).id, category=category,
                                     country=country)
    row = {**asdict(resolution), "statement": service.statement_text(resolution)}
    output([row], as_json=as_json, title="resolution", single=True)


@policy_app.command("templates")
def policy_templates(as_json: JsonOpt = False) -> None:
    """The templates for small providers."""
    rows = [{"name": t["name"], "description": t["description"], "jurisdictions": t["jurisdictions"]}
            for t in templates.catalogue()]
    output(rows, as_json=as_json, title="templates")


@policy_app.command("jurisdictions")
def policy_jurisdictions(as_json: JsonOpt = False) -> None:
    """The jurisdiction guide (examples to be checked by counsel)."""
    rows = [{"code": j["code"], "name": j["name"], "countries": len(j["countries"]),
             "rules": [f"{r['category']}: {r['legal_ref']}" for r in j["rules"]]} for j in guide()["jurisdictions"]]
    output(rows, as_json=as_json, title="jurisdictions")


# ---- accord incident ---------------------------------------------------------------------------------


@incident_app.command("declare")
def incident_declare(
    org: Annotated[str, org_option("The declaring coordinator (id or name)")],
    title: Annotated[str, typer.Option()],
    level: Annotated[str, typer.Option(help="incident | content_incident | content_incident_protocol")],
    criterion: Annotated[list[str] | None, typer.Option(help="A criterion met; repeat (" + ", ".join(
        incidents.CRITERIA) + ")")] = None,
    description: Annotated[str, typer.Option()] = "",
    drill: Annotated[bool, typer.Option("--drill", help="Run it as a drill")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Declare an incident against the criteria checklist; members are told by webhook."""
    with session_scope() as session:
        incident = incidents.declare_incident(
            session, clock(), OPERATOR, coordinator_id=get_organisation(session, org).id, title=title,
            level=level, criteria=dict.fromkeys(criterion or [], True), description=description, drill=drill)
        row = incident_row(incident)
    output([row], as_json=as_json, title="incident", single=True)


@incident_app.command("conclude")
def incident_conclude(org: Annotated[str, org_option("The declaring coordinator")],
                      incident: Annotated[str, typer.Argument()],
                      conclusion: Annotated[str, typer.Option()] = "", as_json: JsonOpt = False) -> None:
    """Conclude an incident and print its debrief."""
    with session_scope() as session:
        done = incidents.conclude_incident(session, clock(), OPERATOR, coordinator_id=get_organisation(
            session, org).id, incident_id=incident, conclusion=conclusion)
        row = {**incident_row(done), "debrief": {k: v for k, v in done.debrief.items() if k != "timeline"}}
    output([row], as_json=as_json, title="incident", single=True)


@incident_app.command("list")
def incident_list(state: Annotated[str | None, typer.Option(help="active | concluded")] = None,
                  as_json: JsonOpt = False) -> None:
    """List incidents."""
    with session_scope() as session:
        rows = [incident_row(i) for i in incidents.list_incidents(session, state)]
    output(rows, as_json=as_json, title="incidents")


@incident_app.command("debrief")
def incident_debrief(incident: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """The debrief (or the figures so far) with its timeline."""
    with session_scope() as session:
        report = incidents.incident_debrief(session, clock(), incident)
    output([report], as_json=as_json, title="debrief", single=True)


# ---- accord policy gifct-checklist (HASH-06) ----------------------------------------------------------


@policy_app.command("gifct-checklist")
def gifct_checklist(org: OrgOpt,
                    markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown page")] = False,
                    as_json: JsonOpt = False) -> None:
    """A provider's self-assessment against the GIFCT membership criteria, from what Accord records."""
    with session_scope() as session:
        found = get_organisation(session, org)
        principal = Principal(org_id=found.id, org_kind=found.kind, ref="cli:operator")
        assessment = membership.self_assessment(session, clock(), principal)
    if markdown:
        typer.echo(membership.as_markdown(assessment), nl=False)
        return
    rows = [{"criterion": c.criterion, "status": c.status, "next_step": c.next_step} for c in assessment.criteria]
    if as_json:
        typer.echo(json.dumps(assessment.as_dict(), indent=2))
        return
    output(rows, as_json=False, title=f"GIFCT self-assessment: {assessment.provider_name}")
