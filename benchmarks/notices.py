"""Notice intake on PostgreSQL through the HTTP API, webhook latency, and a 10,000-line batch.

Run: ``PYTHONPATH=src:. python benchmarks/notices.py [--pg URL] [--seconds 20]``. It (re)creates the database
``accord_bench_notices``, migrates it, seeds one authority and 200 providers, starts ``uvicorn`` (2 workers)
and one ``accord worker`` on loopback, then measures:

1. sustained intake: two client processes (``benchmarks/load.py``, standard library only; ``--threads`` kept-alive
   sockets each) POST removal orders for ``--seconds`` from the moment both are connected;
2. webhook latency: 200 removal orders, one every 50 ms, to a provider whose on-call endpoint is a local HTTP
   server in this process; latency is from just before the ``POST`` to the webhook's arrival;
3. a 10,000-line JSON-lines batch of referrals across the 200 providers in one ``POST /v1/notices/batch``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from benchmarks import load
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from accord.app import create_app
from accord.audit.service import Actor
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.identity import service as identity
from accord.jobs import webhooks
from accord.migrate import upgrade
from accord.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ACTOR = Actor("bench", None)
ORDER = {"kind": "removal_order", "tco_types": ["incitement"], "reasons": "Glorifies an attack.",
         "legal_basis": "TCO Art. 3", "redress": {"body": "Court", "deadline_days": 30}, "emergency": True,
         "emergency_reason": "benchmark"}


def app() -> FastAPI:
    """The uvicorn factory: settings from the environment, as in production."""
    return create_app(Settings())


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


def seed(url: str, hook_url: str) -> dict[str, Any]:
    settings = Settings(database_url=url, fetch_allow_private=True)
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        iru = identity.create_organisation(session, _Clock(), ACTOR, kind="authority", name="Bench IRU", country="FR")
        _, key = identity.create_key(session, _Clock(), ACTOR, org_id=iru.id)
        providers = [identity.create_organisation(session, _Clock(), ACTOR, kind="provider", name=f"Host {n}",
                                                  country="FR").id for n in range(200)]
        hooked = identity.create_organisation(session, _Clock(), ACTOR, kind="provider", name="On-call host",
                                              country="FR").id
        webhooks.create_endpoint(session, _Clock(), settings, ACTOR, org_id=hooked, url=hook_url,
                                 events=["notice.received"])
    engine.dispose()
    return {"key": key, "providers": providers, "hooked": hooked}


class _Clock:
    def now(self) -> Any:
        from datetime import UTC, datetime

        return datetime.now(UTC)


# ---- the webhook receiver ----------------------------------------------------------------------------------

ARRIVALS: dict[str, float] = {}


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        ARRIVALS[json.loads(body)["data"]["notice_id"]] = time.perf_counter()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


# ---- processes ---------------------------------------------------------------------------------------------


def _env(url: str, port: int) -> dict[str, str]:
    return {**os.environ, "ACCORD_DATABASE_URL": url, "ACCORD_FETCH_ALLOW_PRIVATE": "true", "ACCORD_MODE": "dev",
            "ACCORD_LOG_LEVEL": "WARNING", "ACCORD_PORT": str(port),
            "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", **UNLIMITED}


# One key sends every order from one address: the API's rate limits (web/ratelimit.py) out of the way.
UNLIMITED = {f"ACCORD_RATE_LIMIT_{kind}_PER_{per}": "100000000" for kind in ("INTAKE", "MATCH", "READS", "WRITES")
             for per in ("KEY", "ADDRESS")}


def start(url: str, port: int, workers: int = 2) -> list[subprocess.Popen[bytes]]:
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "benchmarks.notices:app", "--factory", "--host",
                               "127.0.0.1", "--port", str(port), "--workers", str(workers),
                               "--no-access-log",
                               "--log-level", "warning"], env=_env(url, port), cwd=ROOT)
    worker = subprocess.Popen([sys.executable, "-m", "accord", "worker"], env=_env(url, port), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return [server, worker]
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _ticks(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def cpu_seconds(server_pids: list[int]) -> dict[str, float]:
    """CPU used so far by the API server's processes, by PostgreSQL's, and by the whole machine (Linux /proc)."""
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    parents: dict[str, str] = {}
    names: dict[str, str] = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                head, tail = stat.read().rsplit(")", 1)
            names[pid], parents[pid] = head.split("(", 1)[1], tail.split()[1]
        except OSError:
            continue
    server = {str(p) for p in server_pids}
    server |= {pid for pid, parent in parents.items() if parent in server}
    hertz = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as stat:
        total = stat.readline().split()[1:]
    busy = sum(int(v) for v in total) - int(total[3]) - int(total[4])  # all but idle and iowait
    return {"server": sum(_ticks(p) for p in server) / hertz,
            "postgres": sum(_ticks(p) for p in pids if names.get(p) == "postgres") / hertz,
            "machine": busy / hertz}


def intake(base: str, key: str, providers: list[str], seconds: float, threads: int,
           server_pids: list[int]) -> tuple[float, int, dict[str, float]]:
    """Notices per second, failures, and CPU milliseconds per notice (server, PostgreSQL, clients, whole
    machine). The window opens when both client processes are connected (``load.client``)."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(3), context.Queue()
    work = load.Load(base=base, key=key, providers=providers, order=ORDER, seconds=seconds, threads=threads)
    clients = [context.Process(target=load.client, args=(work, i, barrier, results)) for i in range(2)]
    for process in clients:
        process.start()
    barrier.wait()
    before = cpu_seconds(server_pids)
    sent: list[load.Sent] = [results.get(timeout=seconds + 120) for _ in clients]
    after = cpu_seconds(server_pids)
    for process in clients:
        process.join()
    elapsed = max(s.ended for s in sent) - min(s.started for s in sent)
    ok = sum(s.ok for s in sent)
    per_notice = {k: (after[k] - before[k]) * 1000 / max(ok, 1) for k in after}
    per_notice["clients"] = sum(s.cpu_seconds for s in sent) * 1000 / max(ok, 1)
    return ok / elapsed, sum(s.failed for s in sent), per_notice


