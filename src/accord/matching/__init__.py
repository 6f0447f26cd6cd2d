"""Match indexes: one in-memory index per signal type, updated in place and snapshotted to disk.

``build_index("pdq")`` answers a :class:`PDQMatchIndex` (Hamming distance); every other signal type is
matched exactly by an :class:`ExactMatchIndex`.
"""

from __future__ import annotations

from pathlib import Path

from accord.errors import InvalidInput
from accord.matching.base import Hit, MatchIndex
from accord.matching.exact import ExactMatchIndex
from accord.matching.pdq import PDQ_THRESHOLD, PDQMatchIndex

EXACT_SIGNAL_TYPES = frozenset({"md5", "sha256", "video_md5", "url", "text"})

__all__ = [
    "EXACT_SIGNAL_TYPES",
    "PDQ_THRESHOLD",
    "ExactMatchIndex",
    "Hit",
    "MatchIndex",
    "PDQMatchIndex",
    "build_index",
    "load_index",
]


def build_index(signal_type: str) -> MatchIndex:
    """An empty index suited to ``signal_type``."""
    if signal_type == "pdq":
        return PDQMatchIndex()
    if signal_type in EXACT_SIGNAL_TYPES:
        return ExactMatchIndex(signal_type)
    raise InvalidInput(f"no match index for signal type {signal_type!r}", field="signal_type")


def load_index(signal_type: str, path: Path) -> MatchIndex:
    """Read the snapshot of ``signal_type``'s index written by ``MatchIndex.save``."""
    if signal_type == "pdq":
        return PDQMatchIndex.load(path)
    if signal_type in EXACT_SIGNAL_TYPES:
        return ExactMatchIndex.load(path)
    raise InvalidInput(f"no match index for signal type {signal_type!r}", field="signal_type")
