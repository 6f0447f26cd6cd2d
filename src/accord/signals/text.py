"""Text normalisation that holds across scripts, and the three text signals computed from it.

Two copies of a document rarely agree byte for byte: one was reflowed, another retyped with Persian letters for
Arabic ones, a third had Latin letters swapped for Cyrillic look-alikes to slip past a filter. ``normalise``
brings them to one form before anything is hashed:

- Unicode NFKC (ligatures, full-width forms, superscripts), then case folding;
- combining marks dropped (Latin accents, Arabic harakat and the superscript alef, Hebrew points), so
  ``café`` and ``cafe``, ``كَتَبَ`` and ``كتب`` agree;
- Arabic-script letter variants folded to one letter: the alef forms (``أ إ آ ٱ`` to ``ا``), alef maksura and
  the Persian and Urdu yehs (``ى ی ے`` to ``ي``), keheh to kaf, teh marbuta and the heh forms to ``ه``, hamza
  carriers to their letter; tatweel dropped; Arabic-Indic and Persian digits to ASCII;
- Cyrillic and Greek letters that look like Latin ones mapped to the Latin letter, everywhere (a word written
  all in Cyrillic maps the same way whether or not a look-alike was injected, so both copies agree);
- words hyphenated at a line end joined; zero-width characters removed; punctuation and symbols become spaces,
  and runs of whitespace one space. Han and kana characters are words of their own (those scripts have no
  spaces).

The signals: ``text_md5`` (MD5 of the normalised text: exact copies after normalisation), python-threatexchange's
``text_tlsh`` (computed on the normalised text, compared with its own distance and threshold), and Accord's
``text_containment``: winnowed word-shingle fingerprints (Schleimer, Wilkerson & Aiken, SIGMOD 2003) that find an
excerpt of a banked document inside a longer text and tell how much of the banked document was found.
"""

# ruff: noqa: RUF001, RUF002, RUF003  # look-alike letters of other scripts are what this tests and folds
from __future__ import annotations

import base64
import hashlib
import re
import typing as t
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from threatexchange.content_type.content_base import ContentType
from threatexchange.content_type.text import TextContent
from threatexchange.extensions.tlsh.text_tlsh import TextTLSHSignal
from threatexchange.signal_type.index import SignalTypeIndex
from threatexchange.signal_type.signal_base import (
    SignalComparisonResult,
    SimpleSignalType,
    TextHasher,
    TrivialLinearSearchHashIndex,
    TrivialSignalTypeIndex,
)

_ARABIC_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ے": "ي", "ۓ": "ي", "ئ": "ي", "ێ": "ي",
    "ک": "ك", "ڪ": "ك", "ګ": "ك",
    "ة": "ه", "ۀ": "ه", "ہ": "ه", "ۂ": "ه", "ھ": "ه", "ە": "ه",
    "ؤ": "و", "ۇ": "و", "ۆ": "و",
    "ـ": "",  # tatweel: stretches a word, means nothing
}
_CONFUSABLES = {
    # Cyrillic look-alikes of Latin letters (after case folding)
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ӏ": "l",
    "ԛ": "q", "ԝ": "w", "ɡ": "g", "ь": "b", "п": "n", "г": "r",
    # Greek look-alikes (of the capital where it is the one that passes for Latin: Ν for N, Μ for M)
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k", "μ": "m", "ν": "n", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "y", "χ": "x", "ω": "w", "γ": "y", "σ": "o",
}
_ZERO_WIDTH: dict[int, str | None] = dict.fromkeys(map(ord, "\u00ad\u200b\u200d\u200e\u200f\u2060\ufeff\u061c"))
_ZERO_WIDTH[0x200C] = " "  # Persian's zero-width non-joiner is typed as a space as often as not
_HYPHENATED = re.compile(r"(\w)[-\u2010\u00ad]\s*\n\s*(\w)")
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def _fold_char(char: str) -> str:
    """What one (NFKC, case-folded) character becomes: a letter, a digit, a space, or nothing."""
    category = unicodedata.category(char)
    if category in ("Mn", "Me"):
        return ""
    if category == "Nd":
        return str(unicodedata.digit(char))
    if category[0] in "LN":
        letter = _ARABIC_LETTERS.get(char, char)
        return _CONFUSABLES.get(letter, letter)
    if category == "Mc":
        return char
    return " "


