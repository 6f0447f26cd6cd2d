"""``accord evidence`` against a real database: keygen offline, register, issue, refuse (one line, non-zero exit,
the article), produce a file, download the sealed package and open it offline; extend a preservation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import make_org


def _json(cli: CliRunner, *args: str) -> Any:
    result = cli.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_issue_produce_download_open(cli: CliRunner, factory: sessionmaker[Session], clock: FrozenClock,
                                     tmp_path: Path) -> None:
    with unit_of_work(factory) as session:
        paris = make_org(session, clock, "authority", country="FR")
        host = make_org(session, clock, "provider", country="DE")
    private = tmp_path / "paris.key"
    made = cli.invoke(app, ["evidence", "keygen", "--out", str(private)])
    assert made.exit_code == 0, made.output
    assert private.stat().st_mode & 0o777 == 0o600
    public = made.output.strip()
    key = _json(cli, "evidence", "key", "register", "--as", paris.id, "--public-key", public)
    assert key["fingerprint"]
    common = ["evidence", "issue", "--as", paris.id, "--provider", host.id, "--target", "user:attacker42",
              "--offence", "terrorist offence", "--legal-basis", "CPP art. 60-1", "--max-sentence-years", "10"]
    refused = cli.invoke(app, [*common, "--category", "content", "--issuer-type", "prosecutor"])
    assert refused.exit_code == 2 and "Art. 4(2)" in refused.output and len(refused.output.strip().splitlines()) == 1
    order = _json(cli, *common, "--category", "subscriber", "--issuer-type", "prosecutor",
                  "--emergency-reason", "attack announced")
    assert order["emergency"] is True and order["status"] == "received"
    data = tmp_path / "subscriber.csv"
    data.write_bytes(b"account,name\nattacker42,Jean Exemple\n")
    produced = _json(cli, "evidence", "answer", order["id"], "--as", host.id, "--outcome", "produce",
                     "--file", str(data))
    assert produced["status"] == "produced"
    sealed, opened = tmp_path / "package.sealed", tmp_path / "opened.csv"
    got = cli.invoke(app, ["evidence", "download", produced["package_id"], "--as", paris.id, "--out", str(sealed)])
    assert got.exit_code == 0, got.output
    assert b"Jean Exemple" not in sealed.read_bytes()
    done = cli.invoke(app, ["evidence", "open", "--key", str(private), "--package", str(sealed), "--out", str(opened)])
    assert done.exit_code == 0, done.output
    assert opened.read_bytes() == data.read_bytes()
    denied = cli.invoke(app, ["evidence", "download", produced["package_id"], "--as", host.id,
                              "--out", str(tmp_path / "x")])
    assert denied.exit_code == 3


def test_preservation_extended_once(cli: CliRunner, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        paris = make_org(session, clock, "authority", country="FR")
        host = make_org(session, clock, "provider", country="DE")
    order = _json(cli, "evidence", "issue", "--as", paris.id, "--kind", "preservation", "--provider", host.id,
                  "--category", "content", "--target", "https://host.example/v/1", "--issuer-type", "prosecutor",
                  "--offence", "public provocation to commit a terrorist offence", "--legal-basis", "CPP")
    preserved = _json(cli, "evidence", "answer", order["id"], "--as", host.id, "--outcome", "preserve")
    assert preserved["status"] == "preserved"
    extended = _json(cli, "evidence", "extend", order["id"], "--as", paris.id, "--reason", "EPOC drafted")
    assert extended["preserve_until"] > order["preserve_until"]
    again = cli.invoke(app, ["evidence", "extend", order["id"], "--as", paris.id])
    assert again.exit_code == 5 and "Art. 11(1)" in again.output
    listed = _json(cli, "evidence", "list", "--as", host.id)
    assert [o["id"] for o in listed] == [order["id"]]
