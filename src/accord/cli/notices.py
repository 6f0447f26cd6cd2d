"""``accord notice send|import|list|answer|verify|annex``: the operator acts for one organisation (``--as``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from accord.cli.context import clock, console, output, session_scope, settings
from accord.cli.options import AsOrg, JsonOpt
from accord.db import make_engine, make_sessionmaker
from accord.errors import InvalidInput
from accord.flows import decisions as flows
from accord.identity import service as identity
from accord.identity.scopes import ALL_SCOPES
from accord.identity.service import Principal
from accord.identity.signing import verify_document
from accord.notices import annex, batch, feedback, service
from accord.notices.annex_pdf import render
from accord.notices.models import Notice

notice_app = typer.Typer(help="Removal orders, referrals, trusted flags, user reports and alerts.")


def _principal(session: Session, org_ref: str) -> Principal:
    org = identity.get_organisation(session, org_ref)
    return Principal(org_id=org.id, org_kind=org.kind, ref="cli:operator", scopes=frozenset(ALL_SCOPES))


def notice_row(notice: Notice) -> dict[str, Any]:
    return {"id": notice.id, "kind": notice.kind, "status": notice.status, "reference": notice.reference,
            "provider_id": notice.provider_id, "urls": notice.urls, "received_at": notice.received_at,
            "deadline_at": notice.deadline_at, "outcome": notice.outcome, "case_id": notice.case_id}


@notice_app.command("send")
def send(
    as_org: AsOrg,
    provider: Annotated[str, typer.Option(help="Provider id or name")],
    url: Annotated[list[str], typer.Option(help="Exact URL; repeat for several")],
    reasons: Annotated[str, typer.Option(help="Statement of reasons")],
    kind: Annotated[str, typer.Option(help="removal_order | referral | trusted_flag | alert")] = "removal_order",
    reference: Annotated[str, typer.Option()] = "",
    tco_type: Annotated[list[str] | None, typer.Option(help="TCO Art. 2(7) type; repeat for several")] = None,
    legal_basis: Annotated[str, typer.Option()] = "",
    redress_body: Annotated[str, typer.Option()] = "",
    redress_days: Annotated[int, typer.Option()] = 30,
    clause: Annotated[str, typer.Option(help="Terms clause (referrals, alerts)")] = "",
    emergency_reason: Annotated[str, typer.Option(help="Marks a first order an emergency")] = "",
    issued_at: Annotated[str, typer.Option(help="Annex I A: ISO 8601 time of issue with its time zone")] = "",
    authority_type: Annotated[str, typer.Option(help="Annex I E: judicial | law_enforcement | other")] = "",
    file_number: Annotated[str, typer.Option(help="Annex I E: the authority's file number")] = "",
    signatory: Annotated[str, typer.Option(help="Annex I E: who certifies the order")] = "",
    signatory_post: Annotated[str, typer.Option(help="Annex I E: the signatory's post")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Send one notice; the provider's clock starts now."""
    data: dict[str, Any] = {"kind": kind, "urls": url, "reasons": reasons}
    if reference:
        data["reference"] = reference
    if kind == "removal_order":
        data.update(tco_types=tco_type or [], legal_basis=legal_basis,
                    redress={"body": redress_body, "deadline_days": redress_days})
        if emergency_reason:
            data.update(emergency=True, emergency_reason=emergency_reason)
        annex_fields = {"issued_at": issued_at, "authority_type": authority_type, "file_number": file_number,
                        "signatory": {"name": signatory, "post": signatory_post} if signatory else None}
        data.update({k: v for k, v in annex_fields.items() if v})
    elif tco_type:
        data["tco_types"] = tco_type
    if clause:
        data["clause"] = clause
    with session_scope() as session:
        data["provider_id"] = identity.get_organisation(session, provider).id
        notice = service.receive(session, clock(), settings(), _principal(session, as_org), data)
        row = notice_row(notice)
    output([row], as_json=as_json, title="notice", single=True)


