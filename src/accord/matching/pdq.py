"""An in-memory PDQ index by multi-index hashing, updated in place.

The 256 bits of a PDQ hash are cut into 8 blocks of 32 bits, each made of two 16-bit chunks. By the
pigeonhole principle two hashes at most 31 bits apart differ in at most 3 bits on some block, and within that
block in at most 1 bit on one of its two chunks. So the index probes, for each of the 16 chunks, the query's
bucket and its 16 one-bit neighbours (in general ``threshold // 8 // 2`` flipped bits), and keeps only the
candidates whose whole block is within 3 bits (``threshold // 8``) of the query's: the search is exact.

For each chunk the index keeps the entry slots sorted by chunk value with bucket offsets (a CSR table) and,
beside each slot, the value of the sibling chunk of its block. A probe is two reads and a contiguous slice,
and the block filter reads the siblings sequentially; only the few survivors (about 10 per query among a
million random hashes) are fetched for the full 256-bit popcount. All of it is vectorised with numpy over
whole batches of queries.

Additions go to an unindexed tail that queries scan exhaustively; once the tail is long enough it is merged
into the sorted tables by insertion (linear in the index, no sort), so adding entries never rebuilds the
index. Removal clears a live flag.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from pathlib import Path
from typing import Any, Self, TypeVar

import numpy as np
import numpy.typing as npt

from accord.errors import InvalidInput
from accord.matching.base import Hit, MatchIndex, best_per_entry
from accord.signals.types import PDQ_THRESHOLD

CHUNKS = 16
_CHUNK_BITS = 16
_KEYS = 1 << _CHUNK_BITS
_MAX_THRESHOLD = 3 * CHUNKS - 1  # three flipped bits per chunk; beyond that probing costs more than a scan
_SIBLINGS = np.arange(CHUNKS) ^ 1  # the other chunk of each chunk's 32-bit block
_TAIL_LIMIT = 4096  # additions scanned exhaustively until they are merged into the tables
_BLOCK = 128  # queries per vectorised block; bounds the temporary candidate arrays
_DECODE_CHUNK = 16_384  # hashes decoded from hex at a time (1 MB of text)

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
_T = TypeVar("_T", bound=np.generic)


def hashes_to_words(values: Sequence[str]) -> U64:
    """Pack 64-hex-digit PDQ hashes into an ``(n, 4)`` array of 64-bit words."""
    words = np.empty((len(values), 4), dtype=np.uint64)
    decode_into(words, values)
    return words


def decode_into(out: U64, values: Sequence[str]) -> None:
    """Decode 64-hex-digit PDQ hashes into the ``(len(values), 4)`` array ``out``, a chunk at a time, so that
    no temporary grows with the number of hashes (a million hashes would otherwise need 64 MB of joined hex
    text and 32 MB of bytes beside the array)."""
    if len(out) != len(values):
        raise ValueError("one row of out per hash")
    for start in range(0, len(values), _DECODE_CHUNK):
        chunk = values[start : start + _DECODE_CHUNK]
        joined = "".join(chunk)
        if len(joined) != 64 * len(chunk):
            raise InvalidInput("a PDQ hash is 64 hexadecimal digits", field="value")
        try:
            raw = bytes.fromhex(joined)
        except ValueError:
            raise InvalidInput("a PDQ hash is 64 hexadecimal digits", field="value") from None
        out[start : start + len(chunk)] = np.frombuffer(raw, dtype=np.uint64).reshape(-1, 4)


def words_to_hash(words: U64) -> str:
    """The hex form of one packed hash (inverse of ``hashes_to_words``)."""
    return words.tobytes().hex()


def _flip_masks(nflip: int) -> npt.NDArray[np.int64]:
    """Every 16-bit mask with at most ``nflip`` bits set."""
    masks = [sum(1 << b for b in bits) for k in range(nflip + 1) for bits in combinations(range(16), k)]
    return np.array(masks, dtype=np.int64)


class PDQMatchIndex(MatchIndex):
    """PDQ hashes of bank entries, queried by Hamming distance (<= 31 by default)."""

    signal_type = "pdq"

    def __init__(self, *, threads: int = 1) -> None:
        """An empty index; ``threads`` > 1 splits large query batches across threads (numpy frees the GIL)."""
        self.threads = threads
        self._words: U64 = np.empty((0, 4), dtype=np.uint64)
        self._ids: I64 = np.empty(0, dtype=np.int64)
        self._alive: npt.NDArray[np.bool_] = np.empty(0, dtype=np.bool_)
        self._size = 0  # slots in use
        self._indexed = 0  # slots [0, _indexed) are in the chunk tables
        self._live = 0
        self._perm: npt.NDArray[np.int32] = np.empty(0, dtype=np.int32)
        self._sibling: npt.NDArray[np.uint16] = np.empty(0, dtype=np.uint16)
        self._offsets: I64 = np.zeros((CHUNKS, _KEYS + 1), dtype=np.int64)

    def __len__(self) -> int:
        """How many live hashes the index holds."""
        return self._live

    # ---- adding -----------------------------------------------------------------------------------------

    def add_many(self, entries: Iterable[tuple[int, str]]) -> None:
        """Index ``(entry_id, pdq_hex)`` pairs; cheap, the tables are only merged every few thousand."""
        pairs = entries if isinstance(entries, Sequence) else list(entries)
        if not pairs:
            return
        ids = np.fromiter((entry_id for entry_id, _ in pairs), dtype=np.int64, count=len(pairs))
        self.add_hex(ids, [value for _, value in pairs])

    def add_hex(self, entry_ids: I64 | Sequence[int], values: Sequence[str]) -> None:
        """Index hex PDQ hashes under ``entry_ids``, decoded chunk by chunk straight into the index's own
        arrays: a bulk build holds no full-size copy of the hashes beside the index. All or nothing: a
        malformed value raises ``InvalidInput`` and leaves the index as it was."""
        n = len(values)
        if len(entry_ids) != n:
            raise ValueError("one entry id per hash")
        self._reserve(self._size + n)
        decode_into(self._words[self._size : self._size + n], values)
        self._append(np.asarray(entry_ids, dtype=np.int64), n)

    def add_arrays(self, entry_ids: I64, words: U64) -> None:
        """Index already packed hashes (``(n, 4)`` uint64) under ``entry_ids``."""
        n = len(entry_ids)
        self._reserve(self._size + n)
        self._words[self._size : self._size + n] = words
        self._append(entry_ids, n)

    def _append(self, entry_ids: I64, n: int) -> None:
        """Take the ``n`` slots past the end, whose words are already written, into use."""
        end = self._size + n
        self._ids[self._size : end] = entry_ids
        self._alive[self._size : end] = True
        self._size = end
        self._live += n
        if self._size - self._indexed >= _TAIL_LIMIT:
            self._merge_tail()

    def _reserve(self, needed: int) -> None:
        capacity = len(self._ids)
        if needed <= capacity:
            return
        new_capacity = max(needed + needed // 8, capacity + capacity // 4, 1024)
        self._words = _grown(self._words, new_capacity, self._size)
        self._ids = _grown(self._ids, new_capacity, self._size)
        self._alive = _grown(self._alive, new_capacity, self._size)

    def _merge_tail(self) -> None:
        """Insert the tail's slots into each chunk's sorted run (a linear copy, no sort)."""
        start, stop = self._indexed, self._size
        if start == 0:
            self._build_tables(stop)
            return
        new = stop - start
        raw = self._words[start:stop].view(np.uint16)
        chunks = raw.astype(np.int64)
        positions = np.concatenate([self._offsets[c, chunks[:, c] + 1] for c in range(CHUNKS)])
        slots = np.tile(np.arange(start, stop, dtype=np.int32), CHUNKS)
        self._perm = np.insert(self._perm, positions, slots)
        self._sibling = np.insert(self._sibling, positions, raw[:, _SIBLINGS].T.ravel())
        for c in range(CHUNKS):
            below = np.concatenate(([0], np.cumsum(np.bincount(chunks[:, c], minlength=_KEYS))))
            self._offsets[c] += c * new + below
        self._indexed = stop

    def _build_tables(self, stop: int) -> None:
        """Sort slots ``[0, stop)`` by each chunk (radix sort: 16-bit keys)."""
        chunks = self._words[:stop].view(np.uint16)
        self._perm = np.empty(CHUNKS * stop, dtype=np.int32)
        self._sibling = np.empty(CHUNKS * stop, dtype=np.uint16)
        for c in range(CHUNKS):
            keys = chunks[:, c]
            order = np.argsort(keys, kind="stable")
            self._perm[c * stop : (c + 1) * stop] = order
            self._sibling[c * stop : (c + 1) * stop] = chunks[order, c ^ 1]
            self._offsets[c, 0] = c * stop
            self._offsets[c, 1:] = c * stop + np.cumsum(np.bincount(keys, minlength=_KEYS))
        self._indexed = stop

    # ---- removing -----------------------------------------------------------------------------------------

    def remove(self, entry_id: int) -> int:
        """Stop matching every hash of ``entry_id``; answer how many were dropped."""
        return self.remove_many([entry_id])

    def remove_many(self, entry_ids: Iterable[int]) -> int:
        """Stop matching every hash of these entries (one pass over the index)."""
        wanted = np.fromiter(entry_ids, dtype=np.int64)
        hit = np.isin(self._ids[: self._size], wanted) & self._alive[: self._size]
        dropped = int(hit.sum())
        self._alive[: self._size][hit] = False
        self._live -= dropped
        return dropped

    # ---- querying -----------------------------------------------------------------------------------------

    def query_many(self, values: Sequence[str], threshold: int | None = None) -> list[list[Hit]]:
        """For each PDQ hash, the entries within ``threshold`` bits (31 by default), closest first."""
        if not values:
            return []
        return self.query_words(hashes_to_words(values), threshold)

    def query_words(self, queries: U64, threshold: int | None = None) -> list[list[Hit]]:
        """``query_many`` for already packed hashes."""
        limit = PDQ_THRESHOLD if threshold is None else threshold
        if not 0 <= limit <= _MAX_THRESHOLD:
            raise InvalidInput(f"a PDQ threshold is between 0 and {_MAX_THRESHOLD}", field="threshold")
        blocks = [queries[i : i + _BLOCK] for i in range(0, len(queries), _BLOCK)]
        if self.threads > 1 and len(blocks) > 1:
            with ThreadPoolExecutor(self.threads) as pool:
                answers = list(pool.map(lambda block: self._query_block(block, limit), blocks))
        else:
            answers = [self._query_block(block, limit) for block in blocks]
        return [hits for answer in answers for hits in answer]

    def _query_block(self, queries: U64, limit: int) -> list[list[Hit]]:
        qidx, slots = self._candidates(queries, limit)
        distances = np.bitwise_count(self._words[slots] ^ queries[qidx]).sum(axis=1, dtype=np.int64)
        keep = distances <= limit
        qidx, slots, distances = self._with_tail(queries, limit, (qidx[keep], slots[keep], distances[keep]))
        alive = self._alive[slots]
        found: list[list[tuple[int, int]]] = [[] for _ in range(len(queries))]
        for q, entry_id, distance in zip(
            qidx[alive].tolist(), self._ids[slots[alive]].tolist(), distances[alive].tolist(), strict=True
        ):
            found[q].append((entry_id, distance))
        return [best_per_entry(pairs) for pairs in found]

    def _with_tail(
        self, queries: U64, limit: int, hits: tuple[I64, I64, I64]
    ) -> tuple[I64, I64, I64]:
        """Add the matches among the unindexed tail, found by an exhaustive popcount scan."""
        if self._size == self._indexed:
            return hits
        tail = self._words[self._indexed : self._size]
        distances = np.bitwise_count(queries[:, None, :] ^ tail[None, :, :]).sum(axis=2, dtype=np.int64)
        qidx, offset = np.nonzero(distances <= limit)
        return (
            np.concatenate((hits[0], qidx)),
            np.concatenate((hits[1], offset + self._indexed)),
            np.concatenate((hits[2], distances[qidx, offset])),
        )

    def _candidates(self, queries: U64, limit: int) -> tuple[I64, I64]:
        """Slots whose 32-bit block agrees with a query's within ``limit // 8`` bits, and which query."""
        if self._indexed == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        block_limit = limit // (CHUNKS // 2)
        masks = _flip_masks(block_limit // 2)
        chunks = queries.view(np.uint16).astype(np.int64)  # (B, 16)
        rows = np.arange(CHUNKS, dtype=np.int64) * (_KEYS + 1)
        probes = ((chunks[:, :, None] ^ masks) + rows[None, :, None]).ravel()
        flat = self._offsets.ravel()
        starts = flat[probes]
        counts = flat[probes + 1] - starts
        ends = np.cumsum(counts)
        positions = np.repeat(starts - (ends - counts), counts) + np.arange(ends[-1], dtype=np.int64)
        # per probe: the query's sibling chunk, and the bits the block may still differ by
        target = np.broadcast_to(chunks[:, _SIBLINGS, None], (len(queries), CHUNKS, len(masks))).ravel()
        budget = np.tile(block_limit - np.bitwise_count(masks).astype(np.int64), len(queries) * CHUNKS)
        differ = np.bitwise_count(self._sibling[positions] ^ np.repeat(target, counts).astype(np.uint16))
        keep = np.flatnonzero(differ <= np.repeat(budget, counts))
        probe_query = np.repeat(np.arange(len(queries), dtype=np.int64), CHUNKS * len(masks))
        qidx = np.repeat(probe_query, counts)[keep]
        return qidx, self._perm[positions[keep]].astype(np.int64)

    # ---- snapshots ----------------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the arrays (tables included, so loading needs no sort) to ``path`` atomically."""
        self.compact()
        arrays = {
            "words": self._words[: self._size],
            "ids": self._ids[: self._size],
            "alive": self._alive[: self._size],
            "perm": self._perm,
            "sibling": self._sibling,
            "offsets": self._offsets,
        }
        _atomic_savez(path, arrays)

    def compact(self) -> None:
        """Merge recent additions into the tables now (a matcher may call this when idle)."""
        if self._size > self._indexed:
            self._merge_tail()

    @classmethod
    def load(cls, path: Path) -> Self:
        """Read a snapshot written by ``save``."""
        index = cls()
        with np.load(path) as data:
            index._words = data["words"]
            index._ids = data["ids"]
            index._alive = data["alive"]
            index._perm = data["perm"]
            index._sibling = data["sibling"]
            index._offsets = data["offsets"]
        index._size = index._indexed = len(index._ids)
        index._live = int(index._alive.sum())
        return index


def _grown(array: npt.NDArray[_T], capacity: int, used: int) -> npt.NDArray[_T]:
    grown = np.empty((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[:used] = array[:used]
    return grown


def _atomic_savez(path: Path, arrays: dict[str, Any]) -> None:
    """``np.savez`` to a temporary file beside ``path``, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, allow_pickle=False, **arrays)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