class _Folding(dict[int, str]):
    """``str.translate``'s table, filled on first sight of each character (C speed once seen)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLDING = _Folding()


_ASCII = bytes(c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256))
"""ASCII text folds byte by byte (the same result as the general path, at C speed)."""


def normalise(text: str) -> str:
    """The normalised form of ``text``: words of letters and digits separated by single spaces."""
    if text.isascii():
        text = _HYPHENATED.sub(r"\1\2", text)
        return " ".join(text.encode("ascii").translate(_ASCII).decode("ascii").split())
    text = _HYPHENATED.sub(r"\1\2", text.translate(_ZERO_WIDTH))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFD", text)  # so that accents become separate combining marks
    folded = text.translate(_FOLDING)
    folded = _CJK.sub(r" \1 ", unicodedata.normalize("NFC", folded))
    return " ".join(folded.split())


def words(text: str) -> list[str]:
    """The words of ``text`` once normalised."""
    return normalise(text).split()


def text_md5(normalised: str) -> str:
    """The ``text_md5`` signal: MD5 of the normalised text (exact copies after normalisation)."""
    return hashlib.md5(normalised.encode("utf-8"), usedforsecurity=False).hexdigest()


# ---- containment: winnowed word shingles ---------------------------------------------------------------------

SHINGLE_WORDS = 5
"""Words per shingle (chosen by measurement: benchmarks/text.py, docs/decisions.md)."""
WINDOW = 6
"""Winnowing window, in shingles: any shared run of ``SHINGLE_WORDS + WINDOW - 1`` (10) words is always seen."""
MIN_SHARED = 16
"""Fingerprints a text must share with a banked document to match it (about 55 words of shared text)."""
MAX_FINGERPRINTS = 250_000
"""A containment signal holds at most this many fingerprints (a book of about a million words)."""
PREFIX = f"w{SHINGLE_WORDS}.{WINDOW}.b:"
"""The serialised form names its parameters: fingerprints taken with others are never compared."""

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                         0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9],
                        dtype=np.uint64)


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    with np.errstate(over="ignore"):
        values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


def shingle_hashes(tokens: list[str], k: int = SHINGLE_WORDS) -> npt.NDArray[np.uint64]:
    """One 64-bit hash per run of ``k`` consecutive words (empty when there are fewer words)."""
    if len(tokens) < k:
        return np.zeros(0, dtype=np.uint64)
    ids = np.array(list(map(_word_hash, tokens)), dtype=np.uint64)
    total = np.zeros(len(tokens) - k + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(k):
            total += ids[offset : offset + len(total)] * _MULTIPLIERS[offset % len(_MULTIPLIERS)]
    return _mix(total)


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """The winnowed fingerprints of a text: each hash with the index of the first word of its shingle."""

    hashes: npt.NDArray[np.uint64]
    positions: npt.NDArray[np.int64]

    def unique(self) -> npt.NDArray[np.uint64]:
        """The distinct fingerprint hashes, sorted."""
        return np.unique(self.hashes)


def winnow(shingles: npt.NDArray[np.uint64], window: int = WINDOW) -> Fingerprints:
    """The smallest hash of every window of ``window`` shingles (the rightmost on ties), each once."""
    if len(shingles) == 0:
        return Fingerprints(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64))
    if len(shingles) <= window:
        chosen = np.array([len(shingles) - 1 - int(np.argmin(shingles[::-1]))])
    else:
        windows = np.lib.stride_tricks.sliding_window_view(shingles, window)
        rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
        chosen = np.unique(np.arange(len(windows)) + rightmost)
    return Fingerprints(shingles[chosen], chosen.astype(np.int64))


def fingerprints(tokens: list[str], k: int = SHINGLE_WORDS, window: int = WINDOW) -> Fingerprints:
    """Winnowed fingerprints of normalised words."""
    return winnow(shingle_hashes(tokens, k), window)


def encode_fingerprints(hashes: npt.NDArray[np.uint64]) -> str:
    """The ``text_containment`` value: the sorted distinct hashes, little-endian, in base64, after ``PREFIX``
    (random 64-bit hashes do not compress: zlib only cost time)."""
    return PREFIX + base64.b64encode(np.unique(hashes).astype("<u8").tobytes()).decode("ascii")


def decode_fingerprints(value: str) -> npt.NDArray[np.uint64]:
    """The sorted distinct hashes of a ``text_containment`` value; ``ValueError`` when it is not one."""
    if not value.startswith(PREFIX):
        raise ValueError(f"a text_containment value starts with {PREFIX!r} (its winnowing parameters)")
    if len(value) > len(PREFIX) + (MAX_FINGERPRINTS * 8 * 4) // 3 + 4:
        raise ValueError(f"a text_containment value holds at most {MAX_FINGERPRINTS} fingerprints")
    try:
        data = base64.b64decode(value[len(PREFIX):], validate=True)
    except ValueError as exc:
        raise ValueError(f"the fingerprints do not decode: {exc}") from None
    if len(data) > MAX_FINGERPRINTS * 8:
        raise ValueError(f"a text_containment value holds at most {MAX_FINGERPRINTS} fingerprints")
    if not data or len(data) % 8:
        raise ValueError("the fingerprints are not a whole number of 64-bit values")
    hashes = np.frombuffer(data, dtype="<u8").astype(np.uint64)
    if np.any(hashes[1:] <= hashes[:-1]):
        raise ValueError("the fingerprints are not sorted and distinct")
    return hashes


def containment_value(tokens: list[str]) -> str | None:
    """The ``text_containment`` signal of normalised words; None when the text is too short to match
    anything (fewer fingerprints than ``MIN_SHARED``)."""
    hashes = fingerprints(tokens).unique()
    if len(hashes) < MIN_SHARED:
        return None
    return encode_fingerprints(hashes[:MAX_FINGERPRINTS])


# ---- TLSH (python-threatexchange's text signal) ---------------------------------------------------------------

def text_tlsh(normalised: str) -> str | None:
    """python-threatexchange's ``text_tlsh`` of the normalised text; None when TLSH finds too little in it."""
    value = TextTLSHSignal.hash_from_str(normalised)
    return str(value) or None


