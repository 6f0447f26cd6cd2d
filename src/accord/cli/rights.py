"""``accord rights``: the complaint queue, preservation and the duties the worker runs, by hand."""

from __future__ import annotations

import typer

from accord.cli.context import OPERATOR, clock, output, session_scope, settings
from accord.cli.options import JsonOpt, ProviderOrgOpt
from accord.cli.transparency import resolve_org
from accord.rights import complaints, preservation, user_notices

rights_app = typer.Typer(help="Complaints (TCO Art. 10), user notices (Art. 11), preservation (Art. 6).")


@rights_app.command("complaints")
def list_complaints(org: ProviderOrgOpt = None, as_json: JsonOpt = False) -> None:
    """Pending complaints, nearest deadline first."""
    with session_scope() as session:
        provider = resolve_org(session, org)
        now = clock().now()
        rows = [{"id": c.id, "decision_id": c.decision_id, "by": c.by, "deadline_at": c.deadline_at,
                 "overdue": complaints.is_overdue(c, now)} for c in complaints.queue(session, provider_id=provider.id)]
    output(rows, as_json=as_json, title="complaints")


@rights_app.command("preserved")
def list_preserved(org: ProviderOrgOpt = None, as_json: JsonOpt = False) -> None:
    """Preserved items and when each will be purged."""
    with session_scope() as session:
        provider = resolve_org(session, org)
        rows = [{"id": i.id, "decision_id": i.decision_id, "size": i.size, "purge_at": preservation.expires_at(i),
                 "hold": i.hold_reason} for i in preservation.list_items(session, provider_id=provider.id)]
    output(rows, as_json=as_json, title="preserved items")


@rights_app.command("run-duties")
def run_duties(as_json: JsonOpt = False) -> None:
    """Release due user notices and purge expired preserved items now (the worker does this by itself)."""
    with session_scope() as session:
        released = user_notices.release_due(session, clock(), OPERATOR, settings())
        purged = preservation.purge_expired(session, clock(), OPERATOR)
    output([{"released": released, "purged": purged}], as_json=as_json, title="duties", single=True)
