"""``POST /v1/match`` over HTTP: misses, hits and a half-and-half mix, against one and two server processes.

Run through ``benchmarks/matching.py --http N`` (N hashes banked). The servers are uvicorn subprocesses of the
real app (``create_app``) sharing one listening socket; the clients are separate processes, each with a few
threads holding keep-alive connections (``http.client``, the lightest client the standard library has), each
thread sending one request at a time. A miss is a random PDQ hash; a hit is a banked hash with 4 bits flipped
(a new piece of content each time, so every hit opens a case, writes its audit events and is committed).
The servers run ``--role matcher`` (hashing and matching only, as a deployment that scales matching would),
with the access log off (``ACCORD_LOG_LEVEL=WARNING``). The profile is cProfile of one server process under
the mix, every thread of it (event loop, worker threads, the group writer), by own time, waits left out.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import pstats
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

DURATION = 4.0
WARMUP = 1.0
CLIENT_PROCESSES = 2
THREADS_PER_CLIENT = 4

SERVER = """
import cProfile, os, pstats, sys, threading
import uvicorn
from accord.app import create_app
from accord.settings import Settings

url, snapshots, fd, profile_to = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
app = create_app(Settings(mode="test", database_url=url, index_snapshot_dir=snapshots, log_level="WARNING"),
                 role="matcher")
profiles = []
if profile_to:
    def start(*_args):
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()
    threading.setprofile(start)
    main = cProfile.Profile()
    profiles.append(main)
    main.enable()
uvicorn.run(app, fd=fd, log_level="warning", access_log=False)
if profile_to:
    for profile in profiles:
        profile.disable() if profile is main else None
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        try:
            stats.add(profile)
        except TypeError:
            pass
    stats.dump_stats(profile_to)
