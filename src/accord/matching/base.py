"""The shape every match index has, whatever its signal type.

A match index maps a signal value to the bank entries that hold it. It is updated in place as entries arrive
or are disabled (never rebuilt per change) and can be written to disk so that a matcher restarts quickly.
"""

from __future__ import annotations

import abc
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self


@dataclass(frozen=True, slots=True)
class Hit:
    """One indexed entry that matched a query. ``distance`` is 0 for exact signal types, the Hamming distance
    for PDQ, and for vPDQ the share of the query's frames that found no match (``100 - floor(query %)``);
    vPDQ hits also carry python-threatexchange's two match percentages (None for other types)."""

    entry_id: int
    distance: int
    query_match_percent: float | None = None
    """vPDQ: the share of the query's frames within the frame threshold of some frame of the entry."""
    compared_match_percent: float | None = None
    """vPDQ: the share of the entry's frames within the frame threshold of some frame of the query."""


class MatchIndex(abc.ABC):
    """An in-memory index of signal values, each tagged with the id of the bank entry holding it.

    An entry id may carry several values (an entry's variant hashes); ``remove`` drops all of them. A query
    answers each matching entry once, at its smallest distance.
    """

    #: The signal type this index serves (``pdq``, ``md5``...).
    signal_type: str

    @abc.abstractmethod
    def add_many(self, entries: Iterable[tuple[int, str]]) -> None:
        """Index ``(entry_id, value)`` pairs; values must already be validated and normalised."""

    def add(self, entry_id: int, value: str) -> None:
        """Index one value for ``entry_id``."""
        self.add_many([(entry_id, value)])

    @abc.abstractmethod
    def remove(self, entry_id: int) -> int:
        """Stop matching every value of ``entry_id`` (disabled or deleted); answer how many were dropped."""

    @abc.abstractmethod
    def query_many(self, values: Sequence[str], threshold: int | None = None) -> list[list[Hit]]:
        """For each value, the entries within ``threshold`` (the signal type's default when None)."""

    def query(self, value: str, threshold: int | None = None) -> list[Hit]:
        """The entries matching one value, closest first."""
        return self.query_many([value], threshold)[0]

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many live (not removed) values the index holds."""

    @abc.abstractmethod
    def save(self, path: Path) -> None:
        """Write a snapshot to ``path`` atomically (a reader never sees half a file)."""

    @classmethod
    @abc.abstractmethod
    def load(cls, path: Path) -> Self:
        """Read a snapshot written by ``save``."""


def best_per_entry(found: Iterable[tuple[int, int]]) -> list[Hit]:
    """Collapse ``(entry_id, distance)`` pairs to one hit per entry at its least distance, closest first."""
    best: dict[int, int] = {}
    for entry_id, distance in found:
        if distance < best.get(entry_id, distance + 1):
            best[entry_id] = distance
    return [Hit(entry_id, distance) for distance, entry_id in sorted((d, e) for e, d in best.items())]


def best_hits(hits: Iterable[Hit]) -> list[Hit]:
    """One hit per entry, the one at its least distance (keeping its percentages), closest first."""
    best: dict[int, Hit] = {}
    for hit in hits:
        known = best.get(hit.entry_id)
        if known is None or hit.distance < known.distance:
            best[hit.entry_id] = hit
    return sorted(best.values(), key=lambda hit: (hit.distance, hit.entry_id))


def write_json_atomically(path: Path, document: Any) -> None:
    """Write ``document`` as JSON to ``path`` through a temporary file and a rename: a crash mid-write
    leaves the previous snapshot, never half of a new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
