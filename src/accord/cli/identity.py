"""``accord org``, ``accord member``, ``accord key``."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.context import OPERATOR, clock, console, output, session_scope
from accord.cli.options import AsOrg, JsonOpt, OrgOpt
from accord.identity import service
from accord.identity.models import ApiKey, Member, Organisation
from accord.identity.scopes import ALL_SCOPES

org_app = typer.Typer(help="Organisations: authorities, providers, trusted flaggers, civil society, coordinators.")
member_app = typer.Typer(help="Members of an organisation and their roles.")
key_app = typer.Typer(help="API keys: shown once, stored hashed, scoped, revocable.")



def org_row(org: Organisation) -> dict[str, object]:
    return {"id": org.id, "kind": org.kind, "name": org.name, "country": org.country,
            "contact_languages": org.contact_languages}


def member_row(member: Member) -> dict[str, object]:
    return {"id": member.id, "org_id": member.org_id, "email": member.email, "name": member.name,
            "role": member.role}


def key_row(key: ApiKey) -> dict[str, object]:
    return {"id": key.id, "org_id": key.org_id, "prefix": key.prefix, "name": key.name, "scopes": key.scopes,
            "revoked_at": key.revoked_at, "last_used_at": key.last_used_at}


@org_app.command("create")
def org_create(
    kind: Annotated[str, typer.Option(help="authority | provider | trusted_flagger | civil_society | coordinator")],
    name: Annotated[str, typer.Option(help="Unique name")],
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2")] = None,
    contact_email: Annotated[str | None, typer.Option(help="Contact point (TCO Art. 15)")] = None,
    language: Annotated[list[str] | None, typer.Option(help="Languages the contact point accepts")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Admit an organisation."""
    with session_scope() as session:
        org = service.create_organisation(session, clock(), OPERATOR, kind=kind, name=name, country=country,
                                          contact_email=contact_email, contact_languages=language or [])
        row = org_row(org)
    output([row], as_json=as_json, title="organisation", single=True)


@org_app.command("list")
def org_list(
    kind: Annotated[str | None, typer.Option(help="Only this kind")] = None, as_json: JsonOpt = False
) -> None:
    """List organisations."""
    with session_scope() as session:
        rows = [org_row(o) for o in service.list_organisations(session, kind)]
    output(rows, as_json=as_json, title="organisations")


@member_app.command("add")
def member_add(
    org: OrgOpt,
    email: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="admin | reviewer | submitter | analyst | auditor")],
    name: Annotated[str, typer.Option()] = "",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, help="At least 12 characters")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Add a member who logs into the UI with email and password."""
    with session_scope() as session:
        org_id = service.get_organisation(session, org).id
        member = service.add_member(session, clock(), OPERATOR, org_id=org_id, email=email, name=name,
                                    role=role, password=password)
        row = member_row(member)
    output([row], as_json=as_json, title="member", single=True)


@member_app.command("list")
def member_list(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """List an organisation's members."""
    with session_scope() as session:
        rows = [member_row(m) for m in service.list_members(session, service.get_organisation(session, org).id)]
    output(rows, as_json=as_json, title="members")


@key_app.command("create")
def key_create(
    org: OrgOpt,
    scope: Annotated[list[str] | None, typer.Option(help="Repeat for several; none means every scope")] = None,
    name: Annotated[str, typer.Option()] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create an API key and print it once."""
    with session_scope() as session:
        org_id = service.get_organisation(session, org).id
        key, plain = service.create_key(session, clock(), OPERATOR, org_id=org_id, name=name, scopes=scope or [])
        row = {**key_row(key), "key": plain}
    if not as_json:
        console.print("[bold]Store this key now; it is not shown again.[/bold]")
    output([row], as_json=as_json, title="API key", single=True)


@key_app.command("list")
def key_list(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """List an organisation's keys (never the keys themselves)."""
    with session_scope() as session:
        rows = [key_row(k) for k in service.list_keys(session, service.get_organisation(session, org).id)]
    output(rows, as_json=as_json, title="keys")


@key_app.command("revoke")
def key_revoke(key: Annotated[str, typer.Argument(help="Key id or prefix")], as_json: JsonOpt = False) -> None:
    """Revoke a key; requests with it get 401 from now on."""
    with session_scope() as session:
        row = key_row(service.revoke_key(session, clock(), OPERATOR, key_ref=key, org_id=None))
    output([row], as_json=as_json, title="revoked key", single=True)


@org_app.command("contact-point")
def org_contact_point(
    as_org: AsOrg,
    language: Annotated[list[str], typer.Option(help="A language orders are accepted in (ISO 639-1); repeat")],
    email: Annotated[str | None, typer.Option(help="Where orders are received")] = None,
    phone: Annotated[str | None, typer.Option(help="24/7 telephone")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Declare the contact point for removal orders and its languages (TCO Art. 15)."""
    with session_scope() as session:
        org = service.get_organisation(session, as_org)
        principal = service.Principal(org_id=org.id, org_kind=org.kind, ref="cli:operator",
                                      scopes=frozenset(ALL_SCOPES))
        org = service.update_contact_point(session, clock(), principal, email=email, phone=phone,
                                           languages=language)
        row = {**org_row(org), "contact_email": org.contact_email, "contact_phone": org.contact_phone}
    output([row], as_json=as_json, title="contact point", single=True)
