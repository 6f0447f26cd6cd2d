"""``accord hash``, ``accord match``, ``accord bank ...`` and ``accord exchange ...``.

``hash`` and ``match`` print one JSON line per file (``{"file": ..., "signals"|"matches": [...]}``), the form
outside tools rely on. Commands that act for an organisation take ``--org`` (id or name) and default to the
instance's coordinator.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.banks import service
from accord.banks.files import limits_for, read_csv, signals_for_bank, write_csv
from accord.banks.service import EntryDetails
from accord.cli.context import clock, err_console, output, session_scope, settings
from accord.cli.options import ORG_HELP, JsonOpt, org_option
from accord.errors import DomainError, InvalidInput, PayloadTooLarge
from accord.exchange import pull as exchange_pull
from accord.exchange.imports import EXCHANGES, exchange_for, import_exchange
from accord.flows import decisions as flows
from accord.matching import lookup
from accord.matching.service import Matcher
from accord.signals import hash_media

bank_app = typer.Typer(help="Hash banks: create, add files, import and export CSV, list.")
exchange_app = typer.Typer(help="Exchange: pull another Accord instance's feed, import pytx exchanges.")

OrgOpt = Annotated[str | None, org_option(f"{ORG_HELP} (default: the coordinator)")]
LabelOpt = Annotated[list[str] | None, typer.Option("--label", help="GIFCT behaviour label; repeat for several")]
Files = Annotated[list[Path], typer.Argument(help="Files to read", exists=True, dir_okay=False)]


def _line(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, sort_keys=False) + "\n")


def hash_files(files: Files) -> None:
    """Hash files: one JSON line per file with its signals (PDQ for photos, MD5, SHA-256, video MD5)."""
    limits = limits_for(settings())
    failed = False
    for path in files:
        try:
            signals = [{"type": s.type, "value": s.value, "quality": s.quality, "indexable": s.indexable}
                       for s in hash_media(path.read_bytes(), limits=limits)]
            _line({"file": str(path), "signals": signals})
        except DomainError as exc:
            failed = True
            _line({"file": str(path), "error": exc.detail})
    if failed:
        raise typer.Exit(code=2)


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
        for path in files:
            try:
                signals = lookup.signals_of_upload(path.read_bytes(), limits_for(cfg))
                outcome = lookup.match_content(session, clock(), matcher, principal, signals, bank_refs=bank or [],
                                               record_matches=record, decide=flows.decide,
                                               flood_limit=cfg.flood_matches_per_entry_per_hour)
                _line({"file": str(path), "matches": [m.as_dict(principal.org_id) for m in outcome.matches],
                       "suppressed_by": [m.as_dict(principal.org_id) for m in outcome.suppressed_by],
                       "case_id": outcome.case_id})
            except (InvalidInput, PayloadTooLarge) as exc:  # this file is refused; the others still match
                failed = True
                _line({"file": str(path), "matches": [], "error": exc.detail})
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
def bank_import(name: str, file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
                org: OrgOpt = None, as_json: JsonOpt = False) -> None:
    """Import a CSV of ``signal_type,signal_value,labels``; bad rows are refused with their reason."""
    added, refused = 0, []
    with session_scope() as session:
        principal = service.principal_for(session, org)
        bank = service.get_bank(session, principal.org_id, name)
        for row in read_csv(file.read_text(encoding="utf-8")):
            if row.signal is None:
                refused.append({"line": row.line, "reason": row.error})
                continue
            added += len(service.add_entries(session, clock(), principal, bank, [row.signal], row.details))
    for item in refused:
        err_console.print(f"line {item['line']}: {item['reason']}", highlight=False, soft_wrap=True)
    output([{"bank": name, "added": added, "refused": len(refused)}], as_json=as_json, title="import", single=True)


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
