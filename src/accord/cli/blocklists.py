"""``accord blocklist create|add|delist|list|entries|export|subscribe|operators``: administrative blocking lists
from the command line, acting for the authority (``--org``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from accord.blocklists import exports, operators, service
from accord.blocklists.models import Blocklist, BlocklistEntry
from accord.cli.context import clock, console, output, session_scope, settings
from accord.cli.notices import _principal
from accord.cli.options import JsonOpt, org_option
from accord.errors import InvalidInput
from accord.identity import service as identity

blocklist_app = typer.Typer(help="Administrative blocking lists: DNS blocking and search delisting, with an "
                                 "overseer, an over-blocking guard and exports resolvers read.")
Org = Annotated[str, org_option("The authority (id or name) that keeps the list")]
OptionalOrg = Annotated[str | None, typer.Option("--org", help="The organisation (id or name) whose list it is")]


def list_row(blocklist: Blocklist) -> dict[str, Any]:
    return {"id": blocklist.id, "name": blocklist.name, "kind": blocklist.kind, "action": blocklist.action,
            "review_required": blocklist.review_required, "serial": blocklist.serial}


def entry_row(entry: BlocklistEntry) -> dict[str, Any]:
    return {"id": entry.id, "type": entry.type, "value": entry.value, "subdomains": entry.subdomains,
            "state": entry.state, "expires_at": entry.expires_at}


@blocklist_app.command("create")
def create(
    name: str, org: Org,
    legal_basis: Annotated[str, typer.Option(help="e.g. Décret 2015-253; LCEN art. 6-1")],
    kind: Annotated[str, typer.Option(help="dns_block | search_delisting")] = "dns_block",
    action: Annotated[str, typer.Option(help="nxdomain | stop_page")] = "nxdomain",
    stop_host: Annotated[str | None, typer.Option(help="stop_page: the host serving the stop page")] = None,
    review_required: Annotated[bool, typer.Option(help="Each entry waits for the overseer's review")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Open a list for the authority."""
    spec = service.ListSpec(name=name, kind=kind, legal_basis=legal_basis, action=action, stop_host=stop_host,
                            review_required=review_required)
    with session_scope() as session:
        row = list_row(service.create_list(session, clock(), settings(), _principal(session, org), spec))
    output([row], as_json=as_json, title="blocking list", single=True)


@blocklist_app.command("add")
def add(
    name: str, value: str, org: Org,
    reason: Annotated[str, typer.Option(help="Why the entry is needed")],
    entry_type: Annotated[str, typer.Option("--type", help="domain | url | ip")] = "domain",
    subdomains: Annotated[bool, typer.Option(help="Block the subdomains too")] = False,
    ip_reason: Annotated[str | None, typer.Option(help="ip: why the address hosts no other site")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an entry; the over-blocking guard refuses shared platforms, public suffixes and shared addresses."""
    spec = service.EntrySpec(type=entry_type, value=value, reason=reason, subdomains=subdomains,
                             ip_reason=ip_reason)
    with session_scope() as session:
        principal = _principal(session, org)
        blocklist = service.named(session, name, principal.org_id)
        row = entry_row(service.add_entry(session, clock(), settings(), principal, blocklist.id, spec))
    output([row], as_json=as_json, title="entry", single=True)


@blocklist_app.command("delist")
def delist(name: str, entry: str, org: Org, as_json: JsonOpt = False) -> None:
    """Take an entry (id or value) off the list; the export changes at once."""
    with session_scope() as session:
        principal = _principal(session, org)
        blocklist = service.named(session, name, principal.org_id)
        found = [e for e in service.list_entries(session, principal, blocklist.id)
                 if entry in (e.id, e.value) and e.state not in service.ENDED]
        if not found:
            raise InvalidInput(f"{entry!r} is not on the list", field="entry")
        row = entry_row(service.delist(session, clock(), principal, blocklist.id, found[0].id))
    output([row], as_json=as_json, title="entry", single=True)


@blocklist_app.command("list")
def list_lists(org: Org, as_json: JsonOpt = False) -> None:
    """The lists the organisation keeps, oversees or applies."""
    with session_scope() as session:
        rows = [list_row(b) for b in service.list_lists(session, _principal(session, org))]
    output(rows, as_json=as_json, title="blocking lists")


@blocklist_app.command("entries")
def entries(name: str, org: Org, state: Annotated[str | None, typer.Option()] = None,
            as_json: JsonOpt = False) -> None:
    """The entries of a list, oldest first."""
    with session_scope() as session:
        principal = _principal(session, org)
        blocklist = service.named(session, name, principal.org_id)
        rows = [entry_row(e) for e in service.list_entries(session, principal, blocklist.id, state)]
    output(rows, as_json=as_json, title="entries")


@blocklist_app.command("export")
def export(
    name: str,
    fmt: Annotated[str, typer.Option("--format", help="rpz | hosts | csv | json")] = "rpz",
    out: Annotated[Path | None, typer.Option("--out", help="Write here (default: standard output)")] = None,
    org: OptionalOrg = None,
) -> None:
    """Export the live entries as an RPZ zone, a hosts file, CSV or JSON."""
    with session_scope() as session:
        org_id = identity.get_organisation(session, org).id if org else None
        blocklist = service.named(session, name, org_id)
        body = exports.render(exports.build(session, clock(), settings(), blocklist), fmt)
    if out is None:
        console.out(body, end="", highlight=False)
        return
    try:
        out.write_text(body, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {out}: {exc.strerror}", field="out") from None


@blocklist_app.command("subscribe")
def subscribe(name: str, org: Org, operator: Annotated[str, typer.Option(help="Network operator (id or name)")],
              as_json: JsonOpt = False) -> None:
    """Hand the list to a network operator; prints its capability URLs once."""
    with session_scope() as session:
        principal = _principal(session, org)
        blocklist = service.named(session, name, principal.org_id)
        operator_id = identity.get_organisation(session, operator).id
        subscription, token = operators.subscribe(session, clock(), principal, blocklist.id, operator_id)
        row = {"id": subscription.id, "operator_id": operator_id,
               **{f"feed_{fmt}": operators.feed_url(settings(), token, fmt) for fmt in exports.FORMATS}}
    output([row], as_json=as_json, title="subscription", single=True)


@blocklist_app.command("operators")
def compliance(name: str, org: Org, as_json: JsonOpt = False) -> None:
    """Which operators applied the current serial, and which are late (24 h blocking, 48 h delisting)."""
    with session_scope() as session:
        principal = _principal(session, org)
        blocklist = service.named(session, name, principal.org_id)
        rows = [{"operator": r.operator_name, "applied_serial": r.applied_serial, "current_serial": r.current_serial,
                 "status": r.status, "due_at": r.due_at}
                for r in operators.operators(session, clock(), principal, blocklist.id)]
    output(rows, as_json=as_json, title="operators")
