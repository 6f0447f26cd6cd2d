"""A vPDQ (video) match index with python-threatexchange's matching semantics, updated in place.

A vPDQ hash is a list of frame features (PDQ hash, quality, timestamp; one frame per second). Two videos
match as python-threatexchange's ``VPDQSignal.compare_hash`` says: after dropping duplicate frame hashes and
frames of quality below 50, a query frame *matches* when some frame of the other video is within 31 bits
(``VPDQ_DISTANCE_THRESHOLD``); the videos match when at least 80 % of the query's frames match
(``VPDQ_QUERY_MATCH_THRESHOLD_PERCENT``) and at least 0 % of the banked video's frames match the query's
(``VPDQ_INDEX_MATCH_THRESHOLD_PERCENT``). Like the library's own ``VPDQIndex``, an entry none of whose frames
is near any query frame is never a hit.

The candidate search is Accord's: every banked frame hash sits in a :class:`PDQMatchIndex` (exact within
the threshold) under a slot id standing for one ``(entry, value)`` pair, so one batched PDQ query counts, per
slot, the query frames that found a near frame, which is exactly the library's query-match count. Only slots
reaching the query percentage are then confirmed with the library's own comparison,
``match_VPDQ_hash_brute``, which also gives the percentage of the banked video's frames matched. Adding an
entry adds its frame hashes to the PDQ index; removing it clears their slots; nothing is ever rebuilt.

A hit's ``distance`` is the share of the query's frames that found no match, ``100 - floor(query %)``
(0 when every frame matched, at most 20 at the default thresholds); the hit also carries both percentages.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from threatexchange.extensions.vpdq.vpdq_brute_matcher import match_VPDQ_hash_brute
from threatexchange.extensions.vpdq.vpdq_util import (
    VPDQ_DISTANCE_THRESHOLD,
    VPDQ_INDEX_MATCH_THRESHOLD_PERCENT,
    VPDQ_QUALITY_THRESHOLD,
    VPDQ_QUERY_MATCH_THRESHOLD_PERCENT,
    dedupe,
    json_to_vpdq,
    quality_filter,
)

from accord.errors import InvalidInput
from accord.matching.base import Hit, MatchIndex, write_json_atomically
from accord.matching.pdq import _MAX_THRESHOLD, PDQMatchIndex

VPDQ_THRESHOLD: int = VPDQ_DISTANCE_THRESHOLD
"""Largest Hamming distance at which two frames match (python-threatexchange's, 31)."""
VPDQ_QUERY_PERCENT: float = VPDQ_QUERY_MATCH_THRESHOLD_PERCENT
"""Share of the query's frames that must match (80 %)."""
VPDQ_COMPARED_PERCENT: float = VPDQ_INDEX_MATCH_THRESHOLD_PERCENT
"""Share of the banked video's frames that must match (0 %)."""
_FORMAT = 1


def usable_frames(value: str) -> list[Any]:
    """The frames that take part in matching: duplicates dropped, then quality below 50 (as ``compare_hash``)."""
    try:
        features = json_to_vpdq(value)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"invalid vpdq signal: {exc}", field="value") from None
    return list(quality_filter(dedupe(features), VPDQ_QUALITY_THRESHOLD))


@dataclass(frozen=True, slots=True)
class _Slot:
    """One indexed ``(entry, value)`` pair: the value (for snapshots) and its usable frames."""

    entry_id: int
    value: str
    frames: list[Any]


