"""``accord db``, ``serve``, ``worker``, ``demo``, ``audit``, ``jobs``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from accord import demo as demo_service
from accord import migrate
from accord.audit import service as audit
from accord.cli.context import OPERATOR, clock, console, err_console, output, session_scope, settings
from accord.cli.options import JsonOpt
from accord.db import make_engine, make_sessionmaker
from accord.jobs import lifeline
from accord.jobs import service as jobs
from accord.jobs.worker import Worker
from accord.web.observability import configure_logging

db_app = typer.Typer(help="The database schema.")
audit_app = typer.Typer(help="The hash-chained audit trail.")
jobs_app = typer.Typer(help="Background jobs and dead letters.")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "heads") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    migrate.upgrade(settings().database_url, revision)
    console.print(f"database at [bold]{revision}[/bold]")


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    role: Annotated[str, typer.Option(help="api (API + UI) | matcher (matching only) | all (API + UI + worker)")]
    = "all",
) -> None:
    """Serve the API and UI; with --role all, also run one worker process beside it."""
    from accord.app import create_app

    if role not in ("api", "matcher", "all"):
        raise typer.BadParameter("role must be api, matcher or all", param_hint="--role")
    cfg = settings()
    configure_logging(cfg)
    worker = _spawn_worker() if role == "all" else None
    try:
        # No `server` header (do not announce the software), and no X-Forwarded-For rewriting by uvicorn: only
        # the `trusted_proxies` setting decides whom to believe (web/ratelimit.py).
        uvicorn.run(create_app(cfg, role=role), host=host or cfg.host, port=port or cfg.port,
                    log_config=None, access_log=False, server_header=False, proxy_headers=False)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=10)


def _spawn_worker() -> subprocess.Popen[bytes]:
    """The worker beside ``serve``; it stops when this process dies, however it dies (``jobs.lifeline``)."""
    command = [sys.executable, "-m", "accord", "worker", "--parent", str(os.getpid())]
    return subprocess.Popen(command, env=os.environ.copy())  # noqa: S603 - our own interpreter and arguments


def worker(
    once: Annotated[bool, typer.Option(help="Run the due jobs, then stop")] = False,
    parent: Annotated[int | None, typer.Option(
        help="Stop when the process with this id (the `accord serve` that started the worker) is gone")] = None,
) -> None:
    """Claim and run background jobs (webhooks, escalations, purges) until stopped."""
    alive = lifeline.tie_to(parent) if parent is not None else (lambda: True)
    if not alive():
        raise typer.Exit(0)  # the parent died before the worker had started
    cfg = settings()
    configure_logging(cfg)
    engine = make_engine(cfg.database_url)
    runner = Worker(make_sessionmaker(engine), clock(), cfg)
    if once:
        from accord.jobs.registry import load_all

        load_all()
        runner.run_duties(float("inf"))
        console.print(f"ran {runner.drain()} job(s)")
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    runner.serve_forever(alive=alive)


def demo(
    credentials_file: Annotated[Path, typer.Option(help="Where the demo's logins are also written")]
    = Path("var/demo-credentials.txt"),
) -> None:
    """Seed the demo world once; a second run changes nothing."""
    with session_scope() as session:
        world = demo_service.seed(session, clock(), settings())
    if world is None:
        console.print(f"[dim]demo already seeded; logins were printed when it was made ({credentials_file})[/dim]")
        return
    lines = [f"{c.kind:16} {c.org:34} {c.email:34} {c.password:18} {c.api_key}" for c in world.credentials]
    header = f"{'kind':16} {'organisation':34} {'login email':34} {'password':18} API key"
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    links = [f"{what}: {url}" for what, url in world.links]
    credentials_file.write_text("\n".join([header, *lines, *links]) + "\n")
    credentials_file.chmod(0o600)
    console.rule("[bold]Accord demo: these logins and keys are shown once[/bold]")
    console.print(header, *lines, sep="\n", soft_wrap=True)
    console.rule(f"[dim]also in {credentials_file} (delete it once noted)[/dim]")
    if links:  # capability links: only their hash is stored, so they are shown here, once
        console.print(*links, sep="\n", soft_wrap=True)


@audit_app.command("verify")
def audit_verify(as_json: JsonOpt = False) -> None:
    """Check the hash chain; name the first event that was edited, inserted or deleted."""
    with session_scope() as session:
        count, broken = audit.verify(session)
    if as_json:
        output([{"intact": count, "ok": broken is None, "first_break": None if broken is None else
                 {"seq": broken.seq, "id": broken.event_id, "reason": broken.reason}}], as_json=True, single=True)
    elif broken is None:
        console.print(f"audit chain intact: {count} events")
    if broken is not None:
        if not as_json:
            err_console.print(f"audit chain broken at event {broken.seq} ({broken.event_id}): {broken.reason}")
        raise typer.Exit(code=7)


@jobs_app.command("list")
def jobs_list(
    state: Annotated[str | None, typer.Option(help="pending | running | done | dead")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List recent jobs (all organisations); ``--state dead`` shows the dead letters."""
    with session_scope() as session:
        rows = [{"id": j.id, "kind": j.kind, "org_id": j.org_id, "state": j.state, "attempts": j.attempts,
                 "last_error": j.last_error} for j in jobs.list_jobs(session, org_id=None, state=state)]
    output(rows, as_json=as_json, title="jobs")


@jobs_app.command("retry")
def jobs_retry(job_id: str) -> None:
    """Give a dead-lettered job a fresh set of attempts."""
    with session_scope() as session:
        jobs.retry_dead(session, clock(), OPERATOR, job_id, None)
    console.print(f"job {job_id} queued again")
