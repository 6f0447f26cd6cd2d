"""The contract every match index passes (one shared test class, one subclass per implementation)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from accord.errors import InvalidInput
from accord.matching import VPDQ_AVAILABLE, ExactMatchIndex, Hit, MatchIndex, PDQMatchIndex, build_index, load_index
from accord.signals.text import containment_value, text_tlsh

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_B = "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064"
PDQ_C = "6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d"


def plain(hits: list[Hit]) -> list[Hit]:
    """Hits without the vPDQ and containment percentages, which the contract does not cover (see
    test_vpdq_index.py and test_text_index.py)."""
    return [Hit(hit.entry_id, hit.distance) for hit in hits]


class MatchIndexContract:
    """Subclasses set ``signal_type`` and three distinct, unrelated ``values``."""

    signal_type: str
    values: tuple[str, str, str]

    def make(self) -> MatchIndex:
        return build_index(self.signal_type)

    def test_empty_index_matches_nothing(self) -> None:
        index = self.make()
        assert len(index) == 0
        assert plain(index.query(self.values[0])) == []
        assert index.query_many([]) == []

    def test_an_added_value_matches_its_entry_at_distance_zero(self) -> None:
        index = self.make()
        index.add(7, self.values[0])
        index.add(8, self.values[1])
        assert plain(index.query(self.values[0])) == [Hit(7, 0)]
        assert plain(index.query(self.values[2])) == []
        assert len(index) == 2

    def test_query_many_answers_in_order(self) -> None:
        index = self.make()
        index.add_many([(1, self.values[0]), (2, self.values[1])])
        assert [plain(hits) for hits in index.query_many(list(self.values))] == [[Hit(1, 0)], [Hit(2, 0)], []]

    def test_an_entry_with_several_values_is_one_hit(self) -> None:
        index = self.make()
        index.add_many([(5, self.values[0]), (5, self.values[0]), (5, self.values[1])])
        assert plain(index.query(self.values[0])) == [Hit(5, 0)]

    def test_entries_sharing_a_value_all_match(self) -> None:
        index = self.make()
        index.add_many([(3, self.values[0]), (4, self.values[0])])
        assert {hit.entry_id for hit in index.query(self.values[0])} == {3, 4}

    def test_remove_stops_every_value_of_the_entry_without_rebuild(self) -> None:
        index = self.make()
        index.add_many([(1, self.values[0]), (1, self.values[1]), (2, self.values[2])])
        assert index.remove(1) == 2
        assert plain(index.query(self.values[0])) == []
        assert plain(index.query(self.values[1])) == []
        assert plain(index.query(self.values[2])) == [Hit(2, 0)]
        assert len(index) == 1
        assert index.remove(1) == 0

    def test_an_entry_added_again_after_removal_matches(self) -> None:
        index = self.make()
        index.add(1, self.values[0])
        index.remove(1)
        index.add(1, self.values[0])
        assert plain(index.query(self.values[0])) == [Hit(1, 0)]

    def test_snapshot_round_trip(self, tmp_path: Path) -> None:
        index = self.make()
        index.add_many([(1, self.values[0]), (2, self.values[1]), (3, self.values[2])])
        index.remove(3)
        path = tmp_path / "index.snapshot"
        index.save(path)
        loaded = load_index(self.signal_type, path)
        assert type(loaded) is type(index)
        assert len(loaded) == 2
        assert [plain(hits) for hits in loaded.query_many(list(self.values))] == [[Hit(1, 0)], [Hit(2, 0)], []]
        loaded.add(4, self.values[2])
        assert plain(loaded.query(self.values[2])) == [Hit(4, 0)]
        assert not [p for p in tmp_path.iterdir() if p.name != "index.snapshot"], "no temporary file left"


class TestPDQ(MatchIndexContract):
    signal_type = "pdq"
    values = (PDQ_A, PDQ_B, PDQ_C)


class TestMD5(MatchIndexContract):
    signal_type = "md5"
    values = ("d41d8cd98f00b204e9800998ecf8427e", "cab08b36195edb1a1231d2d09fa450e0", "0" * 31 + "1")


class TestSHA256(MatchIndexContract):
    signal_type = "sha256"
    values = ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "a" * 64, "b" * 64)


class TestVideoMD5(MatchIndexContract):
    signal_type = "video_md5"
    values = ("d41d8cd98f00b204e9800998ecf8427e", "1" * 32, "2" * 32)


class TestURL(MatchIndexContract):
    signal_type = "url"
    values = ("https://example.org/a", "https://example.org/b", "http://example.net/")


class TestText(MatchIndexContract):
    signal_type = "text"
    values = ("join us", "the quick brown fox", "another text")


class TestTextMD5(MatchIndexContract):
    signal_type = "text_md5"
    values = ("d41d8cd98f00b204e9800998ecf8427e", "3" * 32, "4" * 32)


def synthetic_text(seed: int, words: int = 400) -> str:
    """Unrelated texts: words drawn at random from a made-up vocabulary."""
    rng = np.random.default_rng(seed)
    vocabulary = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), size=rng.integers(2, 9)))
                  for _ in range(3000)]
    return " ".join(rng.choice(vocabulary, size=words))


class TestTextTLSH(MatchIndexContract):
    signal_type = "text_tlsh"
    values = tuple(str(text_tlsh(synthetic_text(seed))) for seed in (1, 2, 3))  # type: ignore[assignment]


class TestTextContainment(MatchIndexContract):
    signal_type = "text_containment"
    values = tuple(str(containment_value(synthetic_text(seed).split())) for seed in (1, 2, 3))  # type: ignore[assignment]


def _synthetic_vpdq(seed: int) -> str:
    """A vPDQ hash of four frames with unrelated random PDQ hashes (the format python-threatexchange writes)."""
    rng = np.random.default_rng(seed)
    frames = [f"{rng.bytes(32).hex()},100,{second:.1f}" for second in range(4)]
    return json.dumps(frames)


@pytest.mark.skipif(not VPDQ_AVAILABLE, reason="vpdq is not installed (pip install -e '.[video]')")
class TestVPDQ(MatchIndexContract):
    signal_type = "vpdq"
    values = (_synthetic_vpdq(1), _synthetic_vpdq(2), _synthetic_vpdq(3))


def test_build_index_picks_the_implementation() -> None:
    assert isinstance(build_index("pdq"), PDQMatchIndex)
    assert isinstance(build_index("md5"), ExactMatchIndex)
    with pytest.raises(InvalidInput, match="no match index"):
        build_index("tmk")


def test_exact_index_refuses_a_distance_threshold() -> None:
    with pytest.raises(InvalidInput, match="matches exactly"):
        build_index("md5").query("d41d8cd98f00b204e9800998ecf8427e", threshold=3)
