"""Schemathesis, run as a user runs it (``st run``), against a live Accord server and its own ``/openapi.json``.

The document must say what the API does: every answer's status code is declared, its content type is the one
declared (``application/problem+json`` for every error) and its body matches the declared schema, and no input
makes the server fail (5xx). A provider's API key is sent with every request; the seed is fixed and generation
deterministic, with a few examples per operation, so a failure is reproducible with the same command.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.settings import Settings
from tests.conftest import LiveServer
from tests.functional.test_pytx_cli import seed_hub

pytestmark = pytest.mark.xdist_group("openapi-contract")  # one schemathesis run at a time

CHECKS = ",".join((
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
))
SEED = 21
EXAMPLES_PER_OPERATION = 5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Public reports are limited per address a minute; the run sends many more, all from loopback."""
    return settings.model_copy(update={"public_rate_limit_per_minute": 1_000_000})


def phases(database_url: str) -> str:
    """All generating phases on SQLite; on PostgreSQL without ``coverage``, whose ~4,400 boundary cases exercise
    request validation (the same code on both databases) and would take the run there past two minutes; the
    database's own paths (NUL bytes, long strings, odd dates reaching SQL) are reached by fuzzing on both."""
    return "examples,coverage,fuzzing" if database_url.startswith("sqlite") else "examples,fuzzing"


def st_run(url: str, key: str, workdir: Path, phase_list: str) -> subprocess.CompletedProcess[str]:
    """``st run`` in ``workdir`` (it keeps a ``.schemathesis`` example cache there, not in the checkout)."""
    st = Path(sys.executable).parent / "st"
    command = [str(st), "run", f"{url}/openapi.json", "--url", url,
               "--header", f"Authorization: Bearer {key}",
               "--checks", CHECKS, "--seed", str(SEED), "--generation-deterministic",
               "--max-examples", str(EXAMPLES_PER_OPERATION), "--phases", phase_list,
               "--workers", "1", "--no-color"]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=600, check=False)


def test_the_live_server_keeps_to_its_openapi_document(
        app: FastAPI, factory: sessionmaker[Session], clock: FrozenClock, live_server: LiveServer,
        settings: Settings, tmp_path: Path) -> None:
    hub = seed_hub(factory, clock)
    done = st_run(live_server.url, hub.provider.key, tmp_path, phases(settings.database_url))
    assert done.returncode == 0, f"--- stdout\n{done.stdout[-20000:]}\n--- stderr\n{done.stderr[-5000:]}"
    tested = re.search(r"Tested: (\d+)", done.stdout)
    generated = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    assert tested and int(tested.group(1)) > 100, done.stdout[-3000:]  # every documented operation, not none
    assert generated and generated.group(1) == generated.group(2), done.stdout[-3000:]
