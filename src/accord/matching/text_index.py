"""Match indexes for the text signals: containment (winnowed fingerprints) and python-threatexchange's TLSH.

:class:`ContainmentMatchIndex` is an inverted index from fingerprint to the ``(entry, value)`` slots holding
it, kept as two sorted NumPy arrays (fingerprints, slots) plus the recent additions, merged into the arrays
(linearly, without re-sorting them) once they hold ``MERGE_AT`` postings or an eighth of the arrays. A removed
entry's slots are marked dead at once
(queries skip them) and their postings dropped at the next merge. A query counts, per slot, the distinct
fingerprints it shares with the text: a slot sharing at least ``MIN_SHARED`` is a hit, whose
``compared_match_percent`` is the share of the banked document found in the text and whose
``query_match_percent`` is the share of the text that comes from the banked document. The hit's distance is
``100 - floor(compared %)``: 0 when the whole banked document is there; a query's ``threshold`` is the
largest distance accepted (100 by default: any excerpt long enough to share ``MIN_SHARED`` fingerprints).
A fingerprint held by more than ``MAX_POSTINGS`` slots (boilerplate every document carries) is not counted.

:class:`TLSHMatchIndex` compares a query with every banked TLSH hash by python-threatexchange's measure
(``tlsh.diffxlen``) and threshold (30): TLSH has no sub-linear search; benchmarks/text.py measures its cost.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import tlsh
from threatexchange.extensions.tlsh.text_tlsh import TLSH_CONFIDENT_MATCH_THRESHOLD

from accord.errors import InvalidInput
from accord.matching.base import Hit, MatchIndex, write_json_atomically
from accord.signals.text import MIN_SHARED, decode_fingerprints

MERGE_AT = 200_000
"""Postings of recent additions (at least) before they are merged into the sorted arrays."""
MAX_POSTINGS = 5_000
"""A fingerprint in more slots than this says nothing about any one document and is not counted."""
TLSH_THRESHOLD: int = TLSH_CONFIDENT_MATCH_THRESHOLD
"""python-threatexchange's confident-match TLSH distance (30)."""
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class _Slot:
    entry_id: int
    value: str
    size: int
    """How many distinct fingerprints the banked value has."""


def _fingerprints(value: str) -> npt.NDArray[np.uint64]:
    try:
        return decode_fingerprints(value)
    except ValueError as exc:
        raise InvalidInput(f"invalid text_containment signal: {exc}", field="value") from None


