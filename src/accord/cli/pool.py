"""Work on many files with every core: ``accord hash`` and ``accord match`` hash their files in a process pool.

Results come back in the order of the files given. Memory stays bounded: each worker reads and decodes one file
at a time (the media limits apply in the worker as they do in one process), and at most two batches per worker
are in flight, so a list of a million paths never turns into a million pending results. A worker that dies (a
decoder crash, the kernel's out-of-memory killer) costs the files of its batch, reported through ``on_crash``;
the pool is started again for the rest. One worker, or a handful of files, runs in this process: no start-up.
A run of ``PROGRESS_FROM`` files or more shows a Rich progress bar on standard error.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

T = TypeVar("T")

BATCH = 8
"""Files per task sent to a worker (a task costs about 0.1 ms of pickling and wake-ups)."""
PROGRESS_FROM = 200
"""Runs of at least this many files show a progress bar."""


def cores() -> int:
    """The cores this process may run on (``taskset`` and cgroup CPU sets respected)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover  # not Linux
        return os.cpu_count() or 1


def _run_batch(work: Callable[[Path], T], paths: list[Path]) -> list[T]:
    return [work(path) for path in paths]


def map_files(work: Callable[[Path], T], paths: Sequence[Path], *, on_crash: Callable[[Path], T],
              workers: int | None = None, console: Console | None = None) -> Iterator[tuple[Path, T]]:
    """``(path, work(path))`` for each path, in order, computed on ``workers`` processes (default: every core
    this process may use). ``work`` must be picklable (a module-level function or a ``functools.partial`` of
    one)."""
    workers = max(1, min(workers or cores(), -(-len(paths) // BATCH)))
    batches = [list(paths[i : i + BATCH]) for i in range(0, len(paths), BATCH)]
    progress = _progress(console) if console is not None and len(paths) >= PROGRESS_FROM else None
    if progress is None:
        yield from _pooled(work, batches, workers, on_crash, lambda n: None)
        return
    with progress:
        task = progress.add_task("hashing", total=len(paths))
        yield from _pooled(work, batches, workers, on_crash, lambda n: progress.advance(task, n))


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, transient=True)


def _pooled(work: Callable[[Path], T], batches: list[list[Path]], workers: int, on_crash: Callable[[Path], T],
            advance: Callable[[int], None]) -> Iterator[tuple[Path, T]]:
    if workers == 1:
        for batch in batches:
            for path in batch:
                yield path, work(path)
            advance(len(batch))
        return
    pending = deque(batches)
    while pending:
        with _executor(workers) as pool:
            in_flight: deque[tuple[list[Path], Future[list[T]]]] = deque()
            try:
                while pending or in_flight:
                    while pending and len(in_flight) < 2 * workers:
                        batch = pending.popleft()
                        in_flight.append((batch, pool.submit(_run_batch, work, batch)))
                    batch, future = in_flight.popleft()
                    results = future.result()
                    yield from zip(batch, results, strict=True)
                    advance(len(batch))
            except BrokenProcessPool:
                # The batch whose result was awaited is reported lost; the other in-flight ones are sent again.
                yield from ((path, on_crash(path)) for path in batch)
                advance(len(batch))
                pending.extendleft(reversed([b for b, _ in in_flight]))


def _executor(workers: int) -> ProcessPoolExecutor:
    # fork: the workers start with what this process has imported already (milliseconds, not a second each).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)
