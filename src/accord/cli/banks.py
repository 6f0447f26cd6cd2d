"""``accord match``, ``accord bank ...`` and ``accord exchange ...``.

``match`` prints one JSON line per file (``{"file": ..., "matches": [...]}``), the form
outside tools rely on. Commands that act for an organisation take ``--org`` (id or name) and default to the
instance's coordinator.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from accord.banks import ingest, service
from accord.banks.files import limits_for, read_rows, signals_for_bank, write_csv
from accord.banks.service import EntryDetails
from accord.cli import pool
from accord.cli.context import clock, err_console, output, session_factory, session_scope, settings
from accord.cli.options import ORG_HELP, JsonOpt, org_option
from accord.db import unit_of_work
from accord.errors import InvalidInput, PayloadTooLarge
from accord.exchange import pull as exchange_pull
from accord.exchange.imports import EXCHANGES, exchange_for, import_exchange
from accord.flows import decisions as flows
from accord.matching import lookup
from accord.matching.service import Matcher
from accord.signals import MediaLimits

bank_app = typer.Typer(help="Hash banks: create, add files, import and export CSV, list.")
exchange_app = typer.Typer(help="Exchange: pull another Accord instance's feed, import pytx exchanges.")

OrgOpt = Annotated[str | None, org_option(f"{ORG_HELP} (default: the coordinator)")]
LabelOpt = Annotated[list[str] | None, typer.Option("--label", help="GIFCT behaviour label; repeat for several")]
Files = Annotated[list[Path], typer.Argument(help="Files to read", exists=True, dir_okay=False)]


def _line(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, sort_keys=False) + "\n")


def _signals_of(path: Path, limits: MediaLimits) -> list[lookup.QuerySignal] | str:
    """The signals to look up for one file, or why it is refused (run in a worker process)."""
    try:
        return lookup.signals_of_upload(path.read_bytes(), limits)
    except (InvalidInput, PayloadTooLarge) as exc:
        return exc.detail


def _signals_crashed(path: Path) -> str:
    return "the process hashing this file died (a decoder crash or out of memory)"


def match_files(
    files: Files,
    bank: Annotated[list[str] | None, typer.Option("--bank", help="Only this bank; repeat for several")] = None,
    org: OrgOpt = None,
    record: Annotated[bool, typer.Option(help="For a provider: open or join a case per match")] = True,
) -> None:
    """Match files against the banks the organisation may use: one JSON line per file with its matches."""
    cfg = settings()
    matcher = Matcher.open(cfg.index_snapshot_dir)
    failed = False
    with session_scope() as session:
        principal = service.principal_for(session, org)
        if matcher.refresh(session).changes:
            matcher.save_snapshot()  # the next run starts from here
        work = functools.partial(_signals_of, limits=limits_for(cfg))  # hashed on every core, matched here
        for path, signals in pool.map_files(work, files, on_crash=_signals_crashed, console=err_console):
            try:
                if isinstance(signals, str):
                    raise InvalidInput(signals, field="file")
                outcome = lookup.match_content(session, clock(), matcher, principal, signals, bank_refs=bank or [],
                                               record_matches=record, decide=flows.decide,
                                               flood_limit=cfg.flood_matches_per_entry_per_hour)
            except (InvalidInput, PayloadTooLarge) as exc:  # this file is refused; the others still match
                failed = True
                _line({"file": str(path), "matches": [], "error": exc.detail})
                continue
            _line({"file": str(path), "matches": [m.as_dict(principal.org_id) for m in outcome.matches],
                   "suppressed_by": [m.as_dict(principal.org_id) for m in outcome.suppressed_by],
                   "case_id": outcome.case_id})
    if failed:
        raise typer.Exit(code=2)


def _bank_row(bank: Any, counts: dict[str, int]) -> dict[str, object]:
    return {"id": bank.id, "name": bank.name, "org_id": bank.org_id, "kind": bank.kind,
            "visibility": bank.visibility, "active": counts.get("active", 0),
            "quarantined": counts.get("quarantined", 0), "matches": counts.get("matches", 0)}


@bank_app.command("create")
def bank_create(
    name: str,
    org: OrgOpt = None,
    kind: Annotated[str, typer.Option(help="positive | negative (allow-list)")] = "positive",
    visibility: Annotated[str, typer.Option(help="private | shared | all")] = "private",
    share_with: Annotated[list[str] | None, typer.Option(help="Organisation id (visibility shared)")] = None,
    description: str = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a bank owned by an organisation."""
    with session_scope() as session:
        principal = service.principal_for(session, org)
        bank = service.create_bank(session, clock(), principal, name=name, kind=kind, visibility=visibility,
                                   shared_with=share_with or [], description=description)
        row = _bank_row(bank, {})
    output([row], as_json=as_json, title="bank", single=True)


