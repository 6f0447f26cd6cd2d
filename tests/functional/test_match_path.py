"""The request path of ``POST /v1/match``: a miss writes nothing, keys come from the cache yet revocation is
honoured, hits arriving together are committed together, the batch form, and uploads."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.banks.models import MatchRecord
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows import decisions as flows
from accord.identity.models import ApiKey
from accord.identity.service import Principal
from accord.matching import lookup
from accord.matching.lookup import QuerySignal
from accord.matching.recording import GroupRecorder, PendingHit, Recorded
from accord.matching.service import Matcher
from accord.settings import Settings
from accord.web import keycache
from tests.conftest import LiveServer, free_port
from tests.factories import OrgHandle, make_org
from tests.unit.banks.helpers import PDQ_A, PDQ_B, flip, photo_bytes

WRITES = ("INSERT", "UPDATE", "DELETE")


def sha(n: int) -> str:
    return hashlib.sha256(f"content {n}".encode()).hexdigest()


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"hub": make_org(session, clock, "coordinator"), "a": make_org(session, clock),
                "b": make_org(session, clock)}


def _banked(client: TestClient, hub: OrgHandle, signals: list[dict[str, str]]) -> None:
    made = client.post("/v1/banks", json={"name": "shared", "visibility": "all"}, headers=hub.headers)
    assert made.status_code == 201, made.text
    added = client.post("/v1/banks/shared/entries", headers=hub.headers,
                        json={"signals": signals, "labels": ["glorification_of_terrorist_acts"]})
    assert added.status_code == 201, added.text


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def test_a_miss_writes_nothing_and_reads_at_most_once(app: FastAPI, client: TestClient,
                                                       orgs: dict[str, OrgHandle]) -> None:
    hub, a = orgs["hub"], orgs["a"]
    _banked(client, hub, [{"type": "pdq", "value": PDQ_A}])
    miss = {"signals": [{"type": "pdq", "value": PDQ_B}]}
    assert client.post("/v1/match", headers=a.headers, json=miss).json()["matches"] == []  # key read, cached
    with statements(app.state.accord.engine) as seen:
        for _ in range(5):
            answer = client.post("/v1/match", headers=a.headers, json=miss)
            assert answer.status_code == 200 and answer.json()["matches"] == []
    assert not [s for s in seen if s in WRITES], seen
    assert len(seen) <= 5, f"at most one read per miss (the change log past the mark): {seen}"
    hit = client.post("/v1/match", headers=a.headers, json={"signals": [{"type": "pdq", "value": PDQ_A}]})
    assert hit.json()["case_id"], "the same process still records a hit"


def test_a_key_revoked_through_the_api_is_refused_at_once(client: TestClient, orgs: dict[str, OrgHandle],
                                                           factory: sessionmaker[Session]) -> None:
    a = orgs["a"]
    miss = {"signals": [{"type": "pdq", "value": PDQ_B}]}
    assert client.post("/v1/match", headers=a.headers, json=miss).status_code == 200
    with unit_of_work(factory) as session:
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.org_id == a.id))
    with unit_of_work(factory) as session:
        _, second = _new_key(session, a.id)
    other = {"Authorization": f"Bearer {second}"}
    revoked = client.post(f"/v1/keys/{key_id}/revoke", headers=other)
    assert revoked.status_code == 200, revoked.text
    assert client.post("/v1/match", headers=a.headers, json=miss).status_code == 401


def _new_key(session: Session, org_id: str) -> tuple[ApiKey, str]:
    from accord.identity import service
    from tests.factories import TEST_ACTOR

    return service.create_key(session, FrozenClock(), TEST_ACTOR, org_id=org_id)


def test_a_key_revoked_by_another_process_is_refused_within_the_bound(
        client: TestClient, orgs: dict[str, OrgHandle], settings: Settings, engine: Engine,
        clock: FrozenClock) -> None:
    """Another process is played by plain SQL (no ORM event of this process sees it): on PostgreSQL the
    trigger's NOTIFY reaches the cache at once; on SQLite the key is refused once the cache entry expires."""
    a = orgs["a"]
    miss = {"signals": [{"type": "pdq", "value": PDQ_B}]}
    assert client.post("/v1/match", headers=a.headers, json=miss).status_code == 200
    seen = keycache.generation()
    with engine.begin() as conn:
        conn.execute(update(ApiKey).where(ApiKey.org_id == a.id).values(revoked_at=clock.now()))
    if settings.is_sqlite:
        assert client.post("/v1/match", headers=a.headers, json=miss).status_code == 200, "trusted within the TTL"
        clock.advance(seconds=settings.api_key_cache_seconds)
    else:
        assert keycache.wait_for_bump(seen, timeout=5), "the NOTIFY arrives"
    assert client.post("/v1/match", headers=a.headers, json=miss).status_code == 401


