"""The signal types Accord matches on, each wrapping a python-threatexchange ``SignalType``.

Names are Accord's (``pdq``, ``md5``, ``sha256``, ``video_md5``, ``url``, ``text``, the document text signals
``text_md5``, ``text_tlsh`` (python-threatexchange's name) and ``text_containment``, and, where the ``vpdq``
package is installed, ``vpdq``); ``tx_type`` is the python-threatexchange class, so exchanges and the
``threatexchange`` CLI see the same signals. ``validate_signal`` is the door every hash passes: malformed or
degenerate values are refused with the reason, so they never reach an index.
"""

from __future__ import annotations

import importlib.util
import re
import typing as t
from collections.abc import Callable
from dataclasses import dataclass

from threatexchange import common
from threatexchange.content_type.content_base import ContentType
from threatexchange.content_type.file import FileContent
from threatexchange.content_type.photo import PhotoContent
from threatexchange.content_type.video import VideoContent
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.raw_text import RawTextSignal
from threatexchange.signal_type.sha256 import VideoSHA256Signal
from threatexchange.signal_type.signal_base import SignalType as TxSignalType
from threatexchange.signal_type.url import URLSignal

from accord.errors import InvalidInput
from accord.signals.text import TextContainmentSignal, TextMD5Signal, TLSHSignal
from accord.signals.url import normalise_url

MAX_TEXT_LENGTH = 10_000


class FileMD5Signal(VideoMD5Signal):
    """MD5 of any file's bytes (python-threatexchange only has the video flavour)."""

    @classmethod
    def get_name(cls) -> str:
        """Accord's name for the signal type."""
        return "md5"

    @classmethod
    def get_content_types(cls) -> list[type[ContentType]]:
        """Any file: photos, videos, documents."""
        return [FileContent, PhotoContent, VideoContent]


class FileSHA256Signal(VideoSHA256Signal):
    """SHA-256 of any file's bytes (python-threatexchange only has the video flavour)."""

    @classmethod
    def get_name(cls) -> str:
        """Accord's name for the signal type."""
        return "sha256"

    @classmethod
    def get_content_types(cls) -> list[type[ContentType]]:
        """Any file: photos, videos, documents."""
        return [FileContent, PhotoContent, VideoContent]


@dataclass(frozen=True, slots=True)
class SignalType:
    """One signal type: its name, the python-threatexchange class, and how values are checked."""

    name: str
    tx_type: type[TxSignalType]
    exact: bool
    """True when values match by equality; False for distance-based types (PDQ, vPDQ)."""
    normalise: Callable[[str], str]

    def validate(self, value: str) -> str:
        """The normalised value, or ``InvalidInput`` naming what is wrong with it."""
        if not isinstance(value, str):
            raise InvalidInput(f"a {self.name} signal is a string", field="value")
        return self.normalise(value)


def _hex_digest(name: str, digits: int) -> Callable[[str], str]:
    pattern = re.compile(f"[0-9a-f]{{{digits}}}")

    def normalise(value: str) -> str:
        text = value.strip().lower()
        if len(text) != digits:
            raise InvalidInput(f"a {name} hash has {digits} hex digits, not {len(text)}", field="value")
        if not pattern.fullmatch(text):
            raise InvalidInput(f"a {name} hash has only hexadecimal digits (0-9, a-f)", field="value")
        if text.count("0") == digits:
            raise InvalidInput(f"an all-zero {name} hash is a placeholder, not a hash", field="value")
        return text

    return normalise


_pdq_digest = _hex_digest("pdq", 64)


def _normalise_pdq(value: str) -> str:
    text = _pdq_digest(value)
    if text == "f" * 64:
        raise InvalidInput("an all-ones pdq hash comes from no real image", field="value")
    return str(PdqSignal.validate_signal_str(text))


def _normalise_text(value: str) -> str:
    text = common.normalize_string(value)
    if not text:
        raise InvalidInput("the text is empty once normalised", field="value")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput(f"a text signal has at most {MAX_TEXT_LENGTH} characters", field="value")
    return str(text)


def _normalise_tlsh(value: str) -> str:
    text = value.strip().upper()
    try:
        return str(TLSHSignal.validate_signal_str(text))
    except ValueError:
        raise InvalidInput("a text_tlsh hash is T1 followed by 70 hexadecimal digits", field="value") from None


def _normalise_containment(value: str) -> str:
    try:
        return str(TextContainmentSignal.validate_signal_str(value.strip()))
    except ValueError as exc:
        raise InvalidInput(f"invalid text_containment signal: {exc}", field="value") from None


