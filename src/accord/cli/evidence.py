"""``accord evidence``: European Production and Preservation Orders (Regulation (EU) 2023/1543). The operator acts
for one organisation (``--as``); ``keygen`` and ``open`` run offline, on the authority's side, with its private
key, which never reaches the instance."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.context import clock, console, output, session_scope, settings
from accord.cli.notices import _principal
from accord.cli.options import AsOrg, JsonOpt
from accord.errors import InvalidInput
from accord.evidence import sealing, service
from accord.evidence.models import EvidenceOrder

evidence_app = typer.Typer(help="European Production and Preservation Orders (e-evidence, Regulation (EU) 2023/1543).")
key_app = typer.Typer(help="The issuing authority's public key, for which produced data is sealed.")
evidence_app.add_typer(key_app, name="key")
Id = Annotated[str, typer.Argument(help="The order id (epo_...)")]


def order_row(order: EvidenceOrder) -> dict[str, Any]:
    return {"id": order.id, "kind": order.kind, "status": order.status, "provider_id": order.provider_id,
            "categories": ",".join(order.data_categories), "emergency": order.emergency,
            "notified": bool(order.notification.get("required")), "deadline_at": order.deadline_at,
            "preserve_until": order.preserve_until, "package_id": order.answer.get("package_id")}


@evidence_app.command("keygen")
def keygen(out: Annotated[Path, typer.Option(help="Where to write the private key (created 0600)")]) -> None:
    """Make a key pair offline: the private key goes to ``--out``, the public key is printed to register."""
    public, private = sealing.generate()
    if out.exists():
        raise InvalidInput(f"{out} exists; choose another file", field="out")
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(private + "\n")
    console.print(public)


@key_app.command("register")
def key_register(as_org: AsOrg, public_key: Annotated[str, typer.Option(help="base64 X25519 public key")],
                 as_json: JsonOpt = False) -> None:
    with session_scope() as session:
        key = service.register_key(session, clock(), _principal(session, as_org), public_key)
        row = {"id": key.id, "fingerprint": key.fingerprint, "created_at": key.created_at}
    output([row], as_json=as_json, title="evidence key", single=True)


@evidence_app.command("issue")
def issue(
    as_org: AsOrg,
    provider: Annotated[str, typer.Option(help="Provider id")],
    category: Annotated[list[str], typer.Option(help="subscriber | ip_identification | traffic | content")],
    target: Annotated[list[str], typer.Option(help="Account identifier or URL; repeat for several")],
    issuer_type: Annotated[str, typer.Option(help="judge | court | investigating_judge | prosecutor | other")],
    offence: Annotated[list[str], typer.Option(help="The criminal offence; repeat for several")],
    legal_basis: Annotated[str, typer.Option()],
    kind: Annotated[str, typer.Option(help="production | preservation")] = "production",
    validated_by: Annotated[str | None, typer.Option(help="Who validated an order of another authority")] = None,
    emergency_reason: Annotated[str, typer.Option(help="Set for an emergency (8 hours)")] = "",
    max_sentence_years: Annotated[int | None, typer.Option()] = None,
    listed_offence: Annotated[str | None, typer.Option(help="terrorism | child_sexual_abuse | "
                                                            "non_cash_payment_fraud")] = None,
    resides_in_issuing_state: Annotated[bool, typer.Option("--resident")] = False,
    reference: Annotated[str, typer.Option()] = "",
    as_json: JsonOpt = False,
) -> None:
    """Issue an EPOC or EPOC-PR; Art. 4 and 5 refusals name the article."""
    with session_scope() as session:
        request = service.OrderRequest(
            kind=kind, provider_id=provider, data_categories=category, targets=target, issuer_type=issuer_type,
            offences=offence, legal_basis=legal_basis, validated_by=validated_by, emergency=bool(emergency_reason),
            emergency_reason=emergency_reason, max_sentence_years=max_sentence_years, listed_offence=listed_offence,
            resides_in_issuing_state=resides_in_issuing_state, reference=reference)
        row = order_row(service.issue(session, clock(), _principal(session, as_org), request))
    output([row], as_json=as_json, title="evidence order", single=True)


@evidence_app.command("list")
def list_orders(as_org: AsOrg, status: Annotated[str | None, typer.Option()] = None, as_json: JsonOpt = False) -> None:
    with session_scope() as session:
        rows = [order_row(o) for o in service.list_orders(session, _principal(session, as_org), status=status)]
    output(rows, as_json=as_json, title="evidence orders")


@evidence_app.command("answer")
def answer(
    order_id: Id, as_org: AsOrg,
    outcome: Annotated[str, typer.Option(help="produce | preserve | impossible")],
    file: Annotated[Path | None, typer.Option(help="The data to produce (sealed at once for the issuer)")] = None,
    ground: Annotated[list[str] | None, typer.Option(help="Annex III ground; repeat for several")] = None,
    explanation: Annotated[str, typer.Option()] = "",
    as_json: JsonOpt = False,
) -> None:
    """The provider's answer: produce a file, confirm preservation, or the impossibility form."""
    data = file.read_bytes() if file is not None else None
    reply = service.Answer(outcome=outcome, data=data, filename=file.name if file else "evidence.bin",
                           grounds=ground or [], explanation=explanation)
    with session_scope() as session:
        order = service.answer(session, clock(), settings(), _principal(session, as_org), order_id, reply)
        row = order_row(order)
    output([row], as_json=as_json, title="evidence order", single=True)