class GatedRecorder(GroupRecorder):
    """The real writer, whose first transaction waits until ``expected`` hits have been submitted, so that the
    hits arriving while it is busy are deterministically one group."""

    def __init__(self, factory: sessionmaker[Session], clock: FrozenClock, expected: int, writers: int) -> None:
        self.all_in = threading.Event()
        self.submitted = 0
        self.expected = expected
        super().__init__(self._gated(factory), clock, flows.decide, writers=writers)

    def _gated(self, factory: sessionmaker[Session]) -> sessionmaker[Session]:
        def opened() -> Session:
            assert self.all_in.wait(30), "every hit was submitted"
            return factory()

        return opened  # type: ignore[return-value]  # a callable answering sessions is all the writer needs

    def submit(self, *args: Any) -> Any:
        future = super().submit(*args)
        self.submitted += 1
        if self.submitted == self.expected:
            self.all_in.set()
        return future


@pytest.mark.parametrize("writers", [1, 3])
def test_hits_arriving_together_are_committed_together(app: FastAPI, client: TestClient,
                                                       orgs: dict[str, OrgHandle], factory: sessionmaker[Session],
                                                       clock: FrozenClock, writers: int) -> None:
    """With one writer, the hits arriving while it is busy are one group; with several, the writers share them
    out: fewer transactions than hits either way."""
    hub, a = orgs["hub"], orgs["a"]
    n = 12
    _banked(client, hub, [{"type": "sha256", "value": sha(i)} for i in range(n)])
    recorder = app.state.accord.match_recorder = GatedRecorder(factory, clock, n, writers)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, headers=a.headers, timeout=30) as http:
        def hit(i: int) -> httpx.Response:
            return http.post("/v1/match", json={"signals": [{"type": "sha256", "value": sha(i)}]})

        with ThreadPoolExecutor(n) as pool:
            answers = list(pool.map(hit, range(n)))
    assert [r.status_code for r in answers] == [200] * n
    cases = {r.json()["case_id"] for r in answers}
    assert len(cases) == n and None not in cases, "each content has its own case"
    assert recorder.hits == n and recorder.groups < n, (recorder.groups, recorder.hits)
    with unit_of_work(factory) as session:
        recorded = set(session.scalars(select(MatchRecord.case_id)))
        found = session.scalar(select(func.count()).where(AuditEvent.tag == "matching:match:found"))
    assert recorded == cases and found == n


def test_a_failing_hit_fails_alone(client: TestClient, orgs: dict[str, OrgHandle],
                                   factory: sessionmaker[Session], clock: FrozenClock) -> None:
    """A group with one hit that cannot be recorded (its provider does not exist) is retried hit by hit:
    the other hit is still recorded and answered."""
    hub, a = orgs["hub"], orgs["a"]
    _banked(client, hub, [{"type": "sha256", "value": sha(1)}])
    signals = [QuerySignal("sha256", sha(1))]
    with factory() as session:
        outcome = lookup.lookup(session, Matcher(), a.id, signals)
    provider = Principal(org_id=a.id, org_kind="provider", ref="key:test")
    nobody = Principal(org_id="org_missing", org_kind="provider", ref="key:none")
    good, broken = PendingHit(provider, signals, outcome), PendingHit(nobody, signals, outcome)
    recorder = GroupRecorder(factory, clock, None)
    recorder._take([good, broken])  # the writer's own step, without its thread
    assert isinstance(good.answer.result(timeout=5), Recorded) and good.answer.result().action == "review"
    assert broken.answer.exception(timeout=5) is not None
    assert (recorder.groups, recorder.hits) == (1, 1)
    with unit_of_work(factory) as session:
        assert session.scalars(select(MatchRecord.provider_id)).all() == [a.id]


