"""``accord notice action-day create|import|show``: Referral Action Days (EUR-04) from the command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.context import clock, console, output, session_scope, settings
from accord.cli.notices import _format, _principal
from accord.cli.options import AsOrg, JsonOpt
from accord.db import make_engine, make_sessionmaker
from accord.errors import InvalidInput
from accord.notices import action_days, batch

action_day_app = typer.Typer(help="Referral Action Days: many notices to many providers, one shared deadline.")


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("an ISO 8601 time with its zone, e.g. 2026-12-08T18:00:00Z", field="deadline") from exc


@action_day_app.command("create")
def create(
    as_org: AsOrg,
    name: Annotated[str, typer.Option(help="e.g. 'RAD 2026-12 jihadist propaganda'")],
    deadline: Annotated[str, typer.Option(help="The shared deadline, ISO 8601 with its zone")],
    description: Annotated[str, typer.Option()] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create an action day; prints its id."""
    with session_scope() as session:
        day = action_days.create(session, clock(), _principal(session, as_org), name=name,
                                 deadline_at=_moment(deadline), description=description)
        row = {"id": day.id, "name": day.name, "deadline_at": day.deadline_at}
    output([row], as_json=as_json, title="action day", single=True)


@action_day_app.command("import")
def import_file(
    day_id: Annotated[str, typer.Argument(help="The action day's id")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or JSON lines of notices")],
    as_org: AsOrg,
    fmt: Annotated[str | None, typer.Option("--format", help="csv | jsonl (default: from the suffix)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import the day's notices with a report per line (exits 2 when any line was refused)."""
    kind = _format(file, fmt)
    if kind not in ("csv", "jsonl"):
        raise InvalidInput("an action day takes CSV or JSON lines (.csv, .jsonl)", field="format")
    lines = batch.parse(file.read_text(encoding="utf-8-sig"), kind)
    with session_scope() as session:
        principal = _principal(session, as_org)
    engine = make_engine(settings().database_url, pool=False)
    try:
        report = action_days.import_notices(make_sessionmaker(engine), clock(), settings(), principal, day_id, lines)
    finally:
        engine.dispose()
    refused = [{"line": r.line, "field": r.field, "error": r.error} for r in report.lines if not r.accepted]
    if as_json:
        output([{"accepted": report.accepted, "refused": report.refused, "lines": refused}], as_json=True,
               single=True)
    else:
        output(refused, as_json=False, title="refused lines")
        console.print(f"{report.accepted} accepted, {report.refused} refused")
    if report.refused:
        raise typer.Exit(2)


@action_day_app.command("show")
def show(day_id: Annotated[str, typer.Argument()], as_org: AsOrg, as_json: JsonOpt = False) -> None:
    """The day's summary per provider: notices, acknowledged, answered, open, late."""
    with session_scope() as session:
        found = action_days.summary(session, clock(), _principal(session, as_org), day_id)
    rows = [{"provider": p.provider_name, "notices": p.notices, "acknowledged": p.acknowledged,
             "answered": p.answered, "open": p.open, "late": p.late,
             **{answer: p.by_outcome[answer] for answer in action_days.ANSWERS}} for p in found.providers]
    if not as_json:
        deadline = f"{found.day.deadline_at:%Y-%m-%d %H:%M} UTC"
        console.print(f"{found.day.name}: {found.notices} notices to {len(found.providers)} providers, "
                      f"{found.answered} answered, {found.late} late; deadline {deadline}")
    output(rows, as_json=as_json, title="per provider")
