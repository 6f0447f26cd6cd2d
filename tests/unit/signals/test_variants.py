"""The edit-robustness table on scikit-image's real photos (see docs/signals.md)."""

from __future__ import annotations

import pytest
from PIL import Image

from accord.signals.robustness import EditResult, closest_unrelated, measure_edits, sample_photos
from accord.signals.variants import centre_crop, index_hashes, query_hashes, trim_border

GEOMETRIC = ("crop 5 % per side", "crop 10 % per side", "mirror", "flip", "rotate 90", "letterbox 10 %")


@pytest.fixture(scope="module")
def photos() -> dict[str, Image.Image]:
    return sample_photos()


@pytest.fixture(scope="module")
def table(photos: dict[str, Image.Image]) -> dict[str, EditResult]:
    return {result.edit: result for result in measure_edits(photos)}


def test_enough_real_photos(photos: dict[str, Image.Image]) -> None:
    assert len(photos) >= 15


def test_accord_never_catches_less_than_plain_pdq(table: dict[str, EditResult]) -> None:
    for result in table.values():
        assert result.accord >= result.plain, result


@pytest.mark.parametrize("edit", GEOMETRIC)
def test_geometric_edits_defeat_plain_pdq_but_not_accord(table: dict[str, EditResult], edit: str) -> None:
    result = table[edit]
    assert result.plain == 0
    assert result.accord >= 0.75 * result.total, result


@pytest.mark.parametrize("edit", ["re-encode (JPEG q40)", "greyscale", "brighten 30 %", "blur (Gaussian r=2)"])
def test_photometric_edits_still_match(table: dict[str, EditResult], edit: str) -> None:
    assert table[edit].accord >= 0.85 * table[edit].total


def test_no_false_match_among_unrelated_photos(photos: dict[str, Image.Image]) -> None:
    distance, _, _ = closest_unrelated(photos)
    assert distance > 2 * 31  # far from the threshold, not just beyond it


def test_trim_border_finds_a_letterbox(photos: dict[str, Image.Image]) -> None:
    photo = photos["astronaut"]
    boxed = Image.new("RGB", (photo.width + 100, photo.height + 60))
    boxed.paste(photo, (50, 30))
    trimmed = trim_border(boxed)
    assert trimmed is not None and trimmed.size == photo.size
    assert trim_border(photo) is None


def test_bank_and_query_hash_sets(photos: dict[str, Image.Image]) -> None:
    photo = photos["coffee"]
    bank = index_hashes(photo)
    assert len(bank) == 5 and len(set(bank)) == 5
    query = query_hashes(photo)
    assert bank[0] == query[0]  # the plain hash comes first on both sides
    assert 8 < len(query) <= 16
    assert centre_crop(photo, 0.1).size == (480, 320)
