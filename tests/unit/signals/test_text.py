"""Text normalisation per script, and the text signals built on it (md5, TLSH, winnowed containment)."""

# ruff: noqa: RUF001  # look-alike letters of other scripts are what this tests and folds
from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest
from threatexchange.extensions.tlsh.text_tlsh import TextTLSHSignal

from accord.errors import InvalidInput
from accord.signals import validate_signal
from accord.signals.text import (
    MIN_SHARED,
    PREFIX,
    SHINGLE_WORDS,
    TextContainmentSignal,
    TextMD5Signal,
    containment_value,
    decode_fingerprints,
    encode_fingerprints,
    fingerprints,
    matched_spans,
    normalise,
    text_signals,
    words,
)

GPL3 = Path("/usr/share/common-licenses/GPL-3")
LOREM = (" ".join(f"word{n} alpha{n % 7} beta{n % 11} gamma{n % 13}" for n in range(400)))


@pytest.mark.parametrize(("script", "variant", "plain"), [
    ("latin", "Café  CRÈME,\n  naïve — Straße!", "cafe creme naive strasse"),
    ("latin ligatures and full width", "ﬁnal ｆｕｌｌ ①", "final full 1"),
    ("latin hyphenated at a line end", "exam-\n  ple text", "example text"),
    ("arabic diacritics", "كَتَبَ الطَّالِبُ", "كتب الطالب"),
    ("arabic letter variants", "أحمد إلى آمنة مكتبة ٱلكتاب", "احمد الي امنه مكتبه الكتاب"),
    ("arabic tatweel and digits", "جـــميل ٢٠٢٦", "جميل 2026"),
    ("persian yeh keheh and digits", "کتاب یک ۱۴۰۳", "كتاب يك 1403"),
    ("persian zero-width non-joiner", "می\u200cخواهم", "مي خواهم"),
    ("urdu heh goal and yeh barree", "ہے کتاب", "هي كتاب"),
    ("cyrillic look-alikes in latin words", "Раураl Ассоunt", "paypal account"),
    ("greek look-alikes", "Αpple ΤΟΚΕΝ", "apple token"),
    ("hebrew points", "שָׁלוֹם", "שלום"),
    ("zero-width characters", "jo\u200bin u\u200ds\ufeff", "join us"),
    ("han and kana one word per character", "東京タワー", "東 京 タ ワ ー"),
])
def test_normalise_per_script(script: str, variant: str, plain: str) -> None:
    assert normalise(variant) == normalise(plain), script
    assert normalise(variant) == plain or script.startswith(("cyrillic", "greek", "urdu", "persian"))


def test_cyrillic_text_and_its_latin_spoof_agree() -> None:
    """A word written all in Cyrillic and the same word with Latin look-alikes injected normalise alike."""
    assert normalise("сорок") == normalise("cоpoк")


def test_ascii_fast_path_agrees_with_the_general_path() -> None:
    for code in range(128):
        sample = f"x{chr(code)}y"
        assert normalise(sample) == normalise(sample + "\u2014"), repr(chr(code))


def test_text_md5_ignores_case_spacing_and_punctuation() -> None:
    first = TextMD5Signal.hash_from_str("Join us, brothers!\n\nThe hour is near.")
    assert first == TextMD5Signal.hash_from_str("join US brothers  the HOUR is near")
    assert first != TextMD5Signal.hash_from_str("join us brothers the hour is far")


def test_winnowing_keeps_a_fingerprint_in_every_window() -> None:
    tokens = words(LOREM)
    found = fingerprints(tokens)
    assert len(found.hashes) < len(tokens) - SHINGLE_WORDS + 1
    gaps = np.diff(found.positions)
    assert gaps.max() <= 6, "winnowing guarantees one fingerprint per window of shingles"


def test_fingerprints_round_trip_and_bad_values_are_refused() -> None:
    value = containment_value(words(LOREM))
    assert value is not None and value.startswith(PREFIX)
    hashes = decode_fingerprints(value)
    assert encode_fingerprints(hashes) == value
    assert validate_signal("text_containment", f" {value} ") == value
    packed = base64.b64encode(np.array([3, 1], dtype="<u8").tobytes()).decode()
    for bad, reason in [("w9.9:AAAA", "starts with"), (PREFIX + "!!", "do not decode"),
                        (PREFIX + packed, "sorted and distinct")]:
        with pytest.raises(InvalidInput, match=reason):
            validate_signal("text_containment", bad)


def test_a_value_with_too_many_fingerprints_is_refused() -> None:
    with pytest.raises(ValueError, match="at most"):
        decode_fingerprints(PREFIX + base64.b64encode(bytes(8 * 300_000)).decode())


def test_short_text_has_no_containment_signal() -> None:
    assert containment_value(words("too short to say anything about a document")) is None
    signals = dict(text_signals("short text").signals)
    assert set(signals) == {"text_md5"}


def test_text_signals_of_a_long_text() -> None:
    text = GPL3.read_text()
    signals = dict(text_signals(text).signals)
    assert set(signals) == {"text_md5", "text_tlsh", "text_containment"}
    assert validate_signal("text_tlsh", signals["text_tlsh"].lower()) == signals["text_tlsh"]
    reflowed = " ".join(text.split()).upper()
    assert TextTLSHSignal.compare_hash(dict(text_signals(reflowed).signals)["text_tlsh"], signals["text_tlsh"]).match
    with pytest.raises(InvalidInput, match="T1 followed by 70"):
        validate_signal("text_tlsh", "T1XYZ")


def test_containment_compare_hash_finds_an_excerpt() -> None:
    tokens = words(GPL3.read_text())
    banked = TextContainmentSignal.hash_from_str(GPL3.read_text())
    post = "i found this and you should read it " * 10 + " ".join(tokens[1000:1300])
    result = TextContainmentSignal.compare_hash(banked, TextContainmentSignal.hash_from_str(post))
    assert result.match and 90 <= result.distance.distance <= 99  # type: ignore[attr-defined]
    other = TextContainmentSignal.hash_from_str(LOREM)
    assert not TextContainmentSignal.compare_hash(banked, other).match


def test_matched_spans_cover_the_quoted_passage() -> None:
    tokens = words(GPL3.read_text())
    quote = tokens[2000:2200]
    post = words(LOREM)[:300] + quote + words(LOREM)[300:400]
    banked = decode_fingerprints(str(containment_value(tokens)))
    [(start, end)] = matched_spans(post, banked)
    assert 300 <= start <= 310 and 490 <= end <= 500
    assert matched_spans(words(LOREM), banked) == []
    assert MIN_SHARED > 1
