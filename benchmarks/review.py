"""Review console benchmark on PostgreSQL: next+decide throughput with concurrent reviewers, and queue listing
latency with many open cases.

    ACCORD_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/accord_bench_review \\
        .venv/bin/python benchmarks/review.py --cases 2000 --open 100000

Targets (issue 4): >= 100 decisions/s with 4 reviewers; listing p99 < 100 ms with 100,000 open cases.
The database named in the URL is dropped and re-created.

Throughput is measured twice (``--mode both``, the default): with the reviewers as threads of one process,
sharing one interpreter lock, and as separate processes, as in production, where each reviewer's request is
handled by one of several server worker processes. Each decision is the same in both: next + decide (statement
of reasons, audit events, the rights job, quality sampling) in its own committed transaction.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import threading
import time
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier

import psutil  # type: ignore[import-untyped]
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.service import Actor
from accord.cases import claims, decisions, queues, service
from accord.cases.models import Case
from accord.clock import SystemClock
from accord.db import make_engine, make_sessionmaker, new_id, unit_of_work
from accord.identity import service as identity
from accord.identity.service import Principal
from accord.migrate import upgrade

ACTOR = Actor("bench", None)
CLEAR = decisions.DecisionInput(action="remove", ground="TCO Art. 2(7)", facts="benchmark")


def _fresh_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    upgrade(url)


def _provider(factory: sessionmaker[Session], name: str, reviewers: int) -> tuple[str, list[Principal]]:
    clock = SystemClock()
    with unit_of_work(factory) as session:
        org = identity.create_organisation(session, clock, ACTOR, kind="provider", name=name)
        people = []
        for i in range(reviewers):
            member = identity.add_member(session, clock, ACTOR, org_id=org.id, email=f"r{i}@{name}.example",
                                         name=f"r{i}", role="reviewer", password="benchmark-password")
            people.append(identity.member_principal(session, member))
        return org.id, people


def _seed(factory: sessionmaker[Session], name: str, cases: int, reviewers: int) -> list[Principal]:
    org_id, people = _provider(factory, name, reviewers)
    clock = SystemClock()
    with unit_of_work(factory) as session:
        for i in range(cases):
            service.open_case_from_match(session, clock, ACTOR, provider_id=org_id, signal_type="md5",
                                         value=f"{i:032x}")
    return people


def _review_until_empty(factory: sessionmaker[Session], who: Principal) -> int:
    """One reviewer's loop: next + decide, one transaction each, until nothing waits; the decisions made."""
    clock = SystemClock()
    count = 0
    while True:
        with unit_of_work(factory) as session:
            result = claims.next_case(session, clock, who)
            if result.case is None:
                return count
            decisions.decide(session, clock, who, result.case.id, CLEAR)
            count += 1


def throughput(factory: sessionmaker[Session], cases: int, reviewers: int) -> float:
    """Decisions per second with ``reviewers`` threads each looping next + decide until nothing waits."""
    people = _seed(factory, "throughput", cases, reviewers)
    done: list[int] = []

    def work(who: Principal) -> None:
        done.append(_review_until_empty(factory, who))

    threads = [threading.Thread(target=work, args=(p,)) for p in people]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    assert sum(done) == cases, (sum(done), cases)
    return cases / elapsed


def _reviewer_process(url: str, who: Principal, ready: Barrier,
                      results: multiprocessing.Queue[tuple[int, float, float]]) -> None:
    """One reviewer as its own process: its decisions, and the CPU seconds it and its database backend used."""
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory() as session:  # connect before the clock starts, as a running server worker has
        backend = psutil.Process(int(session.execute(text("SELECT pg_backend_pid()")).scalar_one()))
    ready.wait()
    client_before, server_before = time.process_time(), sum(backend.cpu_times()[:2])
    count = _review_until_empty(factory, who)  # one thread, so the pool hands back the same connection
    results.put((count, time.process_time() - client_before, sum(backend.cpu_times()[:2]) - server_before))
    engine.dispose()


def throughput_processes(factory: sessionmaker[Session], url: str, cases: int,
                         reviewers: int) -> tuple[float, float, float]:
    """Decisions per second with ``reviewers`` processes each looping next + decide until nothing waits (the
    clock starts once every process is connected and waiting), and the CPU milliseconds per decision spent by
    the reviewer processes and by their PostgreSQL backends: unlike the rate, these do not depend on what else
    the machine is running."""
    people = _seed(factory, "processes", cases, reviewers)
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(reviewers + 1)
    results: multiprocessing.Queue[tuple[int, float, float]] = context.Queue()
    workers = [context.Process(target=_reviewer_process, args=(url, who, ready, results)) for who in people]
    for worker in workers:
        worker.start()
    ready.wait()
    start = time.perf_counter()
    done = [results.get() for _ in workers]
    elapsed = time.perf_counter() - start
    for worker in workers:
        worker.join()
    total = sum(count for count, _, _ in done)
    assert total == cases, (total, cases)
    return (cases / elapsed, 1000 * sum(c for _, c, _ in done) / cases, 1000 * sum(s for _, _, s in done) / cases)


def listing(factory: sessionmaker[Session], open_cases: int, samples: int) -> tuple[float, float]:
    """p50 and p99 (ms) of the first page of the queue listing with ``open_cases`` waiting."""
    org_id, _ = _provider(factory, "listing", 1)
    clock = SystemClock()
    now = datetime.now(UTC)
    with unit_of_work(factory) as session:
        queue = queues.default_queue(session, org_id, now)
        rows = [{"id": new_id("case"), "provider_id": org_id, "content_key": f"https://e.example/{i}", "urls": [],
                 "signals": [], "title": "", "state": "open", "sources": ["user_report"], "created_at": now,
                 "updated_at": now, "triaged_at": now, "queue_id": queue.id, "tier": i % 3, "score": i % 10,
                 "urgency": 100 - i % 10, "score_reasons": [], "labels": [], "media": [], "graphic": False}
                for i in range(open_cases)]
        for start in range(0, len(rows), 5000):
            session.execute(insert(Case), rows[start:start + 5000])
    with factory() as session:
        session.execute(text("ANALYZE"))
        session.commit()  # statistics written inside a transaction would be rolled back with it
        timings = []
        for _ in range(samples):
            began = time.perf_counter()
            service.list_cases(session, clock, org_id, limit=50)
            timings.append((time.perf_counter() - began) * 1000)
            session.rollback()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000, help="cases decided in the throughput run")
    parser.add_argument("--reviewers", type=int, default=4)
    parser.add_argument("--mode", choices=("both", "threads", "processes"), default="both",
                        help="reviewers as threads of one process, as separate processes, or both")
    parser.add_argument("--open", type=int, default=100_000, help="open cases for the listing run")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("ACCORD_BENCH_POSTGRES_URL",
                         "postgresql+psycopg://postgres@127.0.0.1:5432/accord_bench_review")
    _fresh_database(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.mode in ("both", "threads"):
        rate = throughput(factory, args.cases, args.reviewers)
        print(f"next+decide: {rate:.1f} decisions/s with {args.reviewers} reviewer threads in one process "
              f"({args.cases} cases)")
    if args.mode in ("both", "processes"):
        rate, client_ms, server_ms = throughput_processes(factory, url, args.cases, args.reviewers)
        print(f"next+decide: {rate:.1f} decisions/s with {args.reviewers} reviewer processes ({args.cases} cases); "
              f"CPU per decision: {client_ms:.1f} ms in the reviewer processes, {server_ms:.1f} ms in their "
              f"PostgreSQL backends")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    p50, p99 = listing(factory, args.open, args.samples)
    print(f"listing with {args.open} open cases: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
