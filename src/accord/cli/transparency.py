"""``accord report transparency`` and ``accord sor export``."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer
from sqlalchemy.orm import Session

from accord.audit.service import Actor
from accord.cli.context import clock, err_console, output, session_scope, settings
from accord.cli.options import JsonOpt, ProviderOrgOpt
from accord.errors import InvalidInput
from accord.identity import service as identity
from accord.identity.models import Organisation
from accord.transparency import disputes, service, tdb
from accord.transparency.export import ExportTally

report_app = typer.Typer(help="Transparency reports computed from the audit trail (TCO Art. 7/8, DSA Art. 15/24).")
sor_app = typer.Typer(help="DSA statements of reasons for the Transparency Database.")
dispute_app = typer.Typer(help="Out-of-court disputes before certified bodies (DSA Art. 21).")

SinceOpt = Annotated[datetime | None, typer.Option(help="Only decisions from this date (YYYY-MM-DD, UTC)",
                                                  formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"])]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file instead of standard output")]


def resolve_org(session: Session, ref: str | None, kinds: tuple[str, ...] = ("provider",)) -> Organisation:
    """The named organisation, or the only one of ``kinds`` when none is named."""
    if ref:
        return identity.get_organisation(session, ref)
    candidates = [o for kind in kinds for o in identity.list_organisations(session, kind)]
    if len(candidates) != 1:
        raise InvalidInput(f"{len(candidates)} organisations could be meant; name one with --org", field="org")
    return candidates[0]


def _open(out: Path | None) -> TextIO:
    return out.open("w", encoding="utf-8") if out else sys.stdout


@report_app.command("transparency")
def transparency_report(
    year: Annotated[int, typer.Option(help="Calendar year (UTC)")],
    fmt: Annotated[str, typer.Option("--format", help="html | json | csv | dsa-template | dsa-template-csv")] = "json",
    org: ProviderOrgOpt = None,
    out: OutOpt = None,
) -> None:
    """The yearly report of a provider (TCO Art. 7, DSA) or an authority (TCO Art. 8)."""
    with session_scope() as session:
        chosen = resolve_org(session, org, ("provider", "authority"))
        body = service.report(session, clock(), org_id=chosen.id, year=year, fmt=fmt)
    stream = _open(out)
    try:
        stream.write(body)
    finally:
        if out:
            stream.close()


@sor_app.command("export")
def sor_export(
    since: SinceOpt = None,
    out: OutOpt = None,
    org: ProviderOrgOpt = None,
) -> None:
    """JSON lines, each exactly the body of one POST /api/v1/statement."""
    tally = ExportTally()
    stream = _open(out)
    try:
        with session_scope() as session:
            provider = resolve_org(session, org)
            start = since.replace(tzinfo=UTC) if since else None
            stream.writelines(service.statement_lines(session, provider_id=provider.id, since=start, tally=tally))
    finally:
        if out:
            stream.close()
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(tally.skipped.items())) or "none skipped"
    err_console.print(f"{tally.statements} statements written; {skipped}", highlight=False, soft_wrap=True)


CLI_ACTOR = Actor("cli:sor", None)


@sor_app.command("submit")
def sor_submit(org: ProviderOrgOpt = None, since: SinceOpt = None, as_json: JsonOpt = False) -> None:
    """Post pending statements to the DSA Transparency Database (Art. 24(5)) and record each result.

    Exits 1 when the Database did not take a call (the statements stay pending and are retried later)."""
    with session_scope() as session:
        provider = resolve_org(session, org)
        start = since.replace(tzinfo=UTC) if since else None
        report = tdb.submit(session, clock(), settings(), CLI_ACTOR, provider_id=provider.id, since=start)
    if as_json:
        output([report.as_dict()], as_json=True, single=True)
    else:
        err_console.print(_summary(report), highlight=False, soft_wrap=True)
    if report.errors:
        raise typer.Exit(1)


def _summary(report: tdb.SubmitReport) -> str:
    if report.exempt:
        return report.exempt
    text = (f"{report.accepted} accepted, {report.duplicates} already in the Database, {report.rejected} rejected,"
            f" {report.pending} pending ({report.calls} calls)")
    return text + (f"; last error: {report.errors[-1]}" if report.errors else "")


@sor_app.command("status")
def sor_status(
    org: ProviderOrgOpt = None,
    state: Annotated[str | None, typer.Option(help="pending | accepted | rejected")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Statements with their Transparency Database submission status and, when rejected, the errors."""
    with session_scope() as session:
        provider = resolve_org(session, org)
        rows = tdb.statuses(session, provider.id, state=state, limit=limit)
    if not as_json:
        rows = [{k: r[k] for k in ("statement_id", "puid", "category", "state", "tdb_uuid", "errors", "exempt")}
                for r in rows]
    output(rows, as_json=as_json, title="statements")


@dispute_app.command("file")
def dispute_file(
    decision: Annotated[str, typer.Argument(help="The decision the dispute is about")],
    body: Annotated[str, typer.Option("--body", help="The certified dispute settlement body")],
    certified_by: Annotated[str, typer.Option(help="ISO code of the Member State whose coordinator certified it")],
    reference: Annotated[str, typer.Option(help="The body's file number")] = "",
    org: ProviderOrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that a certified body was seized of a dispute about a decision."""
    with session_scope() as session:
        provider = resolve_org(session, org)
        dispute = disputes.file_dispute(session, clock(), CLI_ACTOR, provider_id=provider.id, decision_id=decision,
                                        body_name=body, certified_by=certified_by, reference=reference)
        row = disputes.as_dict(dispute)
    output([row], as_json=as_json, title="dispute", single=True)


@dispute_app.command("decide")
def dispute_decide(
    dispute: Annotated[str, typer.Argument(help="The dispute id")],
    outcome: Annotated[str, typer.Option(help="upheld | reversed | settled | withdrawn")],
    note: Annotated[str, typer.Option(help="What the body found")] = "",
    org: ProviderOrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the body's outcome (counted in the DSA report, Art. 24(1)(a))."""
    with session_scope() as session:
        provider = resolve_org(session, org)
        decided = disputes.decide_dispute(session, clock(), CLI_ACTOR, provider_id=provider.id, dispute_id=dispute,
                                          outcome=outcome, note=note)
        row = disputes.as_dict(decided)
    output([row], as_json=as_json, title="dispute", single=True)


@dispute_app.command("list")
def dispute_list(org: ProviderOrgOpt = None, as_json: JsonOpt = False) -> None:
    """The provider's out-of-court disputes, newest first."""
    with session_scope() as session:
        provider = resolve_org(session, org)
        rows = [disputes.as_dict(d) for d in disputes.list_disputes(session, provider.id)]
    output(rows, as_json=as_json, title="disputes")
