"""Retroactive scan speed: 10,000 images scanned in one process, then on a 2-worker Dask cluster started with
the ``dask scheduler`` and ``dask worker`` commands.

``PYTHONPATH=src python benchmarks/scan.py [--images 10000] [--entries 2000]`` (about 3 minutes on 2 cores).
Writes small varied JPEGs (160-400 px wide, quality 60-95; ``--images`` of them, 20 of which are re-encoded
copies of banked photos) to a temporary folder, banks ``--entries`` random PDQ hashes plus the 20 photos in a
coordinator's bank shared with all on a fresh SQLite database, then runs a provider's shadow scan of the folder
twice through ``accord.scans.service.run_scan``: in this process (``InProcess``, no Dask), and on the cluster
(``DaskRunner``; the scheduler and worker processes are started, and Accord imported on the workers, before the
clock starts: a running cluster). Both must find the 20.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from distributed import Client
from sqlalchemy.orm import Session, sessionmaker

import accord
from accord.audit.service import Actor
from accord.banks import service as banks
from accord.banks.files import signals_for_bank
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import SystemClock
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.demo.banks import jpeg, synthetic_photo
from accord.identity import service as identity
from accord.identity.service import Principal
from accord.migrate import upgrade
from accord.scans import service
from accord.scans.cluster import DaskRunner
from accord.scans.work import BatchResult, IndexPayload
from accord.settings import Settings
from accord.signals import MediaLimits

PLANTED = 20
LIMITS = MediaLimits()
ACTOR = Actor("bench:scan", None)
DASK = str(Path(sys.executable).with_name("dask"))


def write_images(folder: Path, count: int) -> None:
    rng = random.Random(16)
    for number in range(count):
        planted = number < PLANTED
        seed = number if planted else 10_000 + number
        width = rng.randint(160, 400)
        image = synthetic_photo(seed, (width, rng.randint(120, 300)) if not planted else (320, 240))
        (folder / f"{number // 1000:02d}").mkdir(exist_ok=True)
        (folder / f"{number // 1000:02d}" / f"{number:05d}.jpg").write_bytes(jpeg(image, rng.randint(60, 95)))


def seed_banks(factory: sessionmaker[Session], entries: int) -> Principal:
    clock = SystemClock()
    rng = random.Random(7)
    with unit_of_work(factory) as session:
        hub = identity.create_organisation(session, clock, ACTOR, kind="coordinator", name="Hub", country="BE")
        host = identity.create_organisation(session, clock, ACTOR, kind="provider", name="Host", country="FR")
        scopes = frozenset({"banks:read", "banks:write", "match"})
        curator = Principal(org_id=hub.id, org_kind=hub.kind, ref="bench", scopes=scopes)
        bank = banks.create_bank(session, clock, curator, name="shared", visibility="all")
        details = EntryDetails(labels=["glorification_of_terrorist_acts"])
        noise = [NewSignal("pdq", f"{rng.getrandbits(256):064x}") for _ in range(entries)]
        banks.add_entries(session, clock, curator, bank, noise, details)
        for number in range(PLANTED):
            photo = signals_for_bank(jpeg(synthetic_photo(number), 90), LIMITS)
            banks.add_entries(session, clock, curator, bank, photo, details)
        return Principal(org_id=host.id, org_kind=host.kind, ref="bench", scopes=scopes)


class Measured:
    """A runner's results, with the CPU time the batches took on whichever thread ran them."""

    def __init__(self, runner: service.Runner) -> None:
        self.runner, self.name, self.cpu = runner, runner.name, 0.0

    def map(self, payload: IndexPayload, batches: Iterator[tuple[int, list[str]]], limits: MediaLimits,
            fetch_settings: Settings) -> Iterator[BatchResult]:
        for result in self.runner.map(payload, batches, limits, fetch_settings):
            self.cpu += result.cpu_seconds
            yield result


def timed_scan(factory: sessionmaker[Session], settings: Settings, host: Principal, folder: Path,
               runner: service.Runner, batch_size: int) -> tuple[float, float, int, int]:
    """Wall seconds, batch CPU seconds, items read, items matched."""
    with unit_of_work(factory) as session:
        scan_id = service.start_scan(session, SystemClock(), host, sources_=[str(folder)], shadow=True,
                                     batch_size=batch_size).id
    measured = Measured(runner)
    began = time.perf_counter()
    scan = service.run_scan(factory, SystemClock(), host, scan_id, measured, settings=settings, limits=LIMITS)
    return time.perf_counter() - began, measured.cpu, scan.items_done, scan.items_matched


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_cluster(workdir: Path, workers: int) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """``dask scheduler`` and ``dask worker --nworkers N --nthreads 1``, as an operator would start them."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(Path(accord.__file__).parents[1])}
    quiet = {"env": env, "cwd": workdir, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], **quiet)  # type: ignore[call-overload]
    time.sleep(3)  # a benchmark waiting for a process to listen
    worker = subprocess.Popen([DASK, "worker", address, "--nworkers", str(workers), "--nthreads", "1",
                               "--no-dashboard", "--local-directory", str(workdir)], **quiet)  # type: ignore[call-overload]
    return address, [worker, scheduler]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="accord-bench-scan-") as tmp:
        root = Path(tmp)
        folder = root / "archive"
        folder.mkdir()
        began = time.perf_counter()
        write_images(folder, args.images)
        print(f"wrote {args.images} JPEGs in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        url = f"sqlite:///{root / 'bench.db'}"
        upgrade(url)
        settings = Settings(database_url=url)
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        host = seed_banks(factory, args.entries)
        alone = timed_scan(factory, settings, host, folder, service.InProcess(), args.batch_size)
        rows: list[tuple[str, float, float, int, int]] = [("one process (no Dask)", *alone)]
        address, processes = start_cluster(root, 2)
        try:
            with Client(address, timeout="60s") as client:  # type: ignore[no-untyped-call]  # distributed is unannotated
                client.wait_for_workers(2, timeout=120)
                client.run(importlib.import_module, "accord.scans.work")  # a running cluster has its imports done
                rows.append(("Dask, 2 workers x 1 thread (dask scheduler + dask worker)",
                             *timed_scan(factory, settings, host, folder, DaskRunner(client), args.batch_size)))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
        engine.dispose()
    load = os.getloadavg()
    print(f"{args.images} images, bank of {args.entries} random PDQ hashes + {PLANTED} photos, batches of "
          f"{args.batch_size}, "
          f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print("| run | items | matched | seconds | items/s | speed-up | hashing CPU per item |")
    print("|---|---|---|---|---|---|---|")
    base = rows[0][1]
    for name, seconds, cpu, items, matched in rows:
        print(f"| {name} | {items:,} | {matched} | {seconds:.1f} | {items / seconds:,.0f} | "
              f"x{base / seconds:.2f} | {cpu / items * 1000:.1f} ms |")
        assert matched == PLANTED, f"{name} found {matched} planted matches, not {PLANTED}"


if __name__ == "__main__":
    main()
