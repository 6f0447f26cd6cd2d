from __future__ import annotations

import pytest

from accord.errors import InvalidInput
from accord.narratives.audience import (
    COUNTRY_CODES,
    LANGUAGE_CODES,
    MessageFormat,
    MessengerType,
    control_of,
    validate_segment,
    validate_segments,
    validate_variant,
    validate_variants,
)


def test_code_lists_have_the_iso_sizes() -> None:
    assert len(COUNTRY_CODES - {"XK"}) == 249
    assert len(LANGUAGE_CODES) >= 183


def test_a_segment_by_place_language_and_keywords_is_accepted() -> None:
    segment = validate_segment(
        {"key": "ca-on", "country": "ca", "language": "EN", "region": "M5V", "keywords": [" join isis "]}
    )
    assert (segment.country, segment.language, segment.keywords) == ("CA", "en", ("join isis",))
    assert segment.to_dict()["keywords"] == ["join isis"]


def test_dates_are_keywords_not_phone_numbers() -> None:
    assert validate_segment({"key": "s", "keywords": ["paris 13.11.2015"]}).keywords


@pytest.mark.parametrize(
    "field",
    ["user_ids", "emails", "handle", "phone_number", "device_id", "profile_url", "lookalike_audience"],
)
def test_targeting_individuals_is_refused(field: str) -> None:
    with pytest.raises(InvalidInput, match="individuals") as caught:
        validate_segments([{"key": "s", "country": "FR", field: ["x"]}])
    assert caught.value.field == f"segments[0].{field}"


@pytest.mark.parametrize(
    "field", ["religion", "ethnicity", "political_views", "health", "sexual_orientation", "ethnic_origin"]
)
def test_special_categories_are_refused(field: str) -> None:
    with pytest.raises(InvalidInput, match=r"Art\. 26\(3\)") as caught:
        validate_segment({"key": "s", "country": "FR", field: "any"})
    assert caught.value.field == f"segment.{field}"


@pytest.mark.parametrize(
    ("keyword", "kind"),
    [
        ("someone@example.org", "e-mail"),
        ("follow @recruiter99", "handle"),
        ("+33 6 12 34 56 78", "phone"),
        ("https://social.example/u/someone", "link"),
    ],
)
def test_keywords_cannot_name_a_person(keyword: str, kind: str) -> None:
    with pytest.raises(InvalidInput, match=kind) as caught:
        validate_segment({"key": "s", "keywords": ["ok", keyword]})
    assert caught.value.field == "segment.keywords[1]"


def test_unknown_fields_are_refused_too() -> None:
    with pytest.raises(InvalidInput, match="unknown field") as caught:
        validate_segment({"key": "s", "country": "FR", "age_band": "18-24"})
    assert caught.value.field == "segment.age_band"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"key": "s", "country": "UK"}, "segment.country", "did you mean GB"),
        ({"key": "s", "country": "ZZ"}, "segment.country", "3166"),
        ({"key": "s", "language": "ara"}, "segment.language", "639-1"),
        ({"key": "Not A Key", "country": "FR"}, "segment.key", "key"),
        ({"key": "s"}, "segment", "at least one"),
    ],
)
def test_bad_segments(data: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        validate_segment(data)
    assert caught.value.field == field


def test_segment_keys_are_unique() -> None:
    with pytest.raises(InvalidInput, match="duplicate"):
        validate_segments([{"key": "a", "country": "FR"}, {"key": "a", "country": "BE"}])


def test_variants_need_exactly_one_control() -> None:
    base = {"messenger": "peer", "format": "text"}
    with pytest.raises(InvalidInput, match="exactly one"):
        validate_variants([{"key": "a", **base}, {"key": "b", **base}])
    with pytest.raises(InvalidInput, match="exactly one"):
        validate_variants([{"key": "a", "control": True, **base}, {"key": "b", "control": True, **base}])
    variants = validate_variants([{"key": "a", "control": True, **base}, {"key": "b", **base}])
    assert control_of(variants).key == "a"


def test_variant_enums_and_language() -> None:
    variant = validate_variant({"key": "v", "messenger": "survivor", "format": "video", "language": "ar"})
    assert (variant.messenger, variant.format) == (MessengerType.SURVIVOR, MessageFormat.VIDEO)
    assert variant.to_dict()["messenger"] == "survivor"
    with pytest.raises(InvalidInput) as caught:
        validate_variant({"key": "v", "messenger": "influencer", "format": "video"})
    assert caught.value.field == "variant.messenger"
    with pytest.raises(InvalidInput) as caught:
        validate_variant({"key": "v", "messenger": "peer", "format": "meme"})
    assert caught.value.field == "variant.format"
    with pytest.raises(InvalidInput) as caught:
        validate_variant({"key": "v", "messenger": "peer", "format": "text", "control": "yes"})
    assert caught.value.field == "variant.control"
