"""``accord scan``: a retroactive scan of the organisation's content against its banks, on Dask."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from accord.banks.files import limits_for
from accord.banks.service import principal_for
from accord.cli.context import clock, err_console, output, settings
from accord.cli.options import ORG_HELP, JsonOpt, org_option
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.flows import decisions as flows
from accord.scans import service
from accord.scans.cluster import DaskRunner, connect
from accord.scans.models import Scan

Sources = Annotated[list[str] | None, typer.Argument(
    help="Directories, manifests (one path or URL a line) or fsspec URLs; none with --resume")]


def scan(
    sources: Sources = None,
    bank: Annotated[list[str] | None, typer.Option("--bank", help="Only this bank; repeat for several")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="A running Dask scheduler (tcp://HOST:8786); default: a LocalCluster here")] = None,
    shadow: Annotated[bool, typer.Option(
        "--shadow", help="Only count what would match, per bank and label; open no case")] = False,
    resume: Annotated[str | None, typer.Option("--resume", help="Resume the scan with this id")] = None,
    org: Annotated[str | None, org_option(f"{ORG_HELP} (default: the coordinator)")] = None,
    workers: Annotated[int | None, typer.Option(help="LocalCluster worker processes (default: one per core)")] = None,
    batch_size: Annotated[int, typer.Option(help="Items per Dask task")] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Scan what is already hosted against the banks: matches open cases labelled ``retroactive`` (a provider's),
    or with --shadow are only counted. Interrupted, it resumes with --resume ID."""
    cfg = settings()
    engine = make_engine(cfg.database_url, pool=False)
    factory = make_sessionmaker(engine)
    try:
        with unit_of_work(factory) as session:
            principal = principal_for(session, org)
            if resume:
                found = service.get_scan(session, principal.org_id, resume)
                service.resume_check(found, sources or [])
            else:
                found = service.start_scan(session, clock(), principal, sources_=sources or [], banks=bank or [],
                                           shadow=shadow, batch_size=batch_size)
        with connect(scheduler, workers=workers) as client, _bar() as bar:
            task = bar.add_task(f"scan {found.id}", total=None)

            def advance(current: Scan) -> None:
                bar.update(task, total=current.items_total, completed=current.items_done)

            done = service.run_scan(factory, clock(), principal, found.id, DaskRunner(client), settings=cfg,
                                    limits=limits_for(cfg), decide=flows.decide, progress=advance)
    finally:
        engine.dispose()
    output([summary(done)], as_json=as_json, title="Scan", single=True)


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console)


def summary(scan: Scan) -> dict[str, Any]:
    """What a scan found, as the command prints it."""
    return {"id": scan.id, "status": scan.status, "shadow": scan.shadow, "engine": scan.engine,
            "items": scan.items_done, "matched": scan.items_matched, "suppressed": scan.items_suppressed,
            "failed": scan.items_failed, "cases": scan.cases, "banks": scan.figures.get("banks", {}),
            "labels": scan.figures.get("labels", {})}