@dataclass(frozen=True, slots=True)
class TextSignals:
    """The signals of one text, as ``(type, value)`` pairs, and the words they were computed from."""

    signals: list[tuple[str, str]]
    tokens: list[str]


def text_signals(text: str) -> TextSignals:
    """``text_md5``, ``text_tlsh`` and ``text_containment`` of a text (the last two where it is long enough)."""
    normalised = normalise(text)
    if not normalised:
        return TextSignals([], [])
    tokens = normalised.split()
    found = [("text_md5", text_md5(normalised))]
    tlsh_value = text_tlsh(normalised)
    if tlsh_value is not None:
        found.append(("text_tlsh", tlsh_value))
    containment = containment_value(tokens)
    if containment is not None:
        found.append(("text_containment", containment))
    return TextSignals(found, tokens)


def matched_spans(tokens: list[str], banked: npt.NDArray[np.uint64]) -> list[tuple[int, int]]:
    """The runs of ``tokens`` (word index ranges, end exclusive) whose shingles are among ``banked``'s
    fingerprints: the passages of a text found in a banked document, merged where they touch."""
    shingles = shingle_hashes(tokens)
    if len(shingles) == 0 or len(banked) == 0:
        return []
    where = np.searchsorted(banked, shingles)
    found = (where < len(banked)) & (banked[np.minimum(where, len(banked) - 1)] == shingles)
    spans: list[tuple[int, int]] = []
    for start in np.flatnonzero(found).tolist():
        end = start + SHINGLE_WORDS
        if spans and start <= spans[-1][1] + WINDOW:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


# ---- the signal types as python-threatexchange sees them -------------------------------------------------------

_EXAMPLES = (  # two public-domain texts, long enough for a containment signal
    "Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in "
    "Liberty, and dedicated to the proposition that all men are created equal. Now we are engaged in a great "
    "civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure. We "
    "are met on a great battle-field of that war. We have come to dedicate a portion of that field, as a final "
    "resting place for those who here gave their lives that that nation might live.",
    "When in the Course of human events, it becomes necessary for one people to dissolve the political bands "
    "which have connected them with another, and to assume among the powers of the earth, the separate and "
    "equal station to which the Laws of Nature and of Nature's God entitle them, a decent respect to the "
    "opinions of mankind requires that they should declare the causes which impel them to the separation.",
)


