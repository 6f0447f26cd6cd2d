"""VPDQMatchIndex answers what python-threatexchange's own vPDQ comparison answers, on the same data.

The corpus is built around the thresholds: banked videos of random frames, and queries made of some of a
video's frames flipped by 0 to 40 bits (either side of the 31-bit frame threshold), frames of other videos,
random frames, duplicates and low-quality frames, so that query-match percentages fall either side of 80 %.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from accord.errors import InvalidInput
from accord.matching import VPDQ_AVAILABLE, Hit, build_index, load_index

pytestmark = pytest.mark.skipif(not VPDQ_AVAILABLE, reason="vpdq is not installed (pip install -e '.[video]')")

Frame = tuple[str, int, float]


def _flip(rng: np.random.Generator, hexhash: str, bits: int) -> str:
    value = int(hexhash, 16)
    for bit in rng.choice(256, size=bits, replace=False):
        value ^= 1 << int(bit)
    return f"{value:064x}"


def _serialise(frames: list[Frame]) -> str:
    return json.dumps([f"{h},{q},{t:.1f}" for h, q, t in frames])


def _corpus(seed: int = 7) -> tuple[list[str], list[str]]:
    """Banked vPDQ hashes and queries derived from them (and some unrelated ones)."""
    rng = np.random.default_rng(seed)
    videos: list[list[Frame]] = []
    for _ in range(40):
        n = int(rng.integers(3, 15))
        videos.append([(rng.bytes(32).hex(), int(rng.choice([100, 90, 60, 20])), float(t)) for t in range(n)])
    queries: list[str] = []
    for _ in range(160):
        source = videos[int(rng.integers(len(videos)))]
        frames: list[Frame] = []
        for h, q, t in source:
            roll = rng.random()
            if roll < 0.7:
                frames.append((_flip(rng, h, int(rng.integers(0, 41))), q, t))
            elif roll < 0.8:
                frames.append((rng.bytes(32).hex(), 100, t))
            elif roll < 0.9:
                other = videos[int(rng.integers(len(videos)))]
                frames.append((other[int(rng.integers(len(other)))][0], 100, t))
        if rng.random() < 0.3 and frames:
            frames.append(frames[0])  # a duplicate frame hash
        if rng.random() < 0.2:
            frames.append((rng.bytes(32).hex(), 10, 99.0))  # low quality: ignored
        if frames:
            queries.append(_serialise(frames))
    return [_serialise(v) for v in videos], queries


def _library_answer(bank: list[str], query: str, distance: int = 31) -> list[tuple[int, float, float]]:
    """python-threatexchange's verdict for every banked video, as the index should report it."""
    from threatexchange.extensions.vpdq.vpdq import VPDQSignal
    from threatexchange.extensions.vpdq.vpdq_brute_matcher import match_VPDQ_hash_brute
    from threatexchange.extensions.vpdq.vpdq_util import json_to_vpdq, quality_filter

    found = []
    for entry_id, value in enumerate(bank):
        if not quality_filter(json_to_vpdq(value), 50) or not quality_filter(json_to_vpdq(query), 50):
            continue  # nothing to compare (the brute matcher would divide by zero)
        if distance == 31:
            result = VPDQSignal.compare_hash(query, value)
            pcts = (result.distance.query_match_percent, result.distance.compared_match_percent)
            matched = result.match
        else:
            pct = match_VPDQ_hash_brute(json_to_vpdq(query), json_to_vpdq(value), 50, distance)
            pcts = (pct.query_match_percent, pct.compared_match_percent)
            matched = pct.query_match_percent >= 80
        if matched and pcts[0] > 0:
            found.append((entry_id, float(pcts[0]), float(pcts[1])))
    return sorted(found)


@pytest.mark.parametrize("distance", [31, 20, 40])
def test_same_answers_as_python_threatexchange(distance: int) -> None:
    bank, queries = _corpus()
    index = build_index("vpdq")
    index.add_many(enumerate(bank))
    matched = 0
    for query in queries:
        hits = index.query(query, threshold=distance)
        expected = _library_answer(bank, query, distance)
        got = sorted((h.entry_id, h.query_match_percent, h.compared_match_percent) for h in hits)
        assert got == expected, query
        matched += bool(expected)
    assert 5 <= matched <= len(queries) - 20, "the corpus straddles the thresholds"


