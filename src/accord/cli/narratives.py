"""``accord campaign create|list|import|report``: counter-narrative campaigns from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli import context
from accord.cli.options import ORG_HELP, JsonOpt, org_option
from accord.errors import InvalidInput
from accord.identity import service as identity
from accord.narratives import service
from accord.narratives.models import Campaign

campaign_app = typer.Typer(help="Counter-narrative campaigns: create, import daily figures, report impact.")


def campaign_row(campaign: Campaign) -> dict[str, object]:
    """The columns ``list`` and ``create`` print."""
    return {"id": campaign.id, "org_id": campaign.org_id, "name": campaign.name, "goal": campaign.goal,
            "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
            "primary_outcome": campaign.experiment.get("primary_outcome")}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="file") from None


def _plan(spec: Path | None, name: str | None, goal: str, variants: list[str], segments: list[str]) -> dict[str, Any]:
    """The campaign document: a JSON file, or options (``--variant control:peer:text:control``)."""
    data: dict[str, Any] = {}
    if spec is not None:
        try:
            loaded = json.loads(_read(spec))
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{spec} is not valid JSON: {exc.msg} (line {exc.lineno})", field="file") from None
        if not isinstance(loaded, dict):
            raise InvalidInput("the campaign file must hold a JSON object", field="file")
        data = loaded
    if name is not None:
        data["name"] = name
    if goal:
        data["goal"] = goal
    if variants:
        data["variants"] = [_variant_option(text, i) for i, text in enumerate(variants)]
    if segments:
        data["segments"] = [_segment_option(text, i) for i, text in enumerate(segments)]
    return data


def _variant_option(text: str, index: int) -> dict[str, Any]:
    parts = text.split(":")
    if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] != "control"):
        raise InvalidInput("write a variant as key:messenger:format[:control]", field=f"variants[{index}]")
    return {"key": parts[0], "messenger": parts[1], "format": parts[2], "control": len(parts) == 4}


def _segment_option(text: str, index: int) -> dict[str, Any]:
    parts = text.split(":")
    if len(parts) != 3:
        raise InvalidInput("write a segment as key:COUNTRY:language", field=f"segments[{index}]")
    return {"key": parts[0], "country": parts[1] or None, "language": parts[2] or None}


@campaign_app.command("create")
def create(
    org: Annotated[str, org_option(f"{ORG_HELP} (civil society, authority or provider)")],
    spec: Annotated[Path | None, typer.Argument(help="JSON file as for POST /v1/campaigns")] = None,
    name: Annotated[str | None, typer.Option(help="Campaign name")] = None,
    goal: Annotated[str, typer.Option(help="A measurable goal")] = "",
    variant: Annotated[list[str] | None, typer.Option(help="key:messenger:format[:control], repeatable")] = None,
    segment: Annotated[list[str] | None, typer.Option(help="key:COUNTRY:language, repeatable")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a campaign from a JSON file or from options."""
    data = _plan(spec, name, goal, variant or [], segment or [])
    with context.session_scope() as session:
        org_id = identity.get_organisation(session, org).id
        row = campaign_row(service.create_campaign(session, context.clock(), context.OPERATOR, org_id=org_id,
                                                   data=data))
    context.output([row], as_json=as_json, title="campaign", single=True)


@campaign_app.command("list")
def list_campaigns(
    org: Annotated[str | None, org_option("Only this organisation (id or name)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List campaigns."""
    with context.session_scope() as session:
        org_id = identity.get_organisation(session, org).id if org else None
        rows = [campaign_row(c) for c in service.list_campaigns(session, org_id)]
    context.output(rows, as_json=as_json, title="campaigns")


@campaign_app.command("import")
def import_figures(
    campaign_id: Annotated[str, typer.Argument(metavar="ID", help="Campaign id")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV: date,variant,segment,impressions,clicks,...")],
    as_json: JsonOpt = False,
) -> None:
    """Import daily figures; re-importing the same rows changes nothing. Problems are listed line by line."""
    text = _read(file)
    try:
        with context.session_scope() as session:
            result = service.import_figures_csv(session, context.clock(), context.OPERATOR, org_id=None,
                                                campaign_id=campaign_id, text=text)
    except InvalidInput as exc:
        _print_problems(exc)
        raise
    context.output([result.to_dict()], as_json=as_json, title="import", single=True)


def _print_problems(exc: InvalidInput) -> None:
    for problem in exc.extra.get("problems", []):
        context.err_console.print(f"line {problem['line']}, {problem['field'] or 'row'}: {problem['message']}",
                                  highlight=False, soft_wrap=True)


@campaign_app.command("report")
def report(
    campaign_id: Annotated[str, typer.Argument(metavar="ID", help="Campaign id")],
    as_json: JsonOpt = False,
) -> None:
    """The impact report: rates with Wilson intervals, P(beats control), the three questions, stop rules."""
    with context.session_scope() as session:
        data = service.impact(session, None, campaign_id)
        data["allocation"] = service.allocation(session, None, campaign_id)
    if as_json:
        context.console.print_json(json.dumps(data, default=str))
        return
    context.output([_cell_row(cell) for cell in data["cells"]], as_json=False, title="impact")
    verdict = data["stop_rules"]
    context.console.print(f"stop rules ({data['primary_outcome']}): {verdict['verdict']}"
                          + (f", winner {verdict['winner']}" if verdict["winner"] else ""), highlight=False)


def _cell_row(cell: dict[str, Any]) -> dict[str, object]:
    if cell["suppressed"]:
        return {"variant": cell["variant"], "segment": cell["segment"], "impressions": cell["impressions"],
                "clicks": "suppressed", "rate": "", "95% CI": "", "P(beats control)": ""}
    ci = f"{cell['ci_low']:.2%} to {cell['ci_high']:.2%}"
    beats = "" if cell["p_beats_control"] is None else f"{cell['p_beats_control']:.3f}"
    return {"variant": cell["variant"], "segment": cell["segment"], "impressions": cell["impressions"],
            "clicks": cell["clicks"], "rate": f"{cell['rate']:.2%}", "95% CI": ci, "P(beats control)": beats}