def test_batch_answers_each_item(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    hub, a, b = orgs["hub"], orgs["a"], orgs["b"]
    _banked(client, hub, [{"type": "pdq", "value": PDQ_A}, {"type": "sha256", "value": sha(1)}])
    items = [{"signals": [{"type": "pdq", "value": flip(PDQ_A, 3)}]}, {"signals": [{"type": "pdq", "value": PDQ_B}]},
             {"signals": [{"type": "sha256", "value": sha(1)}]}]
    answer = client.post("/v1/match", headers=a.headers, json={"items": items})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [[m["distance"] for m in r["matches"]] for r in results] == [[3], [], [0]]
    assert results[0]["case_id"] and results[2]["case_id"] and results[0]["case_id"] != results[2]["case_id"]
    assert results[1]["case_id"] is None
    coordinator = client.post("/v1/match", headers=hub.headers, json={"items": items[:1]}).json()
    assert coordinator["results"][0]["case_id"] is None, "only a provider's hit is recorded"
    bad = client.post("/v1/match", headers=b.headers,
                      json={"items": [items[0], {"signals": [{"type": "pdq", "value": "0" * 64}]}]})
    assert bad.status_code == 422 and "items[1]" in bad.json()["detail"]
    too_many = client.post("/v1/match", headers=b.headers, json={"items": items * 400})
    assert too_many.status_code == 422


def test_batch_is_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/match"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert len(body["oneOf"]) == 2 and "items" in body["oneOf"][1]["properties"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    refs = {ref["$ref"].rsplit("/", 1)[-1] for ref in answer["anyOf"]}
    assert refs == {"MatchesOut", "MatchBatchOut"}


def test_uploads_over_the_limit_are_refused_while_streaming(settings: Settings, clock: FrozenClock,
                                                             orgs: dict[str, OrgHandle]) -> None:
    from accord.app import create_app

    small = settings.model_copy(update={"media_max_bytes": 50_000})
    with TestClient(create_app(small, clock)) as client:
        a = orgs["a"]
        fine = client.post("/v1/hashes", headers=a.headers, files={"file": ("p.jpg", photo_bytes(3), "image/jpeg")})
        assert fine.status_code == 200, fine.text
        blob = b"\xff\xd8\xff" + bytes(200_000)
        for path in ("/v1/hashes", "/v1/match"):
            refused = client.post(path, headers=a.headers, files={"file": ("big.jpg", blob, "image/jpeg")})
            assert refused.status_code == 413, refused.text
        boundary = "accordboundary"
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n").encode()
        sent: list[int] = []

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced as the chunks arrive
            yield head
            for _ in range(100):
                sent.append(1)
                yield bytes(10_000)
            yield f"\r\n--{boundary}--\r\n".encode()

        chunked = client.post("/v1/match", content=chunks(), headers={
            **a.headers, "content-type": f"multipart/form-data; boundary={boundary}"})
        assert chunked.status_code == 413, chunked.text


def test_revocation_trigger_exists_only_where_notify_does(engine: Engine, settings: Settings) -> None:
    if settings.is_sqlite:
        pytest.skip("SQLite has no NOTIFY: the TTL bounds staleness there")
    with engine.connect() as conn:
        names = set(conn.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")))
    assert "api_keys_changed" in names


SERVER = """
import sys, uvicorn
from accord.app import create_app
from accord.settings import Settings
uvicorn.run(create_app(Settings(mode="test", database_url=sys.argv[1], index_snapshot_dir=sys.argv[2])),
            host="127.0.0.1", port=int(sys.argv[3]), log_level="warning")
"""


def _serve(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-c", SERVER, settings.database_url, str(settings.index_snapshot_dir),
                             str(port)], env=env)


def _wait_up(http: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            http.get("/v1/matching/status")
            return
        except httpx.TransportError:
            time.sleep(0.05)  # waiting for a process to bind its port, not for time to pass
    raise AssertionError("the server did not start")


def test_a_hit_answered_is_recorded_even_if_the_server_is_killed_at_once(
        client: TestClient, orgs: dict[str, OrgHandle], settings: Settings, factory: sessionmaker[Session]) -> None:
    hub, a = orgs["hub"], orgs["a"]
    n = 24
    _banked(client, hub, [{"type": "sha256", "value": sha(i)} for i in range(n)])
    port = free_port()
    server = _serve(settings, port)
    answered: list[str] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=a.headers, timeout=30) as http:
            _wait_up(http, server)

            def hit(i: int) -> None:
                try:
                    answer = http.post("/v1/match", json={"signals": [{"type": "sha256", "value": sha(i)}]})
                except httpx.TransportError:
                    return  # killed before it answered: nothing was promised
                if answer.status_code == 200:
                    answered.append(answer.json()["case_id"])
                    if len(answered) == n // 3:
                        os.kill(server.pid, signal.SIGKILL)  # the moment after a third were answered

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(hit, range(n)))
    finally:
        server.kill()
        server.wait()
    assert server.returncode == -signal.SIGKILL
    assert len(answered) >= n // 3
    with unit_of_work(factory) as session:
        recorded = set(session.scalars(select(MatchRecord.case_id)))
    assert set(answered) <= recorded, "every hit answered 200 was committed before its answer"