def _vpdq_type() -> type[TxSignalType] | None:
    if importlib.util.find_spec("vpdq") is None:
        return None
    from threatexchange.extensions.vpdq.vpdq import VPDQSignal  # imported late: vpdq is an optional extra

    return t.cast(type[TxSignalType], VPDQSignal)


VPDQ_QUALITY_THRESHOLD = 50
"""Frames below this quality take no part in vPDQ matching (python-threatexchange's figure)."""
MAX_VPDQ_FRAMES = 36_000
"""Ten hours at python-threatexchange's one frame hash per second."""


def _normalise_vpdq(value: str) -> str:
    """python-threatexchange's serialisation of the hash; refused when no frame could ever match."""
    from threatexchange.extensions.vpdq.vpdq_util import json_to_vpdq, vpdq_to_json

    if len(value) > MAX_VPDQ_FRAMES * 80:
        raise InvalidInput(f"a vpdq hash has at most {MAX_VPDQ_FRAMES} frames", field="value")
    try:
        features = json_to_vpdq(value.strip())
        for feature in features:
            feature.pdq_hex = feature.pdq_hex.lower()
        canonical = str(vpdq_to_json(features))
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"invalid vpdq signal: {exc}", field="value") from None
    if not features:
        raise InvalidInput("a vpdq hash has at least one frame", field="value")
    if len(features) > MAX_VPDQ_FRAMES:
        raise InvalidInput(f"a vpdq hash has at most {MAX_VPDQ_FRAMES} frames", field="value")
    if max(int(f.quality) for f in features) < VPDQ_QUALITY_THRESHOLD:
        raise InvalidInput(f"no frame of the vpdq hash has quality {VPDQ_QUALITY_THRESHOLD} or more: it cannot "
                           "match anything", field="value")
    return canonical


def _registry() -> dict[str, SignalType]:
    types = [
        SignalType("pdq", PdqSignal, exact=False, normalise=_normalise_pdq),
        SignalType("md5", FileMD5Signal, exact=True, normalise=_hex_digest("md5", 32)),
        SignalType("sha256", FileSHA256Signal, exact=True, normalise=_hex_digest("sha256", 64)),
        SignalType("video_md5", VideoMD5Signal, exact=True, normalise=_hex_digest("video_md5", 32)),
        SignalType("url", URLSignal, exact=True, normalise=normalise_url),
        SignalType("text", RawTextSignal, exact=True, normalise=_normalise_text),
        SignalType("text_md5", TextMD5Signal, exact=True, normalise=_hex_digest("text_md5", 32)),
        SignalType("text_tlsh", TLSHSignal, exact=False, normalise=_normalise_tlsh),
        SignalType("text_containment", TextContainmentSignal, exact=False, normalise=_normalise_containment),
    ]
    vpdq = _vpdq_type()
    if vpdq is not None:
        types.append(SignalType("vpdq", vpdq, exact=False, normalise=_normalise_vpdq))
    return {signal_type.name: signal_type for signal_type in types}


SIGNAL_TYPES: dict[str, SignalType] = _registry()

PDQ_THRESHOLD = 31
"""PDQ's confident-match distance, as in python-threatexchange."""
EXACT_SIGNAL_TYPES = frozenset({"md5", "sha256", "video_md5", "url", "text", "text_md5"})
"""The signal types matched by equality (``accord.matching.ExactMatchIndex``)."""
VPDQ_AVAILABLE = "vpdq" in SIGNAL_TYPES
"""Whether the optional ``vpdq`` package is installed, so that vPDQ hashes can be indexed and matched."""
TEXT_SIGNAL_TYPES = frozenset({"text_md5", "text_tlsh", "text_containment"})
"""The signals of a document's text (``accord.signals.text``)."""
INDEXED_SIGNAL_TYPES = (EXACT_SIGNAL_TYPES | {"pdq", "text_tlsh", "text_containment"}
                        | ({"vpdq"} if VPDQ_AVAILABLE else set()))
"""Every signal type this process has a match index for (``accord.matching.build_index``)."""


def get_signal_type(name: str) -> SignalType:
    """The signal type called ``name``, or ``InvalidInput`` listing the known ones."""
    try:
        return SIGNAL_TYPES[name]
    except KeyError:
        known = ", ".join(sorted(SIGNAL_TYPES))
        raise InvalidInput(f"unknown signal type {name!r}; known: {known}", field="type") from None


def validate_signal(type_name: str, value: str) -> str:
    """Normalise a signal value of type ``type_name``, refusing malformed and degenerate ones with a reason."""
    return get_signal_type(type_name).validate(value)