def test_same_answers_as_the_librarys_own_index() -> None:
    if importlib.util.find_spec("faiss") is None:
        pytest.skip("python-threatexchange's VPDQIndex needs faiss")
    from threatexchange.extensions.vpdq.vpdq_index import VPDQIndex

    bank, queries = _corpus(seed=11)
    theirs = VPDQIndex.build((value, entry_id) for entry_id, value in enumerate(bank))
    ours = build_index("vpdq")
    ours.add_many(enumerate(bank))
    for query in queries:
        expected = sorted((m.metadata, m.similarity_info.query_match_percent) for m in theirs.query(query))
        assert sorted((h.entry_id, h.query_match_percent) for h in ours.query(query)) == expected


def test_hit_distance_and_order() -> None:
    rng = np.random.default_rng(3)
    frames = [(rng.bytes(32).hex(), 100, float(t)) for t in range(10)]
    index = build_index("vpdq")
    index.add(1, _serialise(frames))
    index.add(2, _serialise([*frames[:9], (rng.bytes(32).hex(), 100, 9.0)]))
    index.add(3, _serialise([*frames, (rng.bytes(32).hex(), 100, 10.0)]))
    hits = index.query(_serialise(frames))
    assert [h.entry_id for h in hits] == [1, 3, 2]
    assert hits[0] == Hit(1, 0, 100.0, 100.0)
    assert hits[1].distance == 0 and hits[1].compared_match_percent == pytest.approx(100 * 10 / 11)
    assert hits[2] == Hit(2, 10, 90.0, 90.0)
    seven_of_ten = frames[:7] + [(rng.bytes(32).hex(), 100, float(t)) for t in range(7, 10)]
    assert index.query(_serialise(seven_of_ten)) == [], "70 % of the query's frames is below 80 %"


def test_remove_is_incremental_and_keeps_other_entries() -> None:
    bank, queries = _corpus(seed=5)
    index = build_index("vpdq")
    index.add_many(enumerate(bank))
    frames_before = index.frames  # type: ignore[attr-defined]
    hits = {q: index.query(q) for q in queries}
    victim = next(h.entry_id for found in hits.values() for h in found)
    assert index.remove(victim) == 1
    assert len(index) == len(bank) - 1
    assert index.frames < frames_before  # type: ignore[attr-defined]
    for query, found in hits.items():
        assert index.query(query) == [h for h in found if h.entry_id != victim]
    index.add(victim, bank[victim])
    for query, found in hits.items():
        assert sorted(index.query(query), key=lambda h: h.entry_id) == sorted(found, key=lambda h: h.entry_id)


def test_snapshot_round_trip_answers_the_same(tmp_path: Path) -> None:
    bank, queries = _corpus(seed=9)
    index = build_index("vpdq")
    index.add_many(enumerate(bank))
    index.remove(0)
    index.save(tmp_path / "vpdq.idx")
    loaded = load_index("vpdq", tmp_path / "vpdq.idx")
    assert len(loaded) == len(index)
    assert [loaded.query(q) for q in queries] == [index.query(q) for q in queries]
    (tmp_path / "pdq.idx").write_text(json.dumps({"signal_type": "pdq"}))
    with pytest.raises(InvalidInput, match="not a vpdq index snapshot"):
        load_index("vpdq", tmp_path / "pdq.idx")


def test_a_hash_without_usable_frames_never_matches_and_bad_thresholds_are_refused() -> None:
    dull = _serialise([("ab" * 32, 10, 0.0), ("cd" * 32, 30, 1.0)])
    index = build_index("vpdq")
    index.add(1, dull)
    assert len(index) == 1 and index.query(dull) == []
    with pytest.raises(InvalidInput, match="between 0 and"):
        index.query(dull, threshold=64)
    with pytest.raises(InvalidInput, match="invalid vpdq signal"):
        index.query("not json")