"""


def random_hashes(n: int, seed: int) -> list[str]:
    raw = np.random.default_rng(seed).integers(0, 256, size=(n, 32), dtype=np.uint8)
    return [bytes(r).hex() for r in raw]


def flipped(value: str, bits: int, rng: np.random.Generator) -> str:
    number = int(value, 16)
    for bit in rng.choice(256, bits, replace=False):
        number ^= 1 << int(bit)
    return f"{number:064x}"


# ---- the database: a provider, a coordinator's bank of n PDQ hashes, and an index snapshot -------------------


def seed_database(url: str, n: int, snapshots: Path) -> tuple[str, list[str]]:
    """Migrate a fresh database, bank ``n`` random hashes, write the matcher's snapshot; the provider's key."""
    from accord.banks.models import BankChange, BankEntry
    from accord.clock import SystemClock
    from accord.db import make_sessionmaker, unit_of_work
    from accord.identity import service as identity
    from accord.matching.service import Matcher, Present
    from accord.migrate import upgrade
    from accord.models import metadata

    _fresh_database(url)
    engine = create_engine(url)
    if url.startswith("sqlite"):
        metadata.create_all(engine)
    else:
        upgrade(url)
    clock, actor = SystemClock(), identity.Actor("bench", None)
    with unit_of_work(make_sessionmaker(engine)) as session:
        hub = identity.create_organisation(session, clock, actor, kind="coordinator", name="hub", country="FR",
                                           contact_languages=["en"])
        provider = identity.create_organisation(session, clock, actor, kind="provider", name="platform",
                                                country="FR", contact_languages=["en"])
        _, key = identity.create_key(session, clock, actor, org_id=provider.id, scopes=["match"])
        from accord.banks import service as banks
        from accord.identity.service import Principal

        owner = Principal(org_id=hub.id, org_kind="coordinator", ref="bench", scopes=frozenset())
        bank = banks.create_bank(session, clock, owner, name="bench", visibility="all")
        hub_id, bank_id = hub.id, bank.id
    hashes = random_hashes(n, seed=1)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for start in range(0, n, 20_000):
            conn.execute(insert(BankEntry), [
                {"id": start + i + 1, "bank_id": bank_id, "added_by_org_id": hub_id, "signal_type": "pdq",
                 "value": h, "fingerprint": f"{start + i:064x}", "variants": [], "labels": [],
                 "incident_tags": [], "note": "", "metadata_": {}, "state": "active", "created_at": now,
                 "updated_at": now} for i, h in enumerate(hashes[start : start + 20_000])])
        conn.execute(insert(BankChange), [{"entry_id": 1, "bank_id": bank_id, "signal_type": "pdq", "op": "add",
                                           "at": now}])
        mark = conn.scalar(select(func.max(BankChange.seq)))
        if not url.startswith("sqlite"):
            conn.execute(text("SELECT setval(pg_get_serial_sequence('bank_entries', 'id'), :n)"), {"n": n + 1})
    matcher = Matcher(snapshots)
    matcher.index("pdq").add_many((i + 1, h) for i, h in enumerate(hashes))
    matcher.present = Present({"pdq": np.arange(1, n + 1, dtype=np.int64)})
    matcher.mark = int(mark or 0)
    matcher.save_snapshot()
    engine.dispose()
    return key, hashes


def _fresh_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or "").unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


# ---- servers ---------------------------------------------------------------------------------------------------


class Servers:
    """``count`` uvicorn processes of the app accepting on one shared listening socket."""

    def __init__(self, url: str, snapshots: Path, count: int, profile_to: str = "") -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        fd = self.sock.fileno()
        self.processes = [subprocess.Popen(
            [sys.executable, "-c", SERVER, url, str(snapshots), str(fd), profile_to if i == 0 else ""],
            pass_fds=[fd], env=env) for i in range(count)]

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGINT)
        for process in self.processes:
            process.wait(timeout=60)
        self.sock.close()


# ---- clients ---------------------------------------------------------------------------------------------------


def bodies(kind: str, hashes: list[str], count: int, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    misses = random_hashes(count, seed + 1000)
    out = []
    for i in range(count):
        hit = kind == "hits" or (kind == "mix" and i % 2 == 0)
        value = flipped(hashes[int(rng.integers(0, len(hashes)))], 4, rng) if hit else misses[i]
        out.append(json.dumps({"signals": [{"type": "pdq", "value": value}]}).encode())
    return out


def _thread(port: int, key: str, payloads: list[bytes], start: float, stop: float, out: list[float],
            errors: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    i = 0
    while (now := time.monotonic()) < stop:
        try:
            conn.request("POST", "/v1/match", body=payloads[i % len(payloads)], headers=headers)
            answer = conn.getresponse()
            answer.read()
            status = answer.status
        except OSError:  # a timeout or a dropped connection: counted, and a new connection
            conn.close()
            status = 0
        i += 1
        if now >= start:
            out.append(time.monotonic() - now)
            if status != 200:
                errors.append(status)
    conn.close()


def _client(port: int, key: str, payloads: list[bytes], start: float, stop: float,
            queue: multiprocessing.Queue[tuple[list[float], int]]) -> None:
    latencies: list[float] = []
    errors: list[int] = []
    threads = [threading.Thread(target=_thread, args=(port, key, payloads[t::THREADS_PER_CLIENT], start, stop,
                                                      latencies, errors)) for t in range(THREADS_PER_CLIENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, len(errors)))


def load(port: int, key: str, kind: str, hashes: list[str]) -> tuple[float, float, float, int]:
    """Requests per second, p50 and p99 in ms, and non-200 answers, over ``DURATION`` after a warm-up."""
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[tuple[list[float], int]] = context.Queue()
    begin = time.monotonic() + 2.0  # the client processes take a moment to spawn
    start, stop = begin + WARMUP, begin + WARMUP + DURATION
    clients = [context.Process(target=_client, args=(port, key, bodies(kind, hashes, 4000, 10 + c), start, stop,
                                                     queue)) for c in range(CLIENT_PROCESSES)]
    for client in clients:
        client.start()
    results = [queue.get(timeout=DURATION + WARMUP + 120) for _ in clients]
    for client in clients:
        client.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    p50, p99 = (latencies[int(len(latencies) * q)] * 1000 for q in (0.5, 0.99))
    return len(latencies) / DURATION, p50, p99, errors


def wait_ready(port: int, key: str) -> None:
    deadline = time.monotonic() + 120
    body = json.dumps({"signals": [{"type": "pdq", "value": random_hashes(1, 5)[0]}]})
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for _ in range(8):  # reach every process (each opens its matcher from the snapshot)
                conn.request("POST", "/v1/match", body=body, headers={"Authorization": f"Bearer {key}",
                                                                     "Content-Type": "application/json"})
                conn.getresponse().read()
                conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the servers did not start")


def in_process_rate(hashes: list[str]) -> float:
    from accord.matching.pdq import PDQMatchIndex

    index = PDQMatchIndex()
    index.add_hex(np.arange(len(hashes), dtype=np.int64), hashes)
    index.threads = 1
    queries = random_hashes(2000, 7)
    began = time.perf_counter()
    for query in queries:
        index.query(query)
    return len(queries) / (time.perf_counter() - began)


_IDLE = ("acquire' of '_thread.lock", "poll' of 'select.epoll", "runners.py", "threading.py", "queue.py",
         "psycopg/connection.py:479(wait)", "base_events.py")


def top_lines(path: str, count: int = 15) -> str:
    """The functions that cost the most own time, leaving out waiting (locks, epoll, idle worker threads)."""
    stats = pstats.Stats(path)
    entries = stats.stats  # type: ignore[attr-defined]  # pstats keeps its table untyped
    total = sum(row[2] for row in entries.values())
    busy = []
    for (filename, line, name), (_, calls, own, cumulative, _) in entries.items():
        where = f"{filename}:{line}({name})".replace(str(Path(sys.prefix)), "venv")
        if not any(marker in where for marker in _IDLE):
            busy.append((own, calls, cumulative, where))
    busy.sort(reverse=True)
    lines = ["  own s  calls  cumulative s  function", *(
        f"{own:7.3f} {calls:6d} {cumulative:13.3f}  {where}" for own, calls, cumulative, where in busy[:count])]
    return f"(all threads, {total:.1f} s own time in all)\n" + "\n".join(lines)


def bench_http(n: int, url: str, rows: list[tuple[str, ...]], *, costs_only: bool = False) -> str:
    """Fill ``rows`` (figure, req/s, p50, p99, errors) for ``n`` hashes; answers the profile's top lines."""
    folder = Path(tempfile.mkdtemp(prefix="accord-bench-http-"))
    key, hashes = seed_database(url, n, folder / "index")
    rows.append((f"in-process index, one lookup at a time, {n:,}", f"{in_process_rate(hashes):,.0f}", "", "", ""))
    request_costs(url, folder / "index", key, hashes, rows)
    if costs_only:
        return ""
    for count in (1, 2):
        with Servers(url, folder / "index", count) as servers:
            wait_ready(servers.port, key)
            for kind in ("misses", "hits", "mix"):
                rate, p50, p99, errors = load(servers.port, key, kind, hashes)
                rows.append((f"HTTP {kind}, {n:,}, {count} server process{'es' if count > 1 else ''}",
                             f"{rate:,.0f}", f"{p50:.1f}", f"{p99:.1f}", str(errors)))
                print(rows[-1], flush=True)
    profile = str(folder / "server.prof")
    with Servers(url, folder / "index", 1, profile) as servers:
        wait_ready(servers.port, key)
        load(servers.port, key, "mix", hashes)
    return top_lines(profile)


