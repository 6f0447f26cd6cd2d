"""The CLI contract outside tools rely on: ``accord hash``, ``accord bank ...``, ``accord match``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.banks import service
from accord.banks.service import EntryDetails, NewSignal
from accord.cli import context
from accord.cli.main import app
from accord.cli.main import app as app_cli
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.conftest import LiveServer
from tests.factories import make_org
from tests.helpers import json_lines
from tests.unit.banks.helpers import PDQ_A, mirrored, photo_bytes, principal


def test_hash_bank_match_import_export(banks_cli: CliRunner, tmp_path: Path) -> None:
    original, edited, other = tmp_path / "a.jpg", tmp_path / "a-mirrored.jpg", tmp_path / "b.jpg"
    original.write_bytes(photo_bytes(31))
    edited.write_bytes(mirrored(31))
    other.write_bytes(photo_bytes(99))

    hashed = banks_cli.invoke(app, ["hash", str(original)])
    assert hashed.exit_code == 0, hashed.output
    [line] = json_lines(hashed.output)
    assert line["file"] == str(original) and {s["type"] for s in line["signals"]} == {"pdq", "md5", "sha256"}  # type: ignore[union-attr]

    assert banks_cli.invoke(app, ["bank", "create", "tvec", "--visibility", "all"]).exit_code == 0
    added = banks_cli.invoke(app, ["bank", "add", "tvec", str(original), "--label", "glorification_of_terrorist_acts",
                             "--json"])
    assert added.exit_code == 0, added.output

    matched = banks_cli.invoke(app, ["match", str(edited), str(other), "--bank", "tvec", "--org", "Host"])
    assert matched.exit_code == 0, matched.output
    first, second = json_lines(matched.output)
    assert first["file"] == str(edited) and second == {**second, "file": str(other), "matches": []}
    [hit] = first["matches"]  # type: ignore[misc]
    assert {"bank", "entry_id", "signal_type", "distance", "labels"} <= set(hit)
    assert hit["bank"] == "tvec" and hit["labels"] == ["glorification_of_terrorist_acts"]
    assert first["case_id"], "a provider's match opens a case"
    assert list((tmp_path / "index").glob("snapshot-*")), "the run left a snapshot for the next one"

    csv_file = tmp_path / "list.csv"
    csv_file.write_text(f"signal_type,signal_value,labels\npdq,{PDQ_A},imminent_credible_threat\npdq,{'0' * 64},\n")
    imported = banks_cli.invoke(app, ["bank", "import", "tvec", str(csv_file), "--json"])
    assert imported.exit_code == 0, imported.output
    assert '"added": 1' in imported.output and '"refused": 1' in imported.output
    exported = banks_cli.invoke(app, ["bank", "export", "tvec"])
    assert f"pdq,{PDQ_A},imminent_credible_threat" in exported.output.splitlines()
    assert exported.output.startswith("signal_type,signal_value,labels")


def test_errors_are_one_line_and_non_zero(banks_cli: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(photo_bytes(2)[:300])
    answer = banks_cli.invoke(app, ["hash", str(broken)])
    assert answer.exit_code == 2 and "corrupt" in json_lines(answer.output)[0]["error"]  # type: ignore[operator]
    missing = banks_cli.invoke(app, ["bank", "add", "nope", str(broken)])
    assert missing.exit_code == 4


def test_exchange_pull_and_import(banks_cli: CliRunner, app: FastAPI, factory: sessionmaker[Session],
                                  clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_FETCH_ALLOW_PRIVATE", "true")  # the other instance listens on loopback here
    context.settings.cache_clear()
    with unit_of_work(factory) as session:
        hub = make_org(session, clock, "coordinator")
        peer = make_org(session, clock, "provider")
        owner = principal(hub)
        bank = service.create_bank(session, clock, owner, name="hub list", visibility="all")
        service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_A)], EntryDetails())
    with LiveServer(app) as server:
        pulled = banks_cli.invoke(app_cli, ["exchange", "pull", server.url, "--api-key", peer.key, "--bank", "hub",
                                      "--json"])
        assert pulled.exit_code == 0, pulled.output
        assert '"upserted": 1' in pulled.output
        again = banks_cli.invoke(app_cli, ["exchange", "pull", server.url, "--api-key", peer.key, "--bank", "hub",
                                     "--json"])
        assert '"upserted": 0' in again.output, "the cursor was kept"
    imported = banks_cli.invoke(app_cli, ["exchange", "import", "hub", "--api", "sample", "--json"])
    assert imported.exit_code == 0, imported.output
    listed = banks_cli.invoke(app_cli, ["bank", "list", "--json"])
    [row] = json.loads(listed.output)
    assert row["name"] == "hub" and row["quarantined"] > 1


def test_hash_and_match_many_files_on_every_core_in_order(banks_cli: CliRunner, tmp_path: Path) -> None:
    """More files than one batch: the process pool hashes them (accord/cli/pool.py), the lines keep the order
    of the files, a broken file is an error line among them, and a banked photo's mirror image still matches."""
    files = []
    for i in range(20):
        path = tmp_path / f"{i:02d}.jpg"
        path.write_bytes(photo_bytes(100 + i))
        files.append(path)
    files[7].write_bytes(mirrored(31))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(photo_bytes(5)[:300])
    files.insert(5, broken)
    original = tmp_path / "original.jpg"
    original.write_bytes(photo_bytes(31))

    hashed = banks_cli.invoke(app, ["hash", *map(str, files)])
    assert hashed.exit_code == 2, hashed.output
    lines = json_lines(hashed.output)
    assert [line["file"] for line in lines] == [str(f) for f in files]
    assert [i for i, line in enumerate(lines) if "error" in line] == [5]

    assert banks_cli.invoke(app, ["bank", "create", "many", "--visibility", "all"]).exit_code == 0
    assert banks_cli.invoke(app, ["bank", "add", "many", str(original)]).exit_code == 0
    matched = banks_cli.invoke(app, ["match", *map(str, files), "--bank", "many", "--org", "Host"])
    assert matched.exit_code == 2, matched.output
    lines = json_lines(matched.output)
    assert [line["file"] for line in lines] == [str(f) for f in files]
    assert [i for i, line in enumerate(lines) if line.get("error")] == [5]
    assert [i for i, line in enumerate(lines) if line["matches"]] == [8]  # the mirror image, after the broken one
