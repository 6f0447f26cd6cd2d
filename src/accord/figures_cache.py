"""Results drawn or computed from a set of figures, kept while those figures stay the same.

Charts and statistical fits take hundreds of milliseconds and their inputs change only when figures are imported
or a decision is recorded, so each result is kept under a digest of everything it is made from (the data
version): a page opened again is served from memory, and new figures make a new digest, hence a fresh result.
The cache is per process, bounded (least recently used first out), and safe across the server's threads."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def digest(*parts: Any) -> str:
    """The data version of ``parts``: a digest of their ``repr`` (dataclasses, dicts of figures, numbers)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class FiguresCache:
    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, make: Callable[[], T]) -> T:
        """The result kept under ``key``, or ``make()`` kept there now (made outside the lock)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                found: T = self._items[key]
                return found
        made = make()
        with self._lock:
            self._items[key] = made
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._items)
