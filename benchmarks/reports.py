"""Benchmark: a year's transparency report over 1,000,000 decisions, and the statement-of-reasons export rate.

Usage: ``PYTHONPATH=src python benchmarks/reports.py [--decisions N] [--url postgresql+psycopg://...]``.
It creates (or resets) the database ``accord_bench_reports`` on the test PostgreSQL server, loads N decisions'
audit events plus a year of orders, notices and complaints with COPY (the hash chain is not computed: reports
never read it), then times ``provider_report`` for the year and streams every statement through
``to_json_lines``. ``--reuse`` times a database loaded before. Targets: report < 10 s, export >= 20,000 statements/s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import make_engine, make_sessionmaker
from accord.identity.models import Organisation
from accord.models import metadata
from accord.policies.models import Policy, PolicyVersion
from accord.transparency import reports, service

DEFAULT_URL = os.environ.get("ACCORD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/accord_test")
YEAR = 2026
START = datetime(YEAR, 1, 1, tzinfo=UTC)
PROVIDER = "org_bench_provider"


def _database(url: str, name: str) -> str:
    bench = make_url(url).set(database=name)
    admin = create_engine(bench.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    rendered = bench.render_as_string(hide_password=False)
    engine = make_engine(rendered, pool=False)
    # The statement export reads the provider's policy versions (none here) besides the audit trail.
    tables = [Organisation.__table__, AuditEvent.__table__, Policy.__table__, PolicyVersion.__table__]
    metadata.create_all(engine, tables=tables)  # type: ignore[arg-type]
    engine.dispose()
    return rendered


def _decision(rng: random.Random, index: int) -> tuple[str, dict[str, object]]:
    action = rng.choices(("remove", "disable", "restrict", "no_action"), (70, 10, 5, 15))[0]
    sources = rng.choice((["hash_match"], ["trusted_flag"], ["user_report"], ["referral"], ["removal_order"]))
    return f"dec_{index:08d}", {
        "case_id": f"case_{index:08d}", "provider_id": PROVIDER, "action": action,
        "countries": ["DE"] if action == "disable" else [], "ground_kind": rng.choice(("legal", "terms")),
        "ground_ref": "TCO Art. 2(7)(a)", "automated_detection": sources == ["hash_match"],
        "automated_decision": False, "exempt_purpose": None, "notice_ids": [], "sources": sources,
        "content_type": [rng.choice(("video", "image", "text"))],
        **({"restriction": "demoted"} if action == "restrict" else {}),
    }


def _rows(decisions: int) -> tuple[io.StringIO, int]:
    """Tab-separated COPY rows: the decisions, and a year of orders, notices and complaints beside them."""
    rng, out, seq = random.Random(7), io.StringIO(), 0
    seconds = 365 * 86400 / max(decisions, 1)

    def add(tag: Event, subject: str, payload: dict[str, object], at: datetime) -> None:
        nonlocal seq
        seq += 1
        body = json.dumps(payload, separators=(",", ":")).replace("\\", "\\\\")
        out.write(f"{seq}\tevt_{seq}\t{at.isoformat()}\tbench\t{PROVIDER}\t{tag}\t{subject}\t{body}\t-\t-\n")

    for index in range(decisions):
        subject, payload = _decision(rng, index)
        add(Event.CASES_DECISION_CREATE, subject, payload, START + timedelta(seconds=index * seconds))
    for index in range(2_000):
        at = START + timedelta(hours=rng.randint(0, 8700))
        common = {"kind": "removal_order" if index < 500 else "trusted_flag", "issuer_id": f"org_i{index % 9}",
                  "provider_id": PROVIDER, "member_state": rng.choice(("FR", "DE", "ES"))}
        add(Event.NOTICES_NOTICE_RECEIVE, f"ntc_{index}", {**common, "issuer_kind": "authority", "tco_types":
            ["incitement"], "cross_border": False}, at)
        add(Event.NOTICES_NOTICE_ACKNOWLEDGE, f"ntc_{index}", {**common, "seconds_to_ack": rng.randint(60, 900)}, at)
        add(Event.NOTICES_NOTICE_OUTCOME, f"ntc_{index}", {**common, "outcome": "removed",
                                                        "seconds_to_act": rng.randint(600, 3500)}, at)
    for index in range(10_000):
        at = START + timedelta(hours=rng.randint(0, 8700))
        add(Event.RIGHTS_COMPLAINT_FILE, f"cmp_{index}", {"provider_id": PROVIDER, "by": "uploader"}, at)
        add(Event.RIGHTS_COMPLAINT_DECIDE, f"cmp_{index}", {"provider_id": PROVIDER, "outcome": "upheld",
                                                         "seconds_to_decide": rng.randint(3600, 900000)}, at)
    out.seek(0)
    return out, seq


def _load(url: str, decisions: int) -> int:
    engine = make_engine(url, pool=False)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (id, kind, name, contact_languages, settings, created_at) "
                          "VALUES (:id, 'provider', 'Bench Host', '[]', '{}', now())"), {"id": PROVIDER})
        rows, count = _rows(decisions)
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor().copy("COPY audit_events (seq, id, at, actor, org_id, tag, subject, payload, prev_hash, "
                               "hash) FROM STDIN") as copy:
            while chunk := rows.read(1 << 20):
                copy.write(chunk)
        conn.execute(text("ANALYZE audit_events"))
    engine.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="time the database loaded by a previous run")
    parser.add_argument("--database", default="accord_bench_reports",
                        help="the database to (re)create: another name when others benchmark on the same server")
    args = parser.parse_args()
    if args.reuse:
        url = make_url(args.url).set(database=args.database).render_as_string(hide_password=False)
    else:
        url = _database(args.url, args.database)
        began = time.perf_counter()
        events = _load(url, args.decisions)
        print(f"loaded {events:,} events in {time.perf_counter() - began:.1f} s")
    engine = make_engine(url, pool=False)
    factory = make_sessionmaker(engine)
    clock = FrozenClock(datetime(YEAR + 1, 1, 15, tzinfo=UTC))
    with factory() as session:
        org = session.get(Organisation, PROVIDER)
        assert org is not None
        began = time.perf_counter()
        report = reports.provider_report(session, clock, org=org, year=YEAR)
        elapsed = time.perf_counter() - began
        print(f"yearly report over {report['tco_art7']['a_measures']['decisions']:,} decisions: {elapsed:.2f} s "
              f"(target < 10 s)")
    with factory() as session:
        began = time.perf_counter()
        count = sum(1 for _ in service.statement_lines(session, provider_id=PROVIDER))
        elapsed = time.perf_counter() - began
        print(f"statement export: {count:,} statements in {elapsed:.1f} s = {count / elapsed:,.0f}/s "
              f"(target >= 20,000/s)")
    engine.dispose()


if __name__ == "__main__":
    main()
