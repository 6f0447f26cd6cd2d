"""Reviewer training benchmark on PostgreSQL: what the calibration gate adds to every live claim, and how long
accuracy and Cohen's kappa take over many training answers.

    ACCORD_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/accord_bench_training \\
        .venv/bin/python benchmarks/training.py --answers 20000 --samples 500

The gate runs before every claim (API, console, CLI): with no rule it is one primary-key read; with the rule on
and the reviewer passed, two. The database named in the URL is dropped and re-created.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.service import Actor
from accord.clock import SystemClock
from accord.db import make_engine, make_sessionmaker, new_id, unit_of_work
from accord.identity import service as identity
from accord.identity.service import Principal
from accord.migrate import upgrade
from accord.training import practice, sets
from accord.training.models import TrainingAnswer

ACTOR = Actor("bench", None)
ACTIONS = ("remove", "no_action", "restrict", "disable")


def _fresh_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    upgrade(url)


def _timed(factory: sessionmaker[Session], samples: int, call: Callable[[Session], object]) -> tuple[float, float]:
    """p50 and p99 in milliseconds of ``call`` in a fresh read transaction each time."""
    spent = []
    for _ in range(samples):
        with factory() as session:
            start = time.perf_counter()
            call(session)
            spent.append((time.perf_counter() - start) * 1000)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.99) - 1]


def _world(factory: sessionmaker[Session], reviewers: int) -> tuple[Principal, list[Principal], str, list[str]]:
    clock = SystemClock()
    with unit_of_work(factory) as session:
        org = identity.create_organisation(session, clock, ACTOR, kind="provider", name="bench")
        people = []
        for i in range(reviewers + 1):
            member = identity.add_member(session, clock, ACTOR, org_id=org.id, email=f"r{i}@bench.example",
                                         name=f"r{i}", role="admin", password="benchmark-password")
            people.append(identity.member_principal(session, member))
        golden = sets.create_set(session, clock, people[0], name="bench")
        ids = [sets.add_written(session, clock, people[0], golden.id, sets.WrittenCase(
            title=f"case {i}", facts="facts", reference_action=ACTIONS[i % 4], reference_ground="g",
            reference_reasons="r")).id for i in range(200)]
        return people[0], people[1:], golden.id, ids


def _answers(factory: sessionmaker[Session], org_id: str, people: list[Principal], ids: list[str],
             count: int) -> None:
    clock = SystemClock()
    rows = [{"id": new_id("tans"), "org_id": org_id, "reviewer": people[i % len(people)].ref,
             "golden_case_id": ids[(i // len(people)) % len(ids)], "action": ACTIONS[(i * 7) % 4 if i % 3 else i % 4],
             "ground": "", "reasons": "", "correct": False,
             "attempt": 1 + i // (len(people) * len(ids)), "created_at": clock.now()} for i in range(count)]
    with unit_of_work(factory) as session:
        session.execute(insert(TrainingAnswer), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()
    url = os.environ.get("ACCORD_BENCH_POSTGRES_URL",
                         "postgresql+psycopg://postgres@127.0.0.1:5432/accord_bench_training")
    _fresh_database(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    admin, people, set_id, ids = _world(factory, args.reviewers)
    p50, p99 = _timed(factory, args.samples, lambda s: practice.check_live_claim(s, people[0]))
    print(f"gate, no rule: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    with unit_of_work(factory) as session:
        practice.set_rule(session, SystemClock(), admin, required=True, cases=1, min_accuracy=0.0)
        practice.answer(session, SystemClock(), people[0], set_id, ids[0], practice.Answer(action="remove"))
    p50, p99 = _timed(factory, args.samples, lambda s: practice.check_live_claim(s, people[0]))
    print(f"gate, rule on, reviewer passed: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    _answers(factory, admin.org_id, people, ids, args.answers)
    p50, p99 = _timed(factory, max(args.samples // 25, 5), lambda s: practice.agreement(s, admin.org_id))
    print(f"accuracy and kappa for {args.reviewers} reviewers over {args.answers} answers: "
          f"p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    engine.dispose()


if __name__ == "__main__":
    main()
