"""The process pool behind ``accord hash`` and ``accord match``: results in order, every core used, a dead
worker costs only its batch, a progress bar on long runs, and the same hashes as one process."""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path

from PIL import Image
from rich.console import Console

from accord.cli import pool
from accord.cli.hashing import _crashed, _hash_one
from accord.signals import MediaLimits


def _pid_and_name(path: Path) -> tuple[int, str]:
    return os.getpid(), path.name


def _dies_on(path: Path, poison: str) -> str:
    if path.name == poison:
        os._exit(9)  # a decoder crash: the worker process is gone without a word
    return path.name


def _lost(path: Path) -> str:
    return f"lost {path.name}"


def _paths(n: int) -> list[Path]:
    return [Path(f"/nowhere/{i:04d}.jpg") for i in range(n)]


def test_results_come_in_order_from_several_processes() -> None:
    paths = _paths(100)
    results = list(pool.map_files(_pid_and_name, paths, on_crash=_lost, workers=2))
    assert [path for path, _ in results] == paths
    assert [name for _, (_, name) in results] == [p.name for p in paths]
    pids = {pid for _, (pid, _) in results}
    assert len(pids) == 2 and os.getpid() not in pids


def test_one_worker_or_few_files_run_in_this_process() -> None:
    for paths, workers in ((_paths(50), 1), (_paths(3), None)):
        results = list(pool.map_files(_pid_and_name, paths, on_crash=_lost, workers=workers))
        assert {pid for _, (pid, _) in results} == {os.getpid()}


def test_a_dead_worker_costs_its_batch_and_the_rest_is_done() -> None:
    paths = _paths(60)
    work = functools.partial(_dies_on, poison="0021.jpg")
    results = dict(pool.map_files(work, paths, on_crash=_lost, workers=2))
    assert list(results) == paths
    lost = [path.name for path, value in results.items() if value.startswith("lost")]
    start = (21 // pool.BATCH) * pool.BATCH
    assert lost == [f"{i:04d}.jpg" for i in range(start, start + pool.BATCH)]
    assert all(results[p] == p.name for p in paths if p.name not in lost)


def test_a_long_run_shows_progress_on_the_console() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    results = list(pool.map_files(_pid_and_name, _paths(pool.PROGRESS_FROM), on_crash=_lost, workers=2,
                                  console=console))
    assert len(results) == pool.PROGRESS_FROM
    assert f"{pool.PROGRESS_FROM}/{pool.PROGRESS_FROM}" in out.getvalue() or "hashing" in out.getvalue()
    quiet = io.StringIO()
    list(pool.map_files(_pid_and_name, _paths(20), on_crash=_lost, workers=2, console=Console(file=quiet)))
    assert quiet.getvalue() == ""


def test_the_pool_hashes_as_one_process_does(tmp_path: Path) -> None:
    paths = []
    for i in range(24):
        path = tmp_path / f"{i}.png"
        Image.radial_gradient("L").rotate(i * 15).resize((96 + i, 80)).save(path)
        paths.append(path)
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    paths.append(tmp_path / "broken.jpg")
    work = functools.partial(_hash_one, limits=MediaLimits())
    alone = [doc for _, doc in pool.map_files(work, paths, on_crash=_crashed, workers=1)]
    pooled = [doc for _, doc in pool.map_files(work, paths, on_crash=_crashed, workers=2)]
    assert pooled == alone
    assert "error" in pooled[-1] and all("signals" in doc for doc in pooled[:-1])