class VPDQMatchIndex(MatchIndex):
    """vPDQ hashes of bank entries; a query's ``threshold`` is the frame distance (31 by default)."""

    signal_type = "vpdq"

    def __init__(
        self,
        *,
        query_percent: float = VPDQ_QUERY_PERCENT,
        compared_percent: float = VPDQ_COMPARED_PERCENT,
    ) -> None:
        """An empty index matching at ``query_percent`` / ``compared_percent`` (the library's defaults)."""
        self.query_percent = query_percent
        self.compared_percent = compared_percent
        self._frames = PDQMatchIndex()
        self._slots: dict[int, _Slot] = {}
        self._by_entry: dict[int, list[int]] = {}
        self._next_slot = 0

    def __len__(self) -> int:
        """How many live ``(entry, vPDQ hash)`` pairs the index holds."""
        return len(self._slots)

    @property
    def frames(self) -> int:
        """How many usable frame hashes the index holds."""
        return len(self._frames)

    def add_many(self, entries: Iterable[tuple[int, str]]) -> None:
        """Index ``(entry_id, vpdq_json)`` pairs. A hash without a usable frame is kept but can never match."""
        slot_ids: list[int] = []
        hexes: list[str] = []
        for entry_id, value in entries:
            frames = usable_frames(value)
            if any(slot.value == value for slot in self._slot_list(entry_id)):
                continue
            slot_id = self._next_slot
            self._next_slot += 1
            self._slots[slot_id] = _Slot(entry_id, value, frames)
            self._by_entry.setdefault(entry_id, []).append(slot_id)
            for frame in frames:
                slot_ids.append(slot_id)
                hexes.append(frame.pdq_hex)
        if hexes:
            self._frames.add_hex(slot_ids, hexes)

    def _slot_list(self, entry_id: int) -> list[_Slot]:
        return [self._slots[s] for s in self._by_entry.get(entry_id, ())]

    def remove(self, entry_id: int) -> int:
        """Stop matching every vPDQ hash of ``entry_id``; answer how many were dropped."""
        slot_ids = self._by_entry.pop(entry_id, [])
        for slot_id in slot_ids:
            del self._slots[slot_id]
        if slot_ids:
            self._frames.remove_many(slot_ids)
        return len(slot_ids)

    def query_many(self, values: Sequence[str], threshold: int | None = None) -> list[list[Hit]]:
        """For each vPDQ hash, the matching entries, closest (most query frames matched) first."""
        limit = VPDQ_THRESHOLD if threshold is None else threshold
        if not 0 <= limit <= _MAX_THRESHOLD:
            raise InvalidInput(f"a vpdq frame threshold is between 0 and {_MAX_THRESHOLD}", field="threshold")
        return [self._query_one(usable_frames(value), limit) for value in values]

    def _query_one(self, frames: list[Any], limit: int) -> list[Hit]:
        if not frames:
            return []
        per_frame = self._frames.query_many([frame.pdq_hex for frame in frames], limit)
        matched = Counter(hit.entry_id for hits in per_frame for hit in hits)  # slot -> query frames matched
        best: dict[int, Hit] = {}
        for slot_id, count in matched.items():
            if count * 100 / len(frames) < self.query_percent:
                continue  # the confirmation could not reach the threshold either: skip the comparison
            slot = self._slots[slot_id]
            result = match_VPDQ_hash_brute(frames, slot.frames, VPDQ_QUALITY_THRESHOLD, limit)
            query_pct = float(result.query_match_percent)
            compared_pct = float(result.compared_match_percent)
            if query_pct < self.query_percent or compared_pct < self.compared_percent:
                continue
            hit = Hit(slot.entry_id, 100 - math.floor(query_pct), query_pct, compared_pct)
            known = best.get(slot.entry_id)
            if known is None or _rank(hit) < _rank(known):
                best[slot.entry_id] = hit
        return sorted(best.values(), key=_rank)

    def save(self, path: Path) -> None:
        """Write the hashes as JSON to ``path`` atomically; ``load`` re-indexes their frames."""
        document = {
            "signal_type": self.signal_type,
            "format": _FORMAT,
            "query_percent": self.query_percent,
            "compared_percent": self.compared_percent,
            "entries": [[slot.entry_id, slot.value] for slot in self._slots.values()],
        }
        write_json_atomically(path, document)

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read a snapshot written by ``save``."""
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("signal_type") != cls.signal_type or document.get("format") != _FORMAT:
            raise InvalidInput(f"{path} is not a vpdq index snapshot", field="path")
        index = cls(query_percent=document["query_percent"], compared_percent=document["compared_percent"])
        index.add_many((int(entry_id), str(value)) for entry_id, value in document["entries"])
        return index


def _rank(hit: Hit) -> tuple[int, float, int]:
    """Closest first: fewest unmatched query frames, then most of the banked video matched, then entry id."""
    return hit.distance, -(hit.compared_match_percent or 0.0), hit.entry_id
