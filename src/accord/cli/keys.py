"""``accord keys rotate``: new signing or preservation keys, the old ones kept for what they signed or encrypted."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.context import OPERATOR, clock, console, session_scope, settings
from accord.errors import InvalidInput
from accord.identity import signing
from accord.jobs import service as jobs
from accord.rights import preservation

keys_app = typer.Typer(help="The instance's signing and preservation keys.")


@keys_app.command("rotate")
def rotate(
    kind: Annotated[str, typer.Option("--kind", help="signing | preservation")],
    org: Annotated[list[str] | None, typer.Option(
        "--org", help="signing: only these organisations (default: every one that has a key)")] = None,
    reencrypt: Annotated[bool, typer.Option(
        help="preservation: queue a job that moves items under older keys to the new one")] = False,
) -> None:
    """Make a new active key. Retired keys stay: documents they signed still verify, items they encrypted still
    decrypt. Each rotation is an audit event."""
    if kind == "signing":
        if reencrypt:
            raise InvalidInput("--reencrypt applies to --kind preservation", field="reencrypt")
        with session_scope() as session:
            made = signing.rotate(session, clock(), settings(), OPERATOR, org or None)
            lines = [f"{key.org_id}: new signing key {key.id} ({signing.fingerprint(key.public_key)})" for key in made]
        console.print(*lines or ["no organisation has a signing key yet"], sep="\n")
        return
    if kind != "preservation":
        raise InvalidInput("--kind must be signing or preservation", field="kind")
    if org:
        raise InvalidInput("--org applies to --kind signing: the preservation key is the instance's", field="org")
    with session_scope() as session:
        key = preservation.rotate_key(session, clock(), settings(), OPERATOR)
        if reencrypt:
            jobs.enqueue(session, clock(), "rights.reencrypt_preserved", {"key_id": key.id})
        key_id = key.id
    console.print(f"new preservation key {key_id}" + ("; items under older keys are re-encrypted by the worker"
                                                      if reencrypt else "; older keys still decrypt their items"))
