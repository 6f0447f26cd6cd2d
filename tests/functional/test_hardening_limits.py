"""Request bodies have a limit per route class (issue 21, item 3): 413 problem+json before more is read, and the
idempotency layer stores nothing for a refused body."""

from __future__ import annotations

import json
import os
import re
import select
import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session, sessionmaker

from accord.app import create_app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity.models import Member
from accord.settings import Settings
from accord.web.idempotency import IdempotencyRecord
from accord.web.limits import limit_for, route_class
from tests.conftest import LiveServer
from tests.factories import OrgHandle, make_org

PROBLEM = "application/problem+json"
MEMBER = {"email": "big@example.org", "name": "Big", "role": "reviewer", "password": "long enough pass"}


@pytest.fixture
def admin(factory: sessionmaker[Session], clock: FrozenClock) -> OrgHandle:
    with unit_of_work(factory) as session:
        return make_org(session, clock, "provider")


def _count(factory: sessionmaker[Session], model: type[Member] | type[IdempotencyRecord]) -> int:
    with factory() as session:
        return session.scalar(sql_select(func.count()).select_from(model)) or 0


def _head(port: int, admin: OrgHandle, extra: str) -> bytes:
    return (f"POST /v1/members HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {admin.key}\r\n"
            f"Idempotency-Key: huge\r\nContent-Type: application/json\r\n{extra}\r\n").encode()


def _response(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, object]]:
    data = b""
    while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body)


def _length(data: bytes) -> int:
    found = re.search(rb"(?i)content-length:\s*(\d+)", data.partition(b"\r\n\r\n")[0])
    return int(found.group(1)) if found else 0


def test_a_declared_body_over_the_limit_is_refused_before_a_byte_is_read(
        live_server: LiveServer, admin: OrgHandle, factory: sessionmaker[Session]) -> None:
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=30) as sock:
        sock.sendall(_head(live_server.port, admin, f"Content-Length: {100 * 1024 * 1024}\r\n"))
        status, headers, problem = _response(sock)  # answered without the 100 MB ever being sent
    assert status == 413 and headers["content-type"] == PROBLEM and headers["connection"] == "close"
    assert problem["type"] == "https://accord.example/problems/payload-too-large"
    assert _count(factory, IdempotencyRecord) == 0 and _count(factory, Member) == 1


def _stream_until_answered(port: int, head: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    """Send a chunked body that never ends until the server answers; without a limit it would never answer."""
    chunk = os.urandom(32 * 1024).hex().encode()  # 64 KiB of body per chunk
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        for _ in range(1024):  # at most 64 MiB
            if select.select([sock], [], [], 0.01)[0]:
                return _response(sock)
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:  # the server closed the connection after answering
                return _response(sock)
    raise AssertionError("the server kept reading past the limit")


@pytest.mark.parametrize("idempotency_key", [True, False], ids=["with-key", "without-key"])
def test_a_streamed_body_is_cut_off_at_the_limit(live_server: LiveServer, admin: OrgHandle,
                                                 factory: sessionmaker[Session], idempotency_key: bool) -> None:
    head = _head(live_server.port, admin, "Transfer-Encoding: chunked\r\n")
    if not idempotency_key:
        head = head.replace(b"Idempotency-Key: huge\r\n", b"")
    status, headers, problem = _stream_until_answered(live_server.port, head)
    assert status == 413 and headers["content-type"] == PROBLEM
    assert problem["type"] == "https://accord.example/problems/payload-too-large"
    assert _count(factory, IdempotencyRecord) == 0 and _count(factory, Member) == 1


def test_an_ordinary_route_refuses_what_an_upload_route_accepts(client: TestClient, admin: OrgHandle) -> None:
    two_mib = os.urandom(2 * 1024 * 1024)
    hashed = client.post("/v1/hashes", files={"file": ("big.bin", two_mib)}, headers=admin.headers)
    assert hashed.status_code == 200, hashed.text
    refused = client.post("/v1/members", content=json.dumps({**MEMBER, "name": "x" * len(two_mib)}),
                          headers={**admin.headers, "Content-Type": "application/json"})
    assert refused.status_code == 413 and refused.headers["content-type"] == PROBLEM


@pytest.fixture
def small(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"media_max_bytes": 4000, "max_body_bytes": 2000}), clock)
    with TestClient(app) as client:
        yield client
    app.state.accord.engine.dispose()


def test_an_upload_over_its_limit_is_refused(small: TestClient, admin: OrgHandle) -> None:
    answer = small.post("/v1/hashes", files={"file": ("big.bin", os.urandom(7000))}, headers=admin.headers)
    assert answer.status_code == 413 and answer.json()["type"].endswith("/payload-too-large")
    fits = small.post("/v1/hashes", files={"file": ("small.bin", os.urandom(3000))}, headers=admin.headers)
    assert fits.status_code == 200


def test_every_route_that_takes_a_file_is_an_upload_route(app: object, settings: Settings) -> None:
    from fastapi import FastAPI

    assert isinstance(app, FastAPI)
    paths = app.openapi()["paths"]
    takes_files = {re.sub(r"\{[^}]+\}", "x", path) for path, operations in paths.items()
                   for operation in operations.values()
                   if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})}
    assert takes_files and {path: route_class(path) for path in takes_files} == dict.fromkeys(takes_files, "upload")
    assert route_class("/v1/notices/batch") == "bulk" and "/v1/notices/batch" in paths
    assert limit_for(settings, "/v1/members") == settings.max_body_bytes == 1024 * 1024
