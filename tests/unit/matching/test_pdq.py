"""PDQMatchIndex is exact: it answers what a brute-force popcount answers, however entries arrived."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from accord.errors import InvalidInput
from accord.matching import pdq
from accord.matching.pdq import PDQMatchIndex, hashes_to_words, words_to_hash

U64 = np.ndarray


def random_words(rng: np.random.Generator, n: int) -> U64:
    return rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)


def flipped(rng: np.random.Generator, words: U64, bits: int) -> U64:
    raw = np.unpackbits(words.view(np.uint8)).copy()
    raw[rng.choice(256, bits, replace=False)] ^= 1
    return np.packbits(raw).view(np.uint64)


def brute_force(stored: U64, ids: np.ndarray, alive: np.ndarray, query: U64, limit: int) -> dict[int, int]:
    distances = np.bitwise_count(stored ^ query).sum(axis=1)
    best: dict[int, int] = {}
    for entry_id, distance in zip(ids[alive].tolist(), distances[alive].tolist(), strict=True):
        if distance <= limit:
            best[entry_id] = min(distance, best.get(entry_id, 999))
    return best


@pytest.fixture(scope="module")
def corpus() -> tuple[U64, U64]:
    """20,000 random hashes plus queries planted at 0-47 bits from some of them."""
    rng = np.random.default_rng(7)
    stored = random_words(rng, 20_000)
    picks = rng.integers(0, len(stored), 300)
    queries = np.stack([flipped(rng, stored[p], int(rng.integers(0, 48))) for p in picks])
    return stored, np.concatenate((queries, random_words(rng, 50)))


@pytest.mark.parametrize("limit", [0, 15, 31, 40, 47])
def test_answers_equal_brute_force_with_tables_tail_and_removals(corpus: tuple[U64, U64], limit: int) -> None:
    stored, queries = corpus
    index = PDQMatchIndex(threads=2)
    ids = np.arange(len(stored), dtype=np.int64) // 2  # two hashes per entry
    index.add_arrays(ids[:15_000], stored[:15_000])  # built into tables
    for i in range(15_000, 17_000):  # pending in the tail, scanned exhaustively
        index.add(int(ids[i]), words_to_hash(stored[i]))
    index.add_arrays(ids[17_000:], stored[17_000:])  # the tail passes 4,096: merged in place
    removed = np.arange(0, 10_000, 3)
    index.remove_many(removed.tolist())
    alive = ~np.isin(ids, removed)
    answers = index.query_words(queries, threshold=limit)
    for query, hits in zip(queries, answers, strict=True):
        expected = brute_force(stored, ids, alive, query, limit)
        assert {hit.entry_id: hit.distance for hit in hits} == expected
        assert [hit.distance for hit in hits] == sorted(hit.distance for hit in hits)


def test_tail_is_merged_once_long_enough() -> None:
    rng = np.random.default_rng(1)
    index = PDQMatchIndex()
    words = random_words(rng, pdq._TAIL_LIMIT + 10)
    index.add_arrays(np.arange(len(words), dtype=np.int64), words)
    assert index._indexed == len(words)
    index.add(99_999, words_to_hash(words[0]))
    assert index._indexed == len(words)  # pending in the tail, still found
    assert {hit.entry_id for hit in index.query(words_to_hash(words[0]))} == {0, 99_999}


def test_hex_round_trip() -> None:
    value = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    assert words_to_hash(hashes_to_words([value])[0]) == value


@pytest.mark.parametrize("bad", ["abc", "zz" * 32, "f" * 63])
def test_malformed_hashes_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        PDQMatchIndex().add(1, bad)


@pytest.mark.parametrize("limit", [-1, 48, 256])
def test_thresholds_outside_the_exact_range_are_refused(limit: int) -> None:
    with pytest.raises(InvalidInput, match="threshold"):
        PDQMatchIndex().query("f" * 64, threshold=limit)


def test_bulk_hex_build_equals_packed_build_and_is_all_or_nothing() -> None:
    rng = np.random.default_rng(5)
    words = random_words(rng, 3 * pdq._DECODE_CHUNK + 7)  # several decode chunks
    values = [words_to_hash(w) for w in words]
    ids = np.arange(len(words), dtype=np.int64)
    packed, bulk, pairs = PDQMatchIndex(), PDQMatchIndex(), PDQMatchIndex()
    packed.add_arrays(ids, words)
    bulk.add_hex(ids, values)
    pairs.add_many(zip(ids.tolist(), values, strict=True))
    probes = [values[0], values[pdq._DECODE_CHUNK + 1], values[-1]]
    assert bulk.query_many(probes) == packed.query_many(probes) == pairs.query_many(probes)
    assert len(bulk) == len(pairs) == len(words)

    broken = [*values[:10], *values[10 : 2 * pdq._DECODE_CHUNK], "zz" * 32]  # bad value in the second chunk
    with pytest.raises(InvalidInput):
        bulk.add_hex(np.arange(len(broken), dtype=np.int64) + 10**6, broken)
    assert len(bulk) == len(words)
    assert {hit.entry_id for hit in bulk.query(values[10])} == {10}
    with pytest.raises(ValueError, match="one entry id per hash"):
        bulk.add_hex([1, 2], values[:3])


def test_bulk_build_holds_no_full_size_copy_of_the_hashes() -> None:
    """Peak memory while building from hex, beyond what the built index keeps, stays small: 200,000 hashes as
    one joined hex text would be 12.8 MB, their decoded copy 6.4 MB (decoding them whole, then copying them
    in, peaks 10 MB above the index; decoding in chunks into the index's own array, under 4 MB)."""
    import tracemalloc

    n = 200_000
    values = [words_to_hash(w) for w in random_words(np.random.default_rng(6), n)]
    ids = np.arange(n, dtype=np.int64)
    tracemalloc.start()
    try:
        index = PDQMatchIndex()
        index.add_hex(ids, values)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(index) == n
    assert kept > 32 * n + 16 * 6 * n  # the words, the sorted slots and their siblings are really counted
    assert peak - kept < 6_000_000, (kept, peak)


def test_a_snapshot_of_a_mapped_index_links_its_main_level_and_keeps_recent_additions(tmp_path: Path) -> None:
    rng = np.random.default_rng(12)
    stored = random_words(rng, 6_000)
    ids = np.arange(len(stored), dtype=np.int64)
    first = PDQMatchIndex()
    first.add_arrays(ids[:5_000], stored[:5_000])
    first.save(tmp_path / "one")  # folded: a main level in entry-id order
    mapped = PDQMatchIndex.load(tmp_path / "one")
    mapped.add_arrays(ids[5_000:], stored[5_000:])  # the recent level: a fifth of the main one
    mapped.remove_many([3, 5_003])
    mapped.save(tmp_path / "two")
    assert os.stat(tmp_path / "two" / "sibling.npy").st_ino == os.stat(tmp_path / "one" / "sibling.npy").st_ino
    again = PDQMatchIndex.load(tmp_path / "two")
    assert len(again) == len(stored) - 2
    alive = ~np.isin(ids, [3, 5_003])
    queries = np.stack([flipped(rng, stored[p], 20) for p in (3, 10, 5_003, 5_500)])
    for query, hits in zip(queries, again.query_words(queries), strict=True):
        assert {hit.entry_id: hit.distance for hit in hits} == brute_force(stored, ids, alive, query, 31)
    again.add_arrays(ids[:2_000] + 10_000, stored[:2_000])  # the recent level passes a quarter: folded
    again.save(tmp_path / "three")
    assert not (tmp_path / "three" / "recent_ids.npy").exists()
    assert len(PDQMatchIndex.load(tmp_path / "three")) == len(stored) - 2 + 2_000
