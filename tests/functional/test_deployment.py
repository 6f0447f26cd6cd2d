"""The reference deployment of docs/deploy.md on one host: two API processes, two matcher replicas and a worker,
each a real ``accord`` process on PostgreSQL. A hash banked through one API process reaches both matchers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.conftest import UNLIMITED, free_port
from tests.factories import OrgHandle, make_org
from tests.unit.banks.helpers import PDQ_A, PDQ_B, flip

pytestmark = pytest.mark.postgres


def _environment(settings: Settings) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ACCORD_")}
    env.update({f"ACCORD_{name.upper()}": str(value) for name, value in UNLIMITED.items()})
    env.update({"ACCORD_MODE": "test", "ACCORD_DATABASE_URL": settings.database_url, "ACCORD_LOG_JSON": "false",
                "ACCORD_INDEX_SNAPSHOT_DIR": str(settings.index_snapshot_dir),
                "PYTHONPATH": os.pathsep.join(sys.path)})
    return env


@contextmanager
def _processes(settings: Settings, commands: list[list[str]]) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = _environment(settings)
    started = [subprocess.Popen([sys.executable, "-m", "accord", *command], env=env)  # our own CLI
               for command in commands]
    try:
        yield started
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_up(base: str, process: subprocess.Popen[bytes], headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 90
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if http.get("/v1/matching/status").status_code < 500:  # a 404 from an API process: it is up
                    return
            except httpx.TransportError:
                time.sleep(0.1)  # waiting for the process to bind its port, not for time to pass
    raise AssertionError(f"{base} did not start (exit code {process.poll()})")


def _first_match(base: str, headers: dict[str, str], value: str, since: float) -> float:
    """Seconds from ``since`` until the matcher at ``base`` finds ``value``."""
    with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
        while time.monotonic() - since < 30:
            answer = http.post("/v1/match", json={"signals": [{"type": "pdq", "value": value}]})
            assert answer.status_code == 200, answer.text
            if answer.json()["matches"]:
                return time.monotonic() - since
    raise AssertionError(f"{base} never matched the new hash")


def test_a_hash_banked_through_one_api_process_reaches_both_matchers(
        settings: Settings, factory: sessionmaker[Session], clock: FrozenClock, tmp_path: Path) -> None:
    if settings.is_sqlite:
        pytest.skip("the reference deployment runs on PostgreSQL")
    with unit_of_work(factory) as session:
        hub, provider = make_org(session, clock, "coordinator"), make_org(session, clock, "provider")
    ports = [free_port() for _ in range(4)]
    apis = [f"http://127.0.0.1:{port}" for port in ports[:2]]
    matchers = [f"http://127.0.0.1:{port}" for port in ports[2:]]
    commands = [["serve", "--role", "api", "--port", str(p)] for p in ports[:2]]
    commands += [["serve", "--role", "matcher", "--port", str(p)] for p in ports[2:]]
    commands.append(["worker"])
    with _processes(settings, commands) as started:
        for base, process in zip([*apis, *matchers], started, strict=False):
            _wait_up(base, process, provider.headers)
        _bank(apis[0], hub, [PDQ_B])  # matchers open their index and follow the log from here
        for base in matchers:
            assert _matches(base, provider, PDQ_B) and not _matches(base, provider, flip(PDQ_A, 4))

        began = time.monotonic()
        _add(apis[1], hub, PDQ_A)  # through the other API process
        with ThreadPoolExecutor(2) as pool:
            delays = list(pool.map(lambda base: _first_match(base, provider.headers, flip(PDQ_A, 4), began),
                                   matchers))
        assert all(process.poll() is None for process in started), "every process still runs"
    assert max(delays) < 30
    print(f"propagation to two matchers: {', '.join(f'{d * 1000:.0f} ms' for d in delays)}")


def _bank(api: str, hub: OrgHandle, values: list[str]) -> None:
    with httpx.Client(base_url=api, headers=hub.headers, timeout=30) as http:
        made = http.post("/v1/banks", json={"name": "shared", "visibility": "all"})
        assert made.status_code == 201, made.text
    for value in values:
        _add(api, hub, value)


def _add(api: str, hub: OrgHandle, value: str) -> None:
    with httpx.Client(base_url=api, headers=hub.headers, timeout=30) as http:
        added = http.post("/v1/banks/shared/entries", json={"signals": [{"type": "pdq", "value": value}],
                                                            "labels": ["glorification_of_terrorist_acts"]})
        assert added.status_code == 201, added.text


def _matches(base: str, provider: OrgHandle, value: str) -> bool:
    with httpx.Client(base_url=base, headers=provider.headers, timeout=30) as http:
        answer = http.post("/v1/match", json={"signals": [{"type": "pdq", "value": value}]})
        assert answer.status_code == 200, answer.text
        return bool(answer.json()["matches"])