class ContainmentMatchIndex(MatchIndex):
    """``text_containment`` values of bank entries (see the module docstring for what a hit means)."""

    signal_type = "text_containment"

    def __init__(self) -> None:
        """An empty index."""
        self._keys = np.zeros(0, dtype=np.uint64)
        self._owners = np.zeros(0, dtype=np.int64)
        self._recent: list[tuple[npt.NDArray[np.uint64], int]] = []
        self._recent_postings = 0
        self._recent_sorted: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]] | None = None
        self._dead_postings = 0
        self._slots: dict[int, _Slot] = {}
        self._by_entry: dict[int, list[int]] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._next_slot = 0

    def __len__(self) -> int:
        """How many live ``(entry, value)`` pairs the index holds."""
        return len(self._slots)

    @property
    def postings(self) -> int:
        """How many fingerprints the index holds, those of removed entries not yet dropped included."""
        return len(self._keys) + self._recent_postings

    def add_many(self, entries: Iterable[tuple[int, str]]) -> None:
        """Index ``(entry_id, value)`` pairs; a pair already indexed is not added twice."""
        for entry_id, value in entries:
            if any(self._slots[s].value == value for s in self._by_entry.get(entry_id, ())):
                continue
            hashes = _fingerprints(value)
            slot_id = self._new_slot(_Slot(entry_id, value, len(hashes)))
            self._recent.append((hashes, slot_id))
            self._recent_postings += len(hashes)
            self._recent_sorted = None
            if self._recent_postings >= max(MERGE_AT, len(self._keys) // 8):
                self._merge()

    def _new_slot(self, slot: _Slot) -> int:
        slot_id = self._next_slot
        self._next_slot += 1
        if slot_id >= len(self._alive):
            self._alive = np.concatenate([self._alive, np.zeros(max(1024, len(self._alive)), dtype=bool)])
        self._alive[slot_id] = True
        self._slots[slot_id] = slot
        self._by_entry.setdefault(slot.entry_id, []).append(slot_id)
        return slot_id

    def _recent_arrays(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """The recent additions as sorted (fingerprint, slot) arrays, built once per batch of additions."""
        if self._recent_sorted is None:
            if not self._recent:
                self._recent_sorted = (np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64))
            else:
                keys = np.concatenate([hashes for hashes, _ in self._recent])
                owners = np.repeat(np.array([slot for _, slot in self._recent], dtype=np.int64),
                                   [len(hashes) for hashes, _ in self._recent])
                order = np.argsort(keys, kind="stable")
                self._recent_sorted = (keys[order], owners[order])
        return self._recent_sorted

    def _merge(self) -> None:
        """Fold the recent additions into the sorted arrays (a linear merge, no re-sort of what is there),
        and drop the postings of removed entries once they are a quarter of all."""
        keys, owners = self._recent_arrays()
        at = np.searchsorted(self._keys, keys, side="right")
        self._keys, self._owners = np.insert(self._keys, at, keys), np.insert(self._owners, at, owners)
        self._recent, self._recent_postings, self._recent_sorted = [], 0, None
        if self._dead_postings * 4 > len(self._keys):
            live = self._alive[self._owners]
            self._keys, self._owners = self._keys[live], self._owners[live]
            self._dead_postings = 0

    def remove(self, entry_id: int) -> int:
        """Stop matching every value of ``entry_id`` at once; their postings go at a later merge."""
        slot_ids = self._by_entry.pop(entry_id, [])
        for slot_id in slot_ids:
            self._dead_postings += self._slots.pop(slot_id).size
            self._alive[slot_id] = False
        return len(slot_ids)

    def query_many(self, values: Sequence[str], threshold: int | None = None) -> list[list[Hit]]:
        """For each value, the entries sharing at least ``MIN_SHARED`` fingerprints, most of them found first."""
        limit = 100 if threshold is None else threshold
        if not 0 <= limit <= 100:
            raise InvalidInput("a text_containment threshold is a distance between 0 and 100", field="threshold")
        return [self._query_one(_fingerprints(value), limit) for value in values]

    def shared_counts(self, query: npt.NDArray[np.uint64]) -> dict[int, int]:
        """Live slot -> how many of the (distinct) ``query`` fingerprints it holds."""
        recent_keys, recent_owners = self._recent_arrays()
        owners = np.concatenate([_postings(self._keys, self._owners, query),
                                 _postings(recent_keys, recent_owners, query)])
        owners = owners[self._alive[owners]]
        slots, found = np.unique(owners, return_counts=True)
        return dict(zip(slots.tolist(), found.tolist(), strict=True))

    def _query_one(self, query: npt.NDArray[np.uint64], limit: int) -> list[Hit]:
        best: dict[int, Hit] = {}
        for slot_id, shared in self.shared_counts(query).items():
            if shared < MIN_SHARED:
                continue
            slot = self._slots[slot_id]
            compared = min(100.0, 100.0 * shared / slot.size)
            hit = Hit(slot.entry_id, 100 - math.floor(compared), round(100.0 * shared / len(query), 2),
                      round(compared, 2))
            known = best.get(slot.entry_id)
            if hit.distance <= limit and (known is None or _rank(hit) < _rank(known)):
                best[slot.entry_id] = hit
        return sorted(best.values(), key=_rank)

    def save(self, path: Path) -> None:
        """Write the values as JSON to ``path`` atomically; ``load`` re-indexes them."""
        write_json_atomically(path, {"signal_type": self.signal_type, "format": _FORMAT,
                                     "entries": [[s.entry_id, s.value] for s in self._slots.values()]})

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read a snapshot written by ``save``."""
        document = _snapshot(path, cls.signal_type)
        index = cls()
        index.add_many((int(entry_id), str(value)) for entry_id, value in document["entries"])
        index._merge()
        return index


def _postings(keys: npt.NDArray[np.uint64], owners: npt.NDArray[np.int64],
              query: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """The slots holding each of the ``query`` fingerprints in sorted ``keys`` (fingerprints held by more than
    ``MAX_POSTINGS`` slots left out)."""
    lo = np.searchsorted(keys, query, side="left")
    present = lo < len(keys)
    present[present] = keys[lo[present]] == query[present]
    lo = lo[present]  # most fingerprints of a query are in no banked document: the second search skips them
    sizes = np.searchsorted(keys, query[present], side="right") - lo
    sizes[sizes > MAX_POSTINGS] = 0
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(lo - np.cumsum(sizes) + sizes, sizes)
    return owners[starts + np.arange(total)]


def _rank(hit: Hit) -> tuple[int, float, int]:
    """Closest first: most of the banked document found, then most of the query explained, then entry id."""
    return hit.distance, -(hit.query_match_percent or 0.0), hit.entry_id


def _snapshot(path: Path, signal_type: str) -> dict[str, list[list[Any]]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("signal_type") != signal_type or document.get("format") != _FORMAT:
        raise InvalidInput(f"{path} is not a {signal_type} index snapshot", field="path")
    return dict(document)


class TLSHMatchIndex(MatchIndex):
    """``text_tlsh`` values of bank entries, compared by python-threatexchange's measure and threshold."""

    signal_type = "text_tlsh"

    def __init__(self) -> None:
        """An empty index."""
        self._values: dict[int, list[str]] = {}

    def __len__(self) -> int:
        """How many ``(entry, value)`` pairs the index holds."""
        return sum(len(values) for values in self._values.values())

    def add_many(self, entries: Iterable[tuple[int, str]]) -> None:
        """Index ``(entry_id, tlsh)`` pairs."""
        for entry_id, value in entries:
            known = self._values.setdefault(entry_id, [])
            if value not in known:
                known.append(value)

    def remove(self, entry_id: int) -> int:
        """Stop matching every value of ``entry_id``."""
        return len(self._values.pop(entry_id, []))

    def query_many(self, values: Sequence[str], threshold: int | None = None) -> list[list[Hit]]:
        """For each TLSH hash, the entries within ``threshold`` (30 by default), closest first."""
        limit = TLSH_THRESHOLD if threshold is None else threshold
        if limit < 0:
            raise InvalidInput("a text_tlsh threshold is a distance of 0 or more", field="threshold")
        return [self._query_one(value, limit) for value in values]

    def _query_one(self, value: str, limit: int) -> list[Hit]:
        found: dict[int, int] = {}
        for entry_id, banked in self._values.items():
            distance = min(int(tlsh.diffxlen(value, other)) for other in banked)
            if distance <= limit:
                found[entry_id] = distance
        return [Hit(entry_id, distance) for distance, entry_id in sorted((d, e) for e, d in found.items())]

    def save(self, path: Path) -> None:
        """Write the hashes as JSON to ``path`` atomically."""
        write_json_atomically(path, {"signal_type": self.signal_type, "format": _FORMAT,
                                     "entries": [[e, v] for e, vs in self._values.items() for v in vs]})

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read a snapshot written by ``save``."""
        index = cls()
        index.add_many((int(e), str(v)) for e, v in _snapshot(path, cls.signal_type)["entries"])
        return index
