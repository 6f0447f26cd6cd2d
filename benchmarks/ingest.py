"""Bulk ingest on the user's path: ``accord bank import`` of N random PDQ hashes, as a child process.

    PYTHONPATH=src python benchmarks/ingest.py [--count 1000000] [--postgres-url URL] [--skip-sqlite] [--matcher]

For each database: a fresh one is migrated, given a coordinator and a bank (through the CLI), then the import
runs as its own process and is timed from its start to its exit. Peak memory is that child's: ``wait4``'s
``ru_maxrss`` (which Linux carries across ``exec``, so this script keeps its own memory small: the file is
written line by line) and, as a check, the last ``VmHWM`` read from ``/proc`` while it ran. Then the import's
chunk digests are verified against the stored rows (``accord bank verify-import``), and with ``--matcher`` a
fresh matcher picks the new entries up from the change log (``Matcher.refresh``).
The PostgreSQL database named in the URL is dropped and created again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from accord.db import make_engine, make_sessionmaker
from accord.matching.service import Matcher

SRC = Path(__file__).resolve().parent.parent / "src"
SECRET = secrets.token_urlsafe(48)


@dataclass(frozen=True)
class Run:
    database: str
    seconds: float
    peak_mb: float
    hwm_mb: float
    added: int
    refused: int
    verify_seconds: float
    refresh_seconds: float
    indexed: int


def write_hashes(path: Path, count: int, seed: int = 16) -> None:
    """``count`` random PDQ hashes as a bank CSV, written line by line (this process stays small)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("signal_type,signal_value,labels\n")
        for number in range(count):
            label = "glorification_of_terrorist_acts" if number % 10 == 0 else ""
            out.write(f"pdq,{rng.getrandbits(256):064x},{label}\n")


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "ACCORD_DATABASE_URL": url, "PYTHONPATH": str(SRC), "ACCORD_MODE": "dev",
            "ACCORD_SECRET_KEY": SECRET}  # dev mode: the production-only secrets are not needed here


def accord(url: str, *args: str) -> str:
    env = _env(url)
    done = subprocess.run([sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise RuntimeError(f"accord {' '.join(args)}: {done.stderr or done.stdout}")
    return done.stdout


def timed_import(url: str, csv_path: Path) -> tuple[float, float, float, dict[str, int]]:
    """Run the import as a child; its wall time, ``ru_maxrss`` and last ``VmHWM`` (MB), and its JSON answer."""
    env = _env(url)
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "accord", "bank", "import", "bench", str(csv_path), "--json"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    hwm, ended = [0.0], threading.Event()

    def watch() -> None:  # never reaps the child (``wait4`` below does), reads /proc until it has exited
        while not ended.wait(0.05):
            hwm[0] = max(hwm[0], _vm_hwm(child.pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    assert child.stdout is not None and child.stderr is not None
    out, err = child.stdout.read(), child.stderr.read()  # the pipes drained while it runs
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    ended.set()
    child.returncode = os.waitstatus_to_exitcode(status)
    watcher.join()
    if child.returncode:
        raise RuntimeError(f"import failed: {err.decode()}")
    return seconds, usage.ru_maxrss / 1024, hwm[0] / 1024, json.loads(out)


def _vm_hwm(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def prepare(url: str) -> None:
    accord(url, "db", "upgrade")
    accord(url, "org", "create", "--name", "Hub", "--kind", "coordinator")
    accord(url, "bank", "create", "bench")


def measure(name: str, url: str, csv_path: Path, *, matcher: bool) -> Run:
    prepare(url)
    seconds, peak, hwm, answer = timed_import(url, csv_path)
    began = time.perf_counter()
    accord(url, "bank", "verify-import", str(answer["import_id"]))
    verify = time.perf_counter() - began
    refresh, indexed = float("nan"), 0
    if matcher:  # after the child's figures: this process grows by the index
        engine = make_engine(url, pool=False)
        with make_sessionmaker(engine)() as session:
            began = time.perf_counter()
            follower = Matcher()
            follower.refresh(session)
            refresh, indexed = time.perf_counter() - began, len(follower.present)
        engine.dispose()
    return Run(name, seconds, peak, hwm, int(answer["added"]), int(answer["refused"]), verify, refresh, indexed)


def fresh_postgres(url: str) -> str:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", help="A PostgreSQL database to drop and create (psycopg URL)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--matcher", action="store_true",
                        help="Also time a fresh matcher reading the million changes from the log")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="accord-ingest-") as folder:
        csv_path = Path(folder) / "hashes.csv"
        began = time.perf_counter()
        write_hashes(csv_path, args.count)
        print(f"{args.count:,} hashes written in {time.perf_counter() - began:.1f} s "
              f"({csv_path.stat().st_size / 1e6:.0f} MB)", flush=True)
        if not args.skip_sqlite:
            runs.append(measure("SQLite", f"sqlite:///{folder}/accord.db", csv_path, matcher=args.matcher))
            print(runs[-1], flush=True)
        if args.postgres_url:
            runs.append(measure("PostgreSQL", fresh_postgres(args.postgres_url), csv_path, matcher=args.matcher))
            print(runs[-1], flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}\n")
    print("| database | hashes | wall time | hashes/s | peak RSS (ru_maxrss / VmHWM) | verify digests | "
          "matcher refresh |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        print(f"| {run.database} | {run.added:,} | {run.seconds:.1f} s | {run.added / run.seconds:,.0f} | "
              f"{run.peak_mb:.0f} / {run.hwm_mb:.0f} MB | {run.verify_seconds:.1f} s | "
              f"{_refresh(run)} |")


def _refresh(run: Run) -> str:
    return "-" if not run.indexed else f"{run.refresh_seconds:.1f} s ({run.indexed:,} indexed)"


if __name__ == "__main__":
    main()
