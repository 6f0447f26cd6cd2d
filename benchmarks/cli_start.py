"""The command line's start-up, as its user meets it: the whole command, interpreter start included.

    PYTHONPATH=src python benchmarks/cli_start.py [--runs 7]

Each command runs pinned to one core (``taskset -c 0`` when present), best and median of ``--runs``. ``org list``
opens an empty migrated SQLite database, so it shows what a command that reads the database pays.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHOTO = ROOT / "tests" / "data" / "photos" / "mate-aqua.jpg"


def _accord() -> list[str]:
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    return [*pin, sys.executable, "-m", "accord"]


def _time(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*_accord(), *args], env=env, check=True, capture_output=True)
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ACCORD_DATABASE_URL": f"sqlite:///{tmp}/start.db"}
        subprocess.run([*_accord(), "db", "upgrade"], env=env, check=True, capture_output=True)
        print(f"load average {os.getloadavg()[0]:.1f}; {runs} runs, one core")
        print("| command | best | median |")
        print("|---|---|---|")
        for label, args in (("accord --help", ["--help"]), ("accord hash ONE.jpg", ["hash", str(PHOTO)]),
                            ("accord org list", ["org", "list"]), ("accord notice --help", ["notice", "--help"])):
            best, median = _time(args, env, runs)
            print(f"| `{label}` | {best:.2f} s | {median:.2f} s |")


if __name__ == "__main__":
    main()