def _format(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    if path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    if path.suffix.lower() == ".json":
        return "annex-i"
    raise InvalidInput("say --format csv, jsonl or annex-i (the file name does not tell)", field="format")


@notice_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV, JSON lines, or an Annex I .json")],
    as_org: AsOrg,
    fmt: Annotated[str | None, typer.Option("--format", help="csv | jsonl | annex-i (default: from the suffix)")]
    = None,
    atomic: Annotated[bool, typer.Option(help="Keep nothing unless every line is accepted")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import a batch with a report per line (exits 2 when any line was refused), or one removal order from an
    Annex I JSON document made by another system (``--format annex-i``, the default for ``.json``)."""
    if _format(file, fmt) == "annex-i":
        _import_annex_i(file, as_org, as_json)
        return
    lines = batch.parse(file.read_text(encoding="utf-8-sig"), _format(file, fmt))
    if atomic:
        with session_scope() as session:
            report = batch.import_batch(session, clock(), settings(), _principal(session, as_org), lines, atomic=True)
    else:
        with session_scope() as session:
            principal = _principal(session, as_org)
        engine = make_engine(settings().database_url, pool=False)
        try:
            report = batch.import_in_chunks(make_sessionmaker(engine), clock(), settings(), principal, lines)
        finally:
            engine.dispose()
    rows = [{"line": r.line, "accepted": r.accepted, "notice_id": r.notice_id, "field": r.field, "error": r.error}
            for r in report.lines]
    if as_json:
        output([{"accepted": report.accepted, "refused": report.refused, "kept": report.kept, "lines": rows}],
               as_json=True, single=True)
    else:
        output([r for r in rows if not r["accepted"]], as_json=False, title="refused lines")
        console.print(f"{report.accepted} accepted, {report.refused} refused"
                      + ("" if report.kept else " (atomic: nothing kept)"))
    if report.refused:
        raise typer.Exit(2)


@notice_app.command("list")
def list_notices(
    as_org: AsOrg,
    kind: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Notices the organisation sent or received, newest first."""
    with session_scope() as session:
        principal = _principal(session, as_org)
        rows = [notice_row(n) for n in service.list_notices(session, principal, kind=kind, status=status,
                                                            limit=limit)]
    output(rows, as_json=as_json, title="notices")


@notice_app.command("answer")
def answer(
    notice_id: Annotated[str, typer.Argument(help="The notice to answer")],
    as_org: AsOrg,
    outcome: Annotated[str, typer.Option(help="removed | disabled | no_action | cannot_comply")],
    countries: Annotated[list[str] | None, typer.Option(
        "--countries", help="disabled: ISO 3166-1 alpha-2, repeat or comma-separate (an order: all Member States)")
    ] = None,
    reasons: Annotated[str, typer.Option(help="The facts relied on; needed for no_action")] = "",
    ground: Annotated[str | None, typer.Option(
        help="cannot_comply: the Annex III ground; otherwise the clause or law relied on")] = None,
    explanation: Annotated[str, typer.Option(help="cannot_comply: the explanation (Annex III)")] = "",
    uploader: Annotated[str | None, typer.Option(help="Who posted the content, to be told (TCO Art. 11)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The provider answers a notice: a decision with its statement of reasons, preservation and user notice,
    or cannot_comply on an Annex III ground (not a decision on the content)."""
    named = tuple(c.strip() for value in countries or [] for c in value.split(",") if c.strip())
    data = flows.Answer(outcome=outcome, countries=named, reasons=reasons, ground=ground,
                        explanation=explanation, uploader=uploader)
    with session_scope() as session:
        notice = flows.answer_notice(session, clock(), _principal(session, as_org), notice_id, data,
                                    settings=settings())
        row = {**notice_row(notice), "decision_id": _decision_id(session, notice)}
    output([row], as_json=as_json, title="notice", single=True)


def _decision_id(session: Session, notice: Notice) -> str | None:
    decision = flows.decision_of(session, notice)
    return decision.id if decision is not None else None


# ---- TCO Annex I/II/III documents -----------------------------------------------------------------------------


def _document(file: Path) -> dict[str, Any]:
    try:
        doc = json.loads(file.read_text(encoding="utf-8-sig"))
    except ValueError:
        raise InvalidInput(f"{file.name} is not JSON", field="file") from None
    if not isinstance(doc, dict):
        raise InvalidInput(f"{file.name} is not a JSON object", field="file")
    return doc


def _import_annex_i(file: Path, as_org: str, as_json: bool) -> None:
    with session_scope() as session:
        notice = annex.import_order(session, clock(), settings(), _principal(session, as_org), _document(file))
        row = notice_row(notice)
    output([row], as_json=as_json, title="imported order", single=True)


@notice_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An Annex I, II or III JSON document")],
    public_key: Annotated[str | None, typer.Option(help="The signer's public key (base64) you pinned")] = None,
) -> None:
    """Check a document's Ed25519 signature offline: prints OK and the signer, or exits non-zero with the reason."""
    doc = _document(file)
    checked = verify_document(doc, public_key)
    signer, section_a = checked.signer, doc.get("section_a")
    reference = doc.get("reference") or (section_a.get("reference") if isinstance(section_a, dict) else None)
    console.print(f"OK: Annex {doc.get('annex') or '-'} {reference or doc.get('notice_id') or ''} "
                  f"signed by {signer.get('name')} ({signer.get('organisation_id')}, {signer.get('role')}), "
                  f"key fingerprint {checked.fingerprint}", highlight=False, soft_wrap=True)


@notice_app.command("annex")
def annex_document(
    notice_id: Annotated[str, typer.Argument(help="The notice")],
    as_org: AsOrg,
    out: Annotated[Path, typer.Option(help="Where to write: .pdf, or .json for the signed document")],
    feedback_record: Annotated[bool, typer.Option("--feedback", help="Annex II/III feedback instead of Annex I")]
    = False,
) -> None:
    """Write a removal order's Annex I (or its Annex II/III feedback) as signed JSON or as PDF."""
    pdf = out.suffix.lower() == ".pdf"
    with session_scope() as session:
        who, now, conf = _principal(session, as_org), clock(), settings()
        if feedback_record:
            record = feedback.feedback(session, now, conf, who, notice_id)
            content = render(feedback.printable(record)) if pdf else None
        else:
            record = annex.annex_i(session, now, conf, who, notice_id)
            content = render(annex.printable(record)) if pdf else None
    if content is None:
        out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        out.write_bytes(content)
    console.print(f"wrote {out}", highlight=False)
