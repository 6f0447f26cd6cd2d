"""``accord scan``: on a cluster started with the ``dask scheduler`` and ``dask worker`` commands, on the default
LocalCluster, shadow, resumed, and refused."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client
from sqlalchemy import select
from typer.testing import CliRunner

import accord
from accord.cases.models import Case
from accord.cli import context
from accord.cli.main import app
from accord.db import make_engine, make_sessionmaker
from accord.scans.models import Scan
from tests.conftest import free_port
from tests.unit.banks.helpers import photo_bytes
from tests.unit.scans.helpers import PLANTED, archive

DASK = str(Path(sys.executable).with_name("dask"))


def _wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until the scheduler listens (it is a process starting, not time passing: no clock to inject)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the dask scheduler exited"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("the dask scheduler did not start")


@pytest.fixture
def dask_scheduler(tmp_path: Path) -> Iterator[str]:
    """``dask scheduler`` and one ``dask worker`` (one thread) in their own processes; the scheduler's address."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(accord.__file__).parents[1])}  # the workers import this Accord
    common: dict[str, Any] = {"env": env, "cwd": tmp_path, "stdout": subprocess.DEVNULL,
                              "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], **common)
    worker = None
    try:
        _wait_for_port(port, scheduler)
        address = f"tcp://127.0.0.1:{port}"
        worker = subprocess.Popen([DASK, "worker", address, "--nworkers", "1", "--nthreads", "1",
                                   "--no-dashboard", "--local-directory", str(tmp_path)], **common)
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=120)
        yield address
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def _shared_bank(cli: CliRunner, tmp_path: Path) -> None:
    assert cli.invoke(app, ["bank", "create", "tvec", "--visibility", "all"]).exit_code == 0
    for seed in PLANTED:
        photo = tmp_path / f"bank-{seed}.jpg"
        photo.write_bytes(photo_bytes(seed))
        added = cli.invoke(app, ["bank", "add", "tvec", str(photo), "--label", "glorification_of_terrorist_acts"])
        assert added.exit_code == 0, added.output


def _scan(cli: CliRunner, *args: str) -> dict[str, Any]:
    result = cli.invoke(app, ["scan", *args, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_a_scan_on_a_cluster_started_with_the_dask_commands(banks_cli: CliRunner, tmp_path: Path,
                                                            dask_scheduler: str) -> None:
    _shared_bank(banks_cli, tmp_path)
    folder = archive(tmp_path / "archive", unrelated=2)
    done = _scan(banks_cli, str(folder), "--org", "Host", "--scheduler", dask_scheduler, "--batch-size", "3")
    assert done["engine"] == f"Dask {dask_scheduler}" and done["status"] == "finished"
    assert (done["items"], done["matched"], done["failed"], done["cases"]) == (8, 3, 2, 3)
    assert done["banks"] == {"tvec": 3} and done["labels"] == {"glorification_of_terrorist_acts": 3}
    engine = make_engine(context.settings().database_url)
    with make_sessionmaker(engine)() as session:
        cases = list(session.scalars(select(Case)))
        assert len(cases) == 3 and all("retroactive" in c.labels for c in cases)
    engine.dispose()


def test_a_shadow_scan_on_the_default_local_cluster_then_resumed(banks_cli: CliRunner, tmp_path: Path) -> None:
    _shared_bank(banks_cli, tmp_path)
    folder = archive(tmp_path / "archive", unrelated=1)
    done = _scan(banks_cli, str(folder), "--org", "Host", "--shadow", "--workers", "1")
    assert done["engine"].startswith("Dask LocalCluster") and (done["matched"], done["cases"]) == (3, 0)
    again = _scan(banks_cli, "--resume", done["id"], "--org", "Host", "--workers", "1")
    assert again == done  # finished already: nothing runs twice
    engine = make_engine(context.settings().database_url)
    with make_sessionmaker(engine)() as session:
        assert session.scalars(select(Case)).first() is None
        assert [s.status for s in session.scalars(select(Scan))] == ["finished"]
    engine.dispose()


def test_refusals_are_one_line_and_a_non_zero_exit(banks_cli: CliRunner, tmp_path: Path) -> None:
    missing = banks_cli.invoke(app, ["scan", str(tmp_path / "missing"), "--org", "Host"])
    assert missing.exit_code != 0 and "no such directory or manifest" in missing.output
    coordinator = banks_cli.invoke(app, ["scan", str(tmp_path)])  # the coordinator opens no case
    assert coordinator.exit_code != 0 and "--shadow" in coordinator.output
    unknown = banks_cli.invoke(app, ["scan", "--resume", "scn_nope", "--org", "Host"])
    assert unknown.exit_code != 0 and "no scan" in unknown.output
