"""Match indexes: one in-memory index per signal type, updated in place and snapshotted to disk.

``build_index("pdq")`` answers a :class:`PDQMatchIndex` (Hamming distance); ``build_index("vpdq")`` a
``VPDQMatchIndex`` (python-threatexchange's frame-percentage comparison; only where the optional ``vpdq``
package is installed); ``text_containment`` a ``ContainmentMatchIndex`` (winnowed fingerprints, share of the
banked document found) and ``text_tlsh`` a ``TLSHMatchIndex`` (python-threatexchange's distance); every other
signal type is matched exactly by an :class:`ExactMatchIndex`.
"""

from __future__ import annotations

from pathlib import Path

from accord.errors import InvalidInput
from accord.matching.base import Hit, MatchIndex
from accord.matching.exact import ExactMatchIndex
from accord.matching.pdq import PDQMatchIndex
from accord.matching.text_index import ContainmentMatchIndex, TLSHMatchIndex
from accord.signals.types import EXACT_SIGNAL_TYPES, INDEXED_SIGNAL_TYPES, PDQ_THRESHOLD, VPDQ_AVAILABLE

__all__ = [
    "EXACT_SIGNAL_TYPES",
    "INDEXED_SIGNAL_TYPES",
    "PDQ_THRESHOLD",
    "VPDQ_AVAILABLE",
    "ContainmentMatchIndex",
    "ExactMatchIndex",
    "Hit",
    "MatchIndex",
    "PDQMatchIndex",
    "TLSHMatchIndex",
    "build_index",
    "can_index",
    "load_index",
]


_TEXT_INDEXES: dict[str, type[ContainmentMatchIndex] | type[TLSHMatchIndex]] = {
    "text_containment": ContainmentMatchIndex, "text_tlsh": TLSHMatchIndex}


def can_index(signal_type: str) -> bool:
    """Whether ``build_index(signal_type)`` answers an index in this process."""
    return signal_type in INDEXED_SIGNAL_TYPES


def build_index(signal_type: str) -> MatchIndex:
    """An empty index suited to ``signal_type``."""
    if signal_type == "pdq":
        return PDQMatchIndex()
    if signal_type in _TEXT_INDEXES:
        return _TEXT_INDEXES[signal_type]()
    if signal_type in EXACT_SIGNAL_TYPES:
        return ExactMatchIndex(signal_type)
    if signal_type == "vpdq" and VPDQ_AVAILABLE:
        from accord.matching.vpdq_index import VPDQMatchIndex  # imported late: vpdq is an optional extra

        return VPDQMatchIndex()
    raise InvalidInput(f"no match index for signal type {signal_type!r}", field="signal_type")


def load_index(signal_type: str, path: Path) -> MatchIndex:
    """Read the snapshot of ``signal_type``'s index written by ``MatchIndex.save``."""
    if signal_type == "pdq":
        return PDQMatchIndex.load(path)
    if signal_type in _TEXT_INDEXES:
        return _TEXT_INDEXES[signal_type].load(path)
    if signal_type in EXACT_SIGNAL_TYPES:
        return ExactMatchIndex.load(path)
    if signal_type == "vpdq" and VPDQ_AVAILABLE:
        from accord.matching.vpdq_index import VPDQMatchIndex

        return VPDQMatchIndex.load(path)
    raise InvalidInput(f"no match index for signal type {signal_type!r}", field="signal_type")
