"""Propagation to matcher replicas: how long a hash banked through the API takes to be matched by two
``accord serve --role matcher`` processes on PostgreSQL, with an index of N hashes and under write load; and how
long a replica killed at that size takes to serve again from its snapshot plus the change log.

Run: ``PYTHONPATH=src:. python benchmarks/replicas.py [--hashes 10000000] [--write-rate 1000] [--probes 60]``
(PostgreSQL; recreates ``accord_bench_replicas``). The N hashes are a snapshot written beforehand (entry ids
above the database's, with no rows in PostgreSQL: bulk ingest is measured elsewhere); the database holds what
the run banks through the API. One API process takes the writes (``--write-rate`` hashes a second, 100 per
request) and the probes (one new hash at a time); each probe's delay is from the API's answer to the first
lookup of each replica that matches it (lookups sent every 10 ms to each replica, as an upload stream would).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil  # type: ignore[import-untyped]
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from accord.audit.service import Actor
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.identity import service as identity
from accord.matching.pdq import PDQMatchIndex
from accord.matching.service import Matcher, Present
from accord.migrate import upgrade

ROOT = Path(__file__).parents[1]
ACTOR = Actor("bench", None)
OFFSET = 10**12  # the snapshot's entry ids, above any the database hands out
UNLIMITED = {f"ACCORD_RATE_LIMIT_{kind}_PER_{per}": "100000000" for kind in ("INTAKE", "MATCH", "READS", "WRITES")
             for per in ("KEY", "ADDRESS")}


class _Clock:
    def now(self) -> Any:
        from datetime import UTC, datetime

        return datetime.now(UTC)


def fresh_database(url: str) -> str:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    rendered = parsed.render_as_string(hide_password=False)
    upgrade(rendered)
    return rendered


def seed(url: str) -> tuple[str, str]:
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        hub = identity.create_organisation(session, _Clock(), ACTOR, kind="coordinator", name="Hub", country="FR")
        host = identity.create_organisation(session, _Clock(), ACTOR, kind="authority", name="Looker", country="FR")
        _, hub_key = identity.create_key(session, _Clock(), ACTOR, org_id=hub.id)
        _, look_key = identity.create_key(session, _Clock(), ACTOR, org_id=host.id)
    engine.dispose()
    return hub_key, look_key  # an authority looks up: its lookups record nothing, as a miss would


def snapshot(folder: Path, n: int) -> float:
    """A matcher snapshot of ``n`` random PDQ hashes at mark 0; answers the seconds it took."""
    start = time.perf_counter()
    words = np.random.default_rng(1).integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    ids = np.arange(OFFSET, OFFSET + n, dtype=np.int64)
    index = PDQMatchIndex()
    index.add_arrays(ids, words)
    del words
    matcher = Matcher(folder)
    matcher.indexes["pdq"] = index
    matcher.present = Present({"pdq": ids})
    matcher.save_snapshot()
    return time.perf_counter() - start


def env(url: str, folder: Path) -> dict[str, str]:
    return {**os.environ, **UNLIMITED, "ACCORD_DATABASE_URL": url, "ACCORD_MODE": "dev", "ACCORD_LOG_LEVEL": "WARNING",
            "ACCORD_INDEX_SNAPSHOT_DIR": str(folder), "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}


def serve(role: str, port: int, environment: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "accord", "serve", "--role", role, "--port", str(port)],
                            env=environment, cwd=ROOT)


def random_hash(rng: np.random.Generator) -> str:
    return bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex()


def flip(value: str, bits: int) -> str:
    number = int(value, 16) ^ ((1 << bits) - 1)
    return f"{number:064x}"


def wait_matching(base: str, key: str, probe: str | None = None, limit: float = 600) -> float:
    """Seconds until ``base`` answers a lookup (one that matches ``probe`` when given)."""
    start = time.perf_counter()
    body = {"signals": [{"type": "pdq", "value": probe or "f" * 63 + "e"}]}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as http:
        while time.perf_counter() - start < limit:
            try:
                answer = http.post("/v1/match", json=body)
                if answer.status_code == 200 and (probe is None or answer.json()["matches"]):
                    return time.perf_counter() - start
            except httpx.TransportError:
                pass
            time.sleep(0.01)
    raise RuntimeError(f"{base} did not answer within {limit} s")


WRITERS = 4  # client threads banking the write load, 100 hashes a request


def writer(api: str, key: str, rate: int, stop: threading.Event, written: list[int]) -> None:
    rng = np.random.default_rng(threading.get_ident() % 2**32)
    with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        start = time.perf_counter()
        while not stop.is_set():
            due = written[0] / rate
            ahead = due - (time.perf_counter() - start)
            if ahead > 0:
                time.sleep(ahead)
            signals = [{"type": "pdq", "value": random_hash(rng)} for _ in range(100)]
            if http.post("/v1/banks/shared/entries", json={"signals": signals}).status_code == 201:
                written[0] += 100


def probe_once(api: str, matchers: list[str], hub_key: str, look_key: str, value: str) -> list[float]:
    with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {hub_key}"}, timeout=60) as http:
        added = http.post("/v1/banks/shared/entries", json={"signals": [{"type": "pdq", "value": value}]})
        assert added.status_code == 201, added.text
    with ThreadPoolExecutor(len(matchers)) as pool:
        return list(pool.map(lambda base: wait_matching(base, look_key, flip(value, 3), 60), matchers))


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hashes", type=int, default=10_000_000)
    parser.add_argument("--write-rate", type=int, default=1000)
    parser.add_argument("--probes", type=int, default=60)
    parser.add_argument("--snapshot", type=Path, help="reuse the snapshot folder of an earlier run at --hashes")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/accord_bench_replicas")
    args = parser.parse_args()
    url = fresh_database(args.database_url)
    hub_key, look_key = seed(url)
    folder = args.snapshot or Path(tempfile.mkdtemp(prefix="accord-bench-replicas-"))
    if args.snapshot is None:
        built = snapshot(folder, args.hashes)
        print(f"snapshot of {args.hashes:,} hashes written in {built:.0f} s", flush=True)
    environment = env(url, folder)
    api, ports = "http://127.0.0.1:8411", [8412, 8413]
    matchers = [f"http://127.0.0.1:{port}" for port in ports]
    processes = [serve("api", 8411, environment), *(serve("matcher", port, environment) for port in ports)]
    try:
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {hub_key}"}, timeout=60) as http:
            while True:
                try:
                    made = http.post("/v1/banks", json={"name": "shared", "visibility": "all"})
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            assert made.status_code == 201, made.text
        opened = [wait_matching(base, look_key) for base in matchers]
        print(f"replicas answering after {', '.join(f'{o:.1f} s' for o in opened)}", flush=True)
        rows = run_probes(api, matchers, hub_key, look_key, args)
        rows.append(restart(processes, matchers, ports, environment, api, hub_key, look_key, args.hashes))
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    print(f"\ncores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}\n")
    print("| figure | result |\n|---|---|")
    for figure, result in rows:
        print(f"| {figure} | {result} |")


def run_probes(api: str, matchers: list[str], hub_key: str, look_key: str, args: Any) -> list[tuple[str, str]]:
    rng = np.random.default_rng(9)
    rows = []
    for label, rate in (("idle", 0), (f"{args.write_rate:,} hashes/s arriving", args.write_rate)):
        stop, counts = threading.Event(), [[0] for _ in range(WRITERS)]
        threads = [threading.Thread(target=writer, args=(api, hub_key, rate // WRITERS, stop, counts[i]))
                   for i in range(WRITERS)] if rate else []
        for thread in threads:
            thread.start()
        time.sleep(2 if threads else 0)
        began, before = time.perf_counter(), sum(c[0] for c in counts)
        delays = [probe_once(api, matchers, hub_key, look_key, random_hash(rng)) for _ in range(args.probes)]
        achieved = (sum(c[0] for c in counts) - before) / (time.perf_counter() - began)
        stop.set()
        for thread in threads:
            thread.join()
        per = [[d[i] * 1000 for d in delays] for i in range(len(matchers))]
        both = [max(d) * 1000 for d in delays]
        rows.append((f"propagation at {args.hashes:,} hashes, {label} (achieved {achieved:,.0f}/s): p50 / p99 / max "
                     "until both replicas match",
                     f"{statistics.median(both):.0f} / {p(both, 0.99):.0f} / {max(both):.0f} ms "
                     f"(replica 1 p99 {p(per[0], 0.99):.0f} ms, replica 2 p99 {p(per[1], 0.99):.0f} ms)"))
        print(rows[-1], flush=True)
    return rows


def restart(processes: list[subprocess.Popen[bytes]], matchers: list[str], ports: list[int],
            environment: dict[str, str], api: str, hub_key: str, look_key: str, n: int) -> tuple[str, str]:
    """Kill replica 2, bank one more hash, start it again: seconds until it matches that hash."""
    processes[2].send_signal(signal.SIGKILL)
    processes[2].wait()
    value = random_hash(np.random.default_rng(77))
    with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {hub_key}"}, timeout=60) as http:
        assert http.post("/v1/banks/shared/entries", json={"signals": [{"type": "pdq", "value": value}]}).status_code \
            == 201
    start = time.perf_counter()
    processes[2] = serve("matcher", ports[1], environment)
    answering = wait_matching(matchers[1], look_key)
    took = wait_matching(matchers[1], look_key, flip(value, 3))
    wall = time.perf_counter() - start
    cpu = psutil.Process(processes[2].pid).cpu_times()
    return (f"replica killed at {n:,} hashes, restarted: until it matches the newest hash (process start, "
            "snapshot mapped, change log replayed)", f"{wall:.1f} s wall, {cpu.user + cpu.system:.1f} s of the "
            f"process's CPU (its first answer {answering:.1f} s after the spawn, then {took:.1f} s until the newest "
            "hash matched)")


if __name__ == "__main__":
    main()
