"""An exact-match index for signal types matched by equality (md5, sha256, video_md5, url, text)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Self

from accord.errors import InvalidInput
from accord.matching.base import Hit, MatchIndex, write_json_atomically


class ExactMatchIndex(MatchIndex):
    """Normalised signal values mapped to the entries holding them; a hit's distance is always 0."""

    def __init__(self, signal_type: str) -> None:
        """An empty index for ``signal_type``; values must be normalised by ``validate_signal``."""
        self.signal_type = signal_type
        self._entries: defaultdict[str, set[int]] = defaultdict(set)
        self._values: defaultdict[int, set[str]] = defaultdict(set)

    def __len__(self) -> int:
        """How many (entry, value) pairs the index holds."""
        return sum(len(values) for values in self._values.values())

    def add_many(self, entries: Iterable[tuple[int, str]]) -> None:
        """Index ``(entry_id, value)`` pairs."""
        for entry_id, value in entries:
            self._entries[value].add(entry_id)
            self._values[entry_id].add(value)

    def remove(self, entry_id: int) -> int:
        """Stop matching every value of ``entry_id``; answer how many were dropped."""
        values = self._values.pop(entry_id, set())
        for value in values:
            holders = self._entries[value]
            holders.discard(entry_id)
            if not holders:
                del self._entries[value]
        return len(values)

    def query_many(self, values: Sequence[str], threshold: int | None = None) -> list[list[Hit]]:
        """For each value, the entries holding exactly that value (a threshold other than 0 is refused)."""
        if threshold not in (None, 0):
            raise InvalidInput(f"{self.signal_type} matches exactly; no threshold applies", field="threshold")
        return [[Hit(entry_id, 0) for entry_id in sorted(self._entries.get(v, ()))] for v in values]

    def save(self, path: Path) -> None:
        """Write the index as JSON to ``path`` atomically."""
        document = {
            "signal_type": self.signal_type,
            "entries": {str(entry_id): sorted(values) for entry_id, values in self._values.items()},
        }
        write_json_atomically(path, document)

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read a snapshot written by ``save``."""
        document = json.loads(path.read_text(encoding="utf-8"))
        index = cls(document["signal_type"])
        index.add_many(
            (int(entry_id), value) for entry_id, values in document["entries"].items() for value in values
        )
        return index