class TextMD5Signal(SimpleSignalType, TextHasher):
    """MD5 of the normalised text (``accord.signals.text.normalise``): exact copies after normalisation."""

    @classmethod
    def get_name(cls) -> str:
        """Accord's name for the signal type."""
        return "text_md5"

    @classmethod
    def get_content_types(cls) -> list[type[ContentType]]:
        """Text, and the text read out of documents."""
        return [TextContent]

    @classmethod
    def get_index_cls(cls) -> type[SignalTypeIndex[t.Any]]:
        """python-threatexchange's exact-match index (Accord's own is ``accord.matching.ExactMatchIndex``)."""
        return TrivialSignalTypeIndex

    @classmethod
    def hash_from_str(cls, text: str) -> str:
        """The hash of ``text`` once normalised."""
        return text_md5(normalise(text))

    @staticmethod
    def get_examples() -> list[str]:
        """Hashes of two public-domain sentences."""
        return [TextMD5Signal.hash_from_str(example) for example in _EXAMPLES]


class TextContainmentSignal(SimpleSignalType, TextHasher):
    """Winnowed word-shingle fingerprints; a text matches a banked document when they share ``MIN_SHARED``."""

    @classmethod
    def get_name(cls) -> str:
        """Accord's name for the signal type."""
        return "text_containment"

    @classmethod
    def get_content_types(cls) -> list[type[ContentType]]:
        """Text, and the text read out of documents."""
        return [TextContent]

    @classmethod
    def validate_signal_str(cls, signal_str: str) -> str:
        """The value when its fingerprints decode (``ValueError`` otherwise)."""
        decode_fingerprints(signal_str)
        return signal_str

    @classmethod
    def get_index_cls(cls) -> type[SignalTypeIndex[t.Any]]:
        """python-threatexchange's linear index over ``compare_hash`` (Accord's own is
        ``accord.matching.ContainmentMatchIndex``)."""
        return _ContainmentLinearIndex

    @classmethod
    def hash_from_str(cls, text: str) -> str:
        """The fingerprints of ``text``; empty when it is too short to match anything."""
        return containment_value(words(text)) or ""

    @classmethod
    def compare_hash(cls, hash1: str, hash2: str) -> SignalComparisonResult:
        """Whether the two texts share at least ``MIN_SHARED`` fingerprints; the distance is the share of the
        first's fingerprints (the banked document's, as python-threatexchange's linear index passes them) that
        the second lacks, in per cent."""
        first, second = decode_fingerprints(hash1), decode_fingerprints(hash2)
        shared = len(np.intersect1d(first, second, assume_unique=True))
        missing = 100 - (100 * shared) // max(1, len(first))
        return SignalComparisonResult.from_simple_dist(missing if shared >= MIN_SHARED else 101, 100)

    @staticmethod
    def get_examples() -> list[str]:
        """Fingerprints of two public-domain sentences."""
        return [TextContainmentSignal.hash_from_str(example) for example in _EXAMPLES]


class _ContainmentLinearIndex(TrivialLinearSearchHashIndex[t.Any]):
    _SIGNAL_TYPE = TextContainmentSignal


class TLSHSignal(TextTLSHSignal):
    """python-threatexchange's ``text_tlsh`` (same name, hashes, distance and threshold), with the linear
    index its extension leaves undeclared (Accord's own is ``accord.matching.TLSHMatchIndex``)."""

    @classmethod
    def get_name(cls) -> str:
        """python-threatexchange's name, so that exchanges interoperate."""
        return str(TextTLSHSignal.get_name())

    @staticmethod
    def get_examples() -> list[str]:
        """Hashes of two public-domain texts (the extension's own examples are too short to hash)."""
        return [str(text_tlsh(normalise(example))) for example in _EXAMPLES]

    @classmethod
    def get_index_cls(cls) -> type[SignalTypeIndex[t.Any]]:
        """A linear search over ``compare_hash``."""
        return _TLSHLinearIndex


class _TLSHLinearIndex(TrivialLinearSearchHashIndex[t.Any]):
    _SIGNAL_TYPE = TLSHSignal
