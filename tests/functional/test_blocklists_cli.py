"""``accord blocklist ...`` against a real database: create, add (the guard refuses with one line and exit 2),
export to a file in every format, subscribe an operator, delist."""

from __future__ import annotations

import json
from pathlib import Path

import dns.zone
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import make_org


def _run(cli: CliRunner, *args: str) -> tuple[int, str]:
    result = cli.invoke(app, ["blocklist", *args])
    return result.exit_code, result.output


def test_an_authority_keeps_and_exports_a_list_from_the_command_line(
        cli: CliRunner, factory: sessionmaker[Session], clock: FrozenClock, tmp_path: Path) -> None:
    with unit_of_work(factory) as session:
        make_org(session, clock, "authority", name="IRU")
        make_org(session, clock, "network_operator", name="FibreNet")
    code, out = _run(cli, "create", "fr-dns", "--org", "IRU", "--legal-basis", "Décret 2015-253", "--json")
    assert code == 0, out
    assert json.loads(out)["serial"] == 1
    code, out = _run(cli, "add", "fr-dns", "propaganda.example", "--org", "IRU", "--subdomains", "--reason", "x",
                     "--json")
    assert code == 0 and json.loads(out)["state"] == "active"
    code, out = _run(cli, "add", "fr-dns", "youtube.com", "--org", "IRU", "--reason", "x")
    assert code == 2 and "send a removal order" in out and len(out.strip().splitlines()) <= 2
    zone_file = tmp_path / "fr-dns.rpz"
    code, out = _run(cli, "export", "fr-dns", "--format", "rpz", "--out", str(zone_file))
    assert code == 0, out
    origin = "fr-dns.rpz.accord.invalid."
    zone = dns.zone.from_text(zone_file.read_text(), origin=origin, relativize=False)
    assert zone.find_rdataset(origin, "SOA")[0].serial == 2
    assert zone.get_node(f"*.propaganda.example.{origin}") is not None
    for fmt in ("hosts", "csv", "json"):
        code, out = _run(cli, "export", "fr-dns", "--format", fmt, "--out", str(tmp_path / f"x.{fmt}"), "--org", "IRU")
        assert code == 0 and "propaganda.example" in (tmp_path / f"x.{fmt}").read_text()
    code, out = _run(cli, "subscribe", "fr-dns", "--org", "IRU", "--operator", "FibreNet", "--json")
    assert code == 0 and "/blocklists/feed/" in json.loads(out)["feed_rpz"]
    code, out = _run(cli, "delist", "fr-dns", "propaganda.example", "--org", "IRU", "--json")
    assert code == 0 and json.loads(out)["state"] == "delisted"
    code, out = _run(cli, "operators", "fr-dns", "--org", "IRU", "--json")
    assert json.loads(out)[0]["status"] == "pending" and json.loads(out)[0]["current_serial"] == 3
    code, out = _run(cli, "export", "nothing-here", "--format", "rpz")
    assert code == 4 and "no blocking list" in out
