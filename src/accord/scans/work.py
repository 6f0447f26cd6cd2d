"""What a worker does with one batch: read each item, hash it, match it against the banks' indexes it was handed,
and send back only what matched. Nothing here touches the database.

The indexes travel as ``IndexPayload`` (the active entries' values per signal type, read by the client) and
are built once per worker process and payload (``_indexes``), not once per batch. An item that cannot be read
or decoded (missing, too large, truncated, a decompression bomb, a video over its time limit) is an error of
that item, counted and reported, never a crash of the batch: the limits are those of uploads
(``MediaLimits``, the guarded fetcher).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from accord.errors import DomainError
from accord.matching import MatchIndex, build_index
from accord.matching.base import Hit, best_hits
from accord.matching.lookup import QuerySignal, signals_of_upload
from accord.scans import sources
from accord.settings import Settings
from accord.signals import MediaLimits


@dataclass(frozen=True)
class IndexPayload:
    """The values to match against, per signal type: ``(entry_id, value)`` pairs of the active entries of the
    banks in the scan's scope (variants included). ``key`` names this payload (workers build it once)."""

    key: str
    pairs: dict[str, list[tuple[int, str]]]


@dataclass(frozen=True, slots=True)
class Matched:
    """One item that hit: its signals and, per signal value, the entries it hit."""

    ref: str
    kind: str
    signals: tuple[tuple[str, str], ...]
    hits: dict[str, list[Hit]]


@dataclass
class BatchResult:
    """A batch done: how many items, which failed and why, which matched."""

    number: int
    items: int = 0
    matched: list[Matched] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of the thread that ran it: below ``seconds`` when the machine is shared


_BUILT: dict[str, dict[str, MatchIndex]] = {}
_BUILDING = threading.Lock()
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_THRESHOLD = 64 * 1024 * 1024


def _tune_allocator() -> None:
    """Undo the one setting of a Dask worker that slows hashing: its nanny starts workers with
    ``MALLOC_TRIM_THRESHOLD_=65536``, which in glibc also pins the mmap threshold at 128 KiB, so every decoded
    image and pdqhash buffer is mapped and unmapped afresh and the heap is shrunk after each (measured: +50 %
    CPU per image, and the 2-worker cluster slower than one process). Both thresholds go to 64 MiB: a worker
    keeps at most that much freed memory for the next image, and memory is still given back beyond it."""
    if os.environ.get("MALLOC_TRIM_THRESHOLD_") is None or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, _THRESHOLD)
        libc.mallopt(_M_TRIM_THRESHOLD, _THRESHOLD)
    except (OSError, AttributeError):  # not glibc (musl): nothing to undo
        return


def _indexes(payload: IndexPayload) -> dict[str, MatchIndex]:
    """The payload's indexes, built once per process (a worker's threads share them; only the latest is kept)."""
    with _BUILDING:
        if payload.key not in _BUILT:
            if not _BUILT:
                _tune_allocator()  # once per process
            _BUILT.clear()
            built = {}
            for signal_type, pairs in payload.pairs.items():
                built[signal_type] = build_index(signal_type)
                built[signal_type].add_many(pairs)
            _BUILT[payload.key] = built
        return _BUILT[payload.key]


def scan_batch(number: int, refs: Sequence[str], payload: IndexPayload, limits: MediaLimits,
               fetch_settings: Settings) -> BatchResult:
    """Read, hash and match every item of one batch (run on a Dask worker, or in process)."""
    began, cpu = time.perf_counter(), time.thread_time()
    indexes = _indexes(payload)
    result = BatchResult(number, items=len(refs))
    for ref in refs:
        try:
            data = sources.read(ref, limits, fetch_settings)
            signals = signals_of_upload(data, limits)
        except (DomainError, OSError, ValueError) as exc:  # unreadable, too large, undecodable: this item only
            result.failed.append((ref, _reason(exc)))
            continue
        hits = match(indexes, signals)
        if hits:
            kind = "image" if any(s.type == "pdq" for s in signals) else "video" if any(
                s.type in ("video_md5", "vpdq") for s in signals) else "other"
            result.matched.append(Matched(ref, kind, tuple((s.type, s.value) for s in signals), hits))
    result.seconds, result.cpu_seconds = time.perf_counter() - began, time.thread_time() - cpu
    return result


def match(indexes: dict[str, MatchIndex], signals: Sequence[QuerySignal]) -> dict[str, list[Hit]]:
    """Per signal value that hit something (``type:value``), the entries it hit (its variants probed too)."""
    found: dict[str, list[Hit]] = {}
    for signal in signals:
        index = indexes.get(signal.type)
        if index is None:
            continue
        hits = best_hits(hit for hits in index.query_many(signal.values()) for hit in hits)
        if hits:
            found[f"{signal.type}:{signal.value}"] = hits
    return found


def _reason(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return str(exc.detail)
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"{exc.__class__.__name__}: {exc}"[:300]