@evidence_app.command("notification-answer")
def notification_answer(order_id: Id, as_org: AsOrg,
                        answer_: Annotated[str, typer.Option("--answer", help="no_grounds | grounds_raised")],
                        ground: Annotated[list[str] | None, typer.Option(help="Art. 12(1) ground")] = None,
                        explanation: Annotated[str, typer.Option()] = "", as_json: JsonOpt = False) -> None:
    """The enforcing authority's answer to a notification (Art. 10(2), 12)."""
    with session_scope() as session:
        order = service.answer_notification(session, clock(), _principal(session, as_org), order_id,
                                            answer=answer_, grounds=ground or [], explanation=explanation)
        row = order_row(order)
    output([row], as_json=as_json, title="evidence order", single=True)


@evidence_app.command("extend")
def extend(order_id: Id, as_org: AsOrg, reason: Annotated[str, typer.Option()] = "",
           as_json: JsonOpt = False) -> None:
    """Extend a preservation by 30 days, once (Art. 11(1))."""
    with session_scope() as session:
        row = order_row(service.extend(session, clock(), _principal(session, as_org), order_id, reason=reason))
    output([row], as_json=as_json, title="evidence order", single=True)


@evidence_app.command("withdraw")
def withdraw(order_id: Id, as_org: AsOrg, reason: Annotated[str, typer.Option()] = "",
             as_json: JsonOpt = False) -> None:
    with session_scope() as session:
        row = order_row(service.withdraw(session, clock(), _principal(session, as_org), order_id, reason=reason))
    output([row], as_json=as_json, title="evidence order", single=True)


@evidence_app.command("download")
def download(package_id: Annotated[str, typer.Argument(help="The package id (evp_...)")], as_org: AsOrg,
             out: Annotated[Path, typer.Option(help="Where to write the sealed bytes")]) -> None:
    """The sealed package, for the authority it is sealed for (logged); open it with ``accord evidence open``."""
    with session_scope() as session:
        package = service.download(session, clock(), _principal(session, as_org), package_id)
        sealed, digest = package.sealed or b"", package.sha256
    out.write_bytes(sealed)
    console.print(f"{out}: {len(sealed)} bytes, sha256 {digest}")


@evidence_app.command("open")
def open_package(key: Annotated[Path, typer.Option(help="The authority's private key file")],
                 package: Annotated[Path, typer.Option(help="The sealed package")],
                 out: Annotated[Path, typer.Option(help="Where to write the data")]) -> None:
    """Open a sealed package offline with the private key (nothing is read from or sent to the instance)."""
    opened = sealing.open_sealed(key.read_text(), package.read_bytes())
    out.write_bytes(opened.data)
    console.print(f"{out}: {len(opened.data)} bytes ({opened.filename}, {opened.media_type})")


@evidence_app.command("stats")
def stats(as_org: AsOrg, year: Annotated[int, typer.Option()], as_json: JsonOpt = False) -> None:
    """The year's figures (Art. 28)."""
    with session_scope() as session:
        figures = service.statistics(session, _principal(session, as_org), year)
    rows = [{"figure": k, "value": str(v)} for k, v in figures.items()]
    output([figures] if as_json else rows, as_json=as_json, title=f"evidence orders {year}", single=as_json)