@bank_app.command("list")
def bank_list(org: OrgOpt = None, as_json: JsonOpt = False) -> None:
    """Banks the organisation may use, with entry and match counts."""
    with session_scope() as session:
        principal = service.principal_for(session, org)
        banks = service.visible_banks(session, principal.org_id)
        counts = service.bank_counts(session, [b.id for b in banks])
        rows = [_bank_row(b, counts[b.id]) for b in banks]
    output(rows, as_json=as_json, title="banks")


@bank_app.command("add")
def bank_add(
    name: str,
    files: Files,
    label: LabelOpt = None,
    incident: Annotated[list[str] | None, typer.Option(help="Incident tag; repeat for several")] = None,
    entity: Annotated[str | None, typer.Option(help="The terrorist entity")] = None,
    list_source: Annotated[str | None, typer.Option(help="un | eu | national")] = None,
    note: str = "",
    org: OrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hash files and add their signals to a bank (photos also get crop variants for edit robustness)."""
    details = EntryDetails(labels=label or [], incident_tags=incident or [], entity=entity,
                           list_source=list_source, note=note)
    rows: list[dict[str, object]] = []
    with session_scope() as session:
        principal = service.principal_for(session, org)
        bank = service.get_bank(session, principal.org_id, name)
        for path in files:
            signals = signals_for_bank(path.read_bytes(), limits_for(settings()))
            for entry in service.add_entries(session, clock(), principal, bank, signals, details):
                rows.append({"file": str(path), "entry_id": entry.id, "signal_type": entry.signal_type,
                             "value": entry.value, "state": entry.state})
    output(rows, as_json=as_json, title="entries added")


@bank_app.command("import")
def bank_import(
    name: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    org: OrgOpt = None,
    resume: Annotated[str | None, typer.Option(help="Continue an interrupted import: its id, printed as it began")]
    = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="Rows per transaction and per audit event")]
    = ingest.CHUNK_ROWS,
    as_json: JsonOpt = False,
) -> None:
    """Import a CSV of ``signal_type,signal_value,labels``, streamed in chunks (each one transaction and one
    audit event); bad rows are refused with their line and reason, the others go in. A hash already in the bank
    is never added twice; an interrupted import continues with ``--resume ID``."""
    with session_factory() as factory:
        with unit_of_work(factory) as session:
            principal = service.principal_for(session, org)
            bank = service.get_bank(session, principal.org_id, name)
            run = ingest.begin_import(session, clock(), principal, bank, source=file.name, resume=resume)
        err_console.print(f"import {run.import_id} (if interrupted: --resume {run.import_id})", highlight=False)
        total = run.done or ingest.ChunkResult()
        try:
            rows = read_rows(_lines_with_progress(file))
            chunks = ingest.chunked(rows, size=chunk_size, after_line=run.after_line, first_number=run.next_chunk)
            for chunk in ingest.ahead(chunks):
                for row in chunk.refused:
                    err_console.print(f"line {row.line}: {row.error}", highlight=False, soft_wrap=True)
                with unit_of_work(factory) as session:
                    total += ingest.write_chunk(session, clock(), principal, run, chunk)
        except UnicodeDecodeError:
            raise InvalidInput(f"{file.name} is not UTF-8 text", field="file") from None
    output([{"bank": name, "import_id": run.import_id, "added": total.added, "duplicates": total.duplicates,
             "refused": total.refused, "chunks": total.chunks}], as_json=as_json, title="import", single=True)


def _lines_with_progress(path: Path) -> Iterator[str]:
    """The file's lines as they are read, with a progress bar on a terminal (by characters read)."""
    columns = (TextColumn("importing"), BarColumn(), TaskProgressColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True, disable=not err_console.is_terminal) as progress, \
            path.open(encoding="utf-8", newline="") as handle:
        task = progress.add_task("import", total=path.stat().st_size)
        read = 0
        for number, line in enumerate(handle):
            read += len(line)
            if number % 20_000 == 0:
                progress.update(task, completed=read)
            yield line
        progress.update(task, completed=read)


@bank_app.command("verify-import")
def bank_verify_import(import_id: str, org: OrgOpt = None, as_json: JsonOpt = False) -> None:
    """Recompute each chunk's digest of an import from the stored entries; exit 1 if one differs."""
    with session_scope() as session:
        principal = service.principal_for(session, org)
        checks = ingest.verify_import(session, principal.org_id, import_id)
    output([{"chunk": c.chunk, "added": c.added, "ok": c.ok, "reason": c.reason} for c in checks],
           as_json=as_json, title=f"import {import_id}")
    if not all(c.ok for c in checks):
        raise typer.Exit(code=1)


@bank_app.command("export")
def bank_export(name: str, org: OrgOpt = None) -> None:
    """Print a bank's active entries as CSV (``signal_type,signal_value,labels``)."""
    with session_scope() as session:
        principal = service.principal_for(session, org)
        text = write_csv(session, service.get_bank(session, principal.org_id, name))
    sys.stdout.write(text)


@exchange_app.command("pull")
def exchange_pull_command(
    url: str,
    api_key: Annotated[str, typer.Option(envvar="ACCORD_EXCHANGE_API_KEY", help="A key on the other instance")],
    bank: Annotated[str, typer.Option(help="Local bank to pull into (created private if missing)")] = "pulled",
    public_key: Annotated[str | None, typer.Option(help="Pin this Ed25519 key (hex) instead of the first seen")]
    = None,
    org: OrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pull another Accord instance's signed feed into a local bank, from the cursor reached last time."""
    with session_scope() as session:
        principal = service.principal_for(session, org)
        result = exchange_pull.pull(session, clock(), settings(), principal, url=url, api_key=api_key,
                                    bank_name=bank, public_key=public_key)
    for reason in result.refused:
        err_console.print(f"refused: {reason}", highlight=False, soft_wrap=True)
    output([{"bank": bank, "upserted": result.upserted, "removed": result.removed,
             "refused": len(result.refused), "cursor": result.cursor, "pages": result.pages}],
           as_json=as_json, title="pull", single=True)


@exchange_app.command("import")
def exchange_import_command(
    bank: str,
    api: Annotated[str, typer.Option(help=" | ".join(EXCHANGES) + "; credentials as pytx reads them")]
    = "sample",
    file: Annotated[Path | None, typer.Option(help="The signal file (local_file): `<type> <value>` per line")]
    = None,
    org: OrgOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import from a python-threatexchange exchange into a bank (entries wait in quarantine by default)."""
    exchange, collab = exchange_for(api, file)
    with session_scope() as session:
        principal = service.principal_for(session, org)
        target = service.get_bank(session, principal.org_id, bank)
        result = import_exchange(session, clock(), principal, target, exchange, collab)
    for reason in result.refused:
        err_console.print(f"refused: {reason}", highlight=False, soft_wrap=True)
    output([{"bank": bank, "added": result.added, "refused": len(result.refused)}], as_json=as_json,
           title="import", single=True)
