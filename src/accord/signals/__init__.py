"""Signals: the hashes and normalised values Accord matches on, computed safely from uploaded media."""

from __future__ import annotations

from accord.signals.hashing import PDQ_QUALITY_THRESHOLD, ComputedSignal, hash_media, pdq_from_array
from accord.signals.media import MediaKind, MediaLimits, decode_image, sniff
from accord.signals.types import SIGNAL_TYPES, SignalType, get_signal_type, validate_signal
from accord.signals.url import normalise_url
from accord.signals.variants import index_hashes, query_hashes

__all__ = [
    "PDQ_QUALITY_THRESHOLD",
    "SIGNAL_TYPES",
    "ComputedSignal",
    "MediaKind",
    "MediaLimits",
    "SignalType",
    "decode_image",
    "get_signal_type",
    "hash_media",
    "index_hashes",
    "normalise_url",
    "pdq_from_array",
    "query_hashes",
    "sniff",
    "validate_signal",
]