def request_costs(url: str, snapshots: Path, key: str, hashes: list[str], rows: list[tuple[str, ...]]) -> None:
    """What one request costs the server, one at a time through the ASGI app in this process (no sockets):
    process CPU time per request (every thread of it) and the SQL statements it sends. Unlike requests per
    second these hardly move when other work shares the machine."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from accord.app import create_app
    from accord.settings import Settings

    app = create_app(Settings(mode="test", database_url=url, index_snapshot_dir=snapshots, log_level="WARNING"),
                     role="matcher")
    rng = np.random.default_rng(77)
    sent: list[str] = []
    event.listen(app.state.accord.engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_a: sent.append(statement.lstrip().split(None, 1)[0].upper()))
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {key}"}
        for kind in ("miss", "hit"):
            def body(i: int, kind: str = kind) -> dict[str, object]:
                value = flipped(hashes[i], 4, rng) if kind == "hit" else random_hashes(1, 5000 + i)[0]
                return {"signals": [{"type": "pdq", "value": value}]}

            client.post("/v1/match", headers=headers, json=body(0))  # warm: key cached, matcher open
            sent.clear()
            count = 50
            cpu, wall = time.process_time(), time.perf_counter()
            for i in range(1, count + 1):
                assert client.post("/v1/match", headers=headers, json=body(i)).status_code == 200
            cpu, wall = (time.process_time() - cpu) / count, (time.perf_counter() - wall) / count
            writes = sum(1 for s in sent if s in ("INSERT", "UPDATE", "DELETE"))
            rows.append((f"one {kind} at a time, in-process ASGI, {len(hashes):,}", f"{cpu * 1000:.1f} ms CPU",
                         f"{wall * 1000:.1f} ms wall", f"{len(sent) / count:.1f} statements",
                         f"{writes / count:.1f} writes"))
            print(rows[-1], flush=True)
    app.state.accord.engine.dispose()