def webhook_latency(base: str, key: str, hooked: str, count: int = 200) -> list[float]:
    sent: dict[str, float] = {}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        for n in range(count):
            before = time.perf_counter()
            body = {**ORDER, "provider_id": hooked, "reference": f"W-{n}", "urls": [f"https://w.example/{n}"]}
            sent[client.post("/v1/notices", json=body).json()["id"]] = before
            time.sleep(0.05)
    deadline = time.monotonic() + 60
    while len([i for i in sent if i in ARRIVALS]) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(ARRIVALS[i] - t for i, t in sent.items() if i in ARRIVALS)


def batch(base: str, key: str, providers: list[str], lines: int = 10_000) -> tuple[float, dict[str, Any]]:
    body = "\n".join(json.dumps({"kind": "referral", "provider_id": providers[n % len(providers)],
                                 "urls": [f"https://day.example/{n}"], "reasons": "Recruitment", "clause": "4.2",
                                 "tco_types": ["solicitation_group"]}) for n in range(lines))
    started = time.perf_counter()
    response = httpx.post(f"{base}/v1/notices/batch", content=body.encode(), timeout=600,
                          headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"})
    elapsed = time.perf_counter() - started
    report = response.json()
    return elapsed, {"accepted": report["accepted"], "refused": report["refused"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/accord_bench_notices")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--threads", type=int, default=16, help="connections (threads) per client process")
    parser.add_argument("--batch-lines", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = parser.parse_args()
    hook = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    url = fresh_database(args.pg)
    world = seed(url, f"http://127.0.0.1:{hook.server_address[1]}/hook")
    processes = start(url, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    try:
        rate, failed, cpu = intake(base, world["key"], world["providers"], args.seconds, args.threads,
                                   [processes[0].pid])
        print(f"intake: {rate:.0f} notices/s over {args.seconds:.0f} s (2 client processes x {args.threads} threads), "
              f"{failed} failed; CPU per notice: server {cpu['server']:.1f} ms, PostgreSQL {cpu['postgres']:.1f} ms, "
              f"clients {cpu['clients']:.1f} ms, whole machine {cpu['machine']:.1f} ms "
              f"(load average before: {os.getloadavg()[0]:.1f})", flush=True)
        latencies = webhook_latency(base, world["key"], world["hooked"])
        p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
        print(f"webhook: {len(latencies)}/200 arrived, median {statistics.median(latencies) * 1000:.0f} ms, "
              f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms", flush=True)
        seconds, report = batch(base, world["key"], world["providers"], args.batch_lines)
        print(f"batch: {args.batch_lines:,} lines in {seconds:.1f} s ({report})", flush=True)
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
