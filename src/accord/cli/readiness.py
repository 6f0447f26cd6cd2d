"""``accord drill``: schedule a practice removal order for a provider, list drills, show a scorecard. The operator
acts for one organisation (``--as``): an authority or the coordinator drills any provider, a provider itself."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from accord.cli.context import clock, output, session_scope
from accord.cli.notices import _principal
from accord.cli.options import AsOrg, JsonOpt
from accord.readiness import drills

drill_app = typer.Typer(help="Removal-order drills: a practice order at a random moment of a window; scorecards.")
Id = Annotated[str, typer.Argument(help="The drill id (drl_...)")]


def drill_row(card: drills.Scorecard) -> dict[str, Any]:
    d, times = card.drill, card.times()
    return {"id": d.id, "provider_id": d.provider_id, "status": card.status, "starts_after": d.starts_after,
            "ends_before": d.ends_before, "notice_id": d.notice_id, "sent_at": d.sent_at,
            "seconds_to_action": times["action"], "passed": card.passed}


@drill_app.command("schedule")
def schedule(as_org: AsOrg, provider: Annotated[str, typer.Option(help="Provider id (yourself for a self-drill)")],
             starts_after: Annotated[datetime, typer.Option(help="Not before (ISO 8601, UTC)")],
             ends_before: Annotated[datetime, typer.Option(help="Before (ISO 8601, UTC)")],
             as_json: JsonOpt = False) -> None:
    """Schedule a drill; the worker sends it at a random moment of the window."""
    with session_scope() as session:
        drill = drills.schedule(session, clock(), _principal(session, as_org), provider_id=provider,
                                starts_after=starts_after, ends_before=ends_before)
        row = drill_row(drills.scorecard(session, clock(), drill))
    output([row], as_json=as_json, title="drill", single=True)


@drill_app.command("list")
def list_drills(as_org: AsOrg, as_json: JsonOpt = False) -> None:
    """Drills the organisation organised or was drilled by, newest first."""
    with session_scope() as session:
        rows = [drill_row(drills.scorecard(session, clock(), d))
                for d in drills.list_drills(session, _principal(session, as_org))]
    output(rows, as_json=as_json, title="drills")


@drill_app.command("show")
def show(drill_id: Id, as_org: AsOrg, as_json: JsonOpt = False) -> None:
    """A drill's scorecard: the seconds from sending to each step, and what to fix."""
    with session_scope() as session:
        card = drills.scorecard(session, clock(), drills.get_drill(session, _principal(session, as_org), drill_id))
        row = {**drill_row(card), **{f"seconds_to_{k}": v for k, v in card.times().items()},
               "webhook": card.webhook, "what_to_fix": " | ".join(a.text for a in card.advice)}
    output([row], as_json=as_json, title="drill", single=True)
