"""An in-memory PDQ index by multi-index hashing, updated in place, sized for ten million hashes.

The 256 bits of a PDQ hash are cut into 8 blocks of 32 bits, each made of two 16-bit chunks. By the
pigeonhole principle two hashes at most 31 bits apart differ in at most 3 bits on some block, and within that
block in at most 1 bit on one of its two chunks. So the index probes, for each of the 16 chunks, the query's
bucket and its 16 one-bit neighbours (in general ``threshold // 8 // 2`` flipped bits), and keeps only the
candidates whose whole block is within 3 bits (``threshold // 8``) of the query's: the search is exact.

For each chunk the index keeps the entry slots sorted by chunk value with bucket offsets (a CSR table) and,
beside each slot, the value of the sibling chunk of its block. A probe is two reads and a contiguous slice,
and the block filter reads the siblings sequentially; only the few survivors (about 10 per query among a
million random hashes, about 100 among ten million) are fetched for the full 256-bit popcount. All of it is
vectorised with numpy over blocks of queries sized so that the temporaries stay in cache.

Memory per hash: 32 bytes of hash, 8 of entry id, 1 live flag, and per chunk 2 bytes of sibling and 3 bytes of
slot (a 16-bit low part and an 8-bit high part: the slot is read only for the survivors), 121 bytes in all.
A snapshot is a folder of ``.npy`` files that ``load`` maps into memory (``mmap``) instead of reading: a
matcher serves from a ten-million-hash snapshot at once, pages arrive as lookups touch them, and every matcher
on a host shares the same pages of the page cache.

The index has two levels. The **main** level holds the bulk; a **recent** level takes additions once the main
one is large (past ``_MAIN_GROWS`` slots, or mapped from a snapshot), so that an addition never copies the
main tables: inserting into sorted tables costs a copy of the whole level, cheap for the recent one. Each level
keeps an unindexed tail that queries scan exhaustively and merges it into its tables every few thousand
additions. When the recent level reaches a quarter of the main one (or on ``compact``, which a snapshot
calls), the two are rebuilt into one main level, dropping removed entries. Removal clears a live flag.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
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
_BLOCK = 1024  # queries per block handed to the search loop (a thread's share of a batch)
_DECODE_CHUNK = 16_384  # hashes decoded from hex at a time (1 MB of text)
_MAIN_GROWS = 1 << 18  # past this many slots the main level stops taking additions: the recent level does
_ARRAYS = ("words", "ids", "alive", "perm_lo", "perm_hi", "sibling", "offsets")
_MAPPED = frozenset({"words", "ids", "perm_lo", "perm_hi", "sibling"})  # read-only, shared pages

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


@cache
def _probes(limit: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For a threshold: every 16-bit mask with at most ``limit // 16`` bits set (the probes of a chunk), and
    for each the bits the 32-bit block may still differ by (computed once per threshold)."""
    block_limit = limit // (CHUNKS // 2)
    nflip = block_limit // 2
    masks = np.array([sum(1 << b for b in bits) for k in range(nflip + 1) for bits in combinations(range(16), k)],
                     dtype=np.int64)
    return masks, block_limit - np.bitwise_count(masks).astype(np.int64)


def warm_up() -> None:
    """Have numba load (or compile) the search loop now rather than on a process's first lookup."""
    index = PDQMatchIndex()
    index.add_arrays(np.zeros(1, dtype=np.int64), np.ones((1, 4), dtype=np.uint64))
    index.compact()
    index.query_words(np.ones((1, 4), dtype=np.uint64))


def _check_threshold(threshold: int | None) -> int:
    limit = PDQ_THRESHOLD if threshold is None else threshold
    if not 0 <= limit <= _MAX_THRESHOLD:
        raise InvalidInput(f"a PDQ threshold is between 0 and {_MAX_THRESHOLD}", field="threshold")
    return limit


Found = tuple[I64, I64, I64]  # query index, entry id, distance of every hit


class _Level:
    """One set of chunk tables over its own slots, with an unindexed tail."""

    def __init__(self) -> None:
        self.words: U64 = np.empty((0, 4), dtype=np.uint64)
        self.ids: I64 = np.empty(0, dtype=np.int64)
        self.alive: npt.NDArray[np.bool_] = np.empty(0, dtype=np.bool_)
        self.size = 0  # slots in use
        self.indexed = 0  # slots [0, indexed) are in the chunk tables
        self.live = 0
        self.perm_lo: npt.NDArray[np.uint16] = np.empty(0, dtype=np.uint16)
        self.perm_hi: npt.NDArray[np.uint8] = np.empty(0, dtype=np.uint8)
        self.sibling: npt.NDArray[np.uint16] = np.empty(0, dtype=np.uint16)
        self.offsets: I64 = np.zeros((CHUNKS, _KEYS + 1), dtype=np.int64)
        self.frozen = False  # slots in entry-id order (a rebuilt or mapped level): never appended to

    # ---- adding -----------------------------------------------------------------------------------------

    def reserve(self, needed: int) -> None:
        capacity = len(self.ids)
        if needed <= capacity:
            return
        new_capacity = max(needed + needed // 8, capacity + capacity // 4, 1024)
        self.words = _grown(self.words, new_capacity, self.size)
        self.ids = _grown(self.ids, new_capacity, self.size)
        self.alive = _grown(self.alive, new_capacity, self.size)

    def append(self, entry_ids: I64, n: int) -> None:
        """Take the ``n`` slots past the end, whose words are already written, into use."""
        end = self.size + n
        self.ids[self.size : end] = entry_ids
        self.alive[self.size : end] = True
        self.size = end
        self.live += n
        if self.size - self.indexed >= _TAIL_LIMIT:
            self.merge_tail()

    def merge_tail(self) -> None:
        """Insert the tail's slots into each chunk's sorted run (a linear copy, no sort)."""
        start, stop = self.indexed, self.size
        if start == stop:
            return
        if start == 0:
            self.build_tables(stop)
            return
        new = stop - start
        raw = self.words[start:stop].view(np.uint16)
        chunks = raw.astype(np.int64)
        positions = np.concatenate([self.offsets[c, chunks[:, c] + 1] for c in range(CHUNKS)])
        slots = np.tile(np.arange(start, stop, dtype=np.int64), CHUNKS)
        self.perm_lo = np.insert(self.perm_lo, positions, (slots & 0xFFFF).astype(np.uint16))
        self.perm_hi = np.insert(self._wide_hi(stop), positions, (slots >> 16).astype(self._hi_dtype(stop)))
        self.sibling = np.insert(self.sibling, positions, raw[:, _SIBLINGS].T.ravel())
        for c in range(CHUNKS):
            below = np.concatenate(([0], np.cumsum(np.bincount(chunks[:, c], minlength=_KEYS))))
            self.offsets[c] += c * new + below
        self.indexed = stop

    @staticmethod
    def _hi_dtype(slots: int) -> type[np.unsignedinteger[Any]]:
        return np.uint8 if slots <= 1 << 24 else np.uint32

    def _wide_hi(self, slots: int) -> npt.NDArray[Any]:
        return self.perm_hi.astype(self._hi_dtype(slots), copy=False)

    def build_tables(self, stop: int) -> None:
        """Sort slots ``[0, stop)`` by each chunk (16-bit keys)."""
        chunks = self.words[:stop].view(np.uint16)
        self.perm_lo = np.empty(CHUNKS * stop, dtype=np.uint16)
        self.perm_hi = np.empty(CHUNKS * stop, dtype=self._hi_dtype(stop))
        self.sibling = np.empty(CHUNKS * stop, dtype=np.uint16)
        for c in range(CHUNKS):
            keys = chunks[:, c]
            order = np.argsort(keys, kind="stable")
            run = slice(c * stop, (c + 1) * stop)
            self.perm_lo[run] = order & 0xFFFF
            self.perm_hi[run] = order >> 16
            self.sibling[run] = chunks[order, c ^ 1]
            self.offsets[c, 0] = c * stop
            self.offsets[c, 1:] = c * stop + np.cumsum(np.bincount(keys, minlength=_KEYS))
        self.indexed = stop

    # ---- removing ---------------------------------------------------------------------------------------

    def remove(self, wanted: I64) -> int:
        ids = self.ids[: self.size]
        if self.frozen:  # slots sorted by entry id: a search, no pass over all of them
            lo, hi = np.searchsorted(ids, wanted, "left"), np.searchsorted(ids, wanted, "right")
            slots = np.concatenate([np.arange(a, b) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]
                                   or [np.empty(0, dtype=np.int64)]).astype(np.int64)
            slots = slots[self.alive[slots]]
            self.alive[slots] = False
            dropped = len(slots)
        else:
            hit = np.isin(ids, wanted) & self.alive[: self.size]
            dropped = int(hit.sum())
            self.alive[: self.size][hit] = False
        self.live -= dropped
        return dropped

    # ---- querying ---------------------------------------------------------------------------------------

    def query(self, queries: U64, limit: int) -> Found:
        qidx, slots, distances = self._search(queries, limit)
        qidx, slots, distances = self._with_tail(queries, limit, (qidx, slots, distances))
        alive = self.alive[slots]
        return qidx[alive], self.ids[slots[alive]], distances[alive]

    def _search(self, queries: U64, limit: int) -> Found:
        """The hits among the slots in the tables: for each chunk, the query's bucket and its neighbours within
        ``limit // 16`` bits, the candidates whose 32-bit block is within ``limit // 8`` bits kept, then
        verified on all 256 bits (``_pdq_kernel.search``)."""
        if self.indexed == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        from accord.matching import _pdq_kernel  # numba compiles (or loads from its cache) on first use

        masks, budgets = _probes(limit)
        found: Found = _pdq_kernel.search(np.ascontiguousarray(queries), masks, budgets, limit, self.offsets,
                                          self.sibling, self.perm_lo, self.perm_hi, self.words, _pdq_kernel._POP16)
        return found

    def _with_tail(self, queries: U64, limit: int, hits: Found) -> Found:
        """Add the matches among the unindexed tail, found by an exhaustive popcount scan."""
        if self.size == self.indexed:
            return hits
        tail = self.words[self.indexed : self.size]
        distances = np.bitwise_count(queries[:, None, :] ^ tail[None, :, :]).sum(axis=2, dtype=np.int64)
        qidx, offset = np.nonzero(distances <= limit)
        return (
            np.concatenate((hits[0], qidx)),
            np.concatenate((hits[1], offset + self.indexed)),
            np.concatenate((hits[2], distances[qidx, offset])),
        )

    # ---- snapshots ----------------------------------------------------------------------------------------

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {"words": self.words[: self.size], "ids": self.ids[: self.size], "alive": self.alive[: self.size],
                "perm_lo": self.perm_lo, "perm_hi": self.perm_hi, "sibling": self.sibling, "offsets": self.offsets}

    @classmethod
    def mapped_from(cls, folder: Path) -> _Level:
        level = cls()
        for name in _ARRAYS:
            array = np.load(folder / f"{name}.npy", mmap_mode="r" if name in _MAPPED else None,
                            allow_pickle=False)
            setattr(level, name, array)
        level.size = level.indexed = len(level.ids)
        level.live = int(level.alive.sum())
        level.frozen = True
        return level


def _build_level(ids: I64, words: U64) -> _Level:
    """A main level over these hashes, its slots in entry-id order (so that removal can search them)."""
    order = np.argsort(ids, kind="stable")
    level = _Level()
    level.ids, level.words = ids[order], words[order]
    level.alive = np.ones(len(ids), dtype=np.bool_)
    level.size = level.live = len(ids)
    level.build_tables(len(ids))
    level.frozen = True
    return level


class PDQMatchIndex(MatchIndex):
    """PDQ hashes of bank entries, queried by Hamming distance (<= 31 by default)."""

    signal_type = "pdq"

    def __init__(self, *, threads: int = 1) -> None:
        """An empty index; ``threads`` > 1 splits large query batches across threads (numpy frees the GIL)."""
        self.threads = threads
        self._main = _Level()
        self._recent = _Level()

    def __len__(self) -> int:
        """How many live hashes the index holds."""
        return self._main.live + self._recent.live

    @property
    def _indexed(self) -> int:
        """Slots in chunk tables, over both levels (tests watch the tail being merged)."""
        return self._main.indexed + self._recent.indexed

    # ---- adding -----------------------------------------------------------------------------------------

    def _target(self) -> _Level:
        main = self._main
        return main if not main.frozen and main.size < _MAIN_GROWS and self._recent.size == 0 else self._recent

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
        level = self._target()
        level.reserve(level.size + n)
        decode_into(level.words[level.size : level.size + n], values)
        level.append(np.asarray(entry_ids, dtype=np.int64), n)
        self._maybe_fold()

    def add_arrays(self, entry_ids: I64, words: U64) -> None:
        """Index already packed hashes (``(n, 4)`` uint64) under ``entry_ids``."""
        n = len(entry_ids)
        level = self._target()
        level.reserve(level.size + n)
        level.words[level.size : level.size + n] = words
        level.append(entry_ids, n)
        self._maybe_fold()

    def _maybe_fold(self) -> None:
        """Rebuild both levels into one main level once the recent one reaches a quarter of the main one."""
        if self._recent.size and self._recent.size * 4 >= self._main.size:
            self._fold()

    def _fold(self) -> None:
        levels = [level for level in (self._main, self._recent) if level.size]
        ids = np.concatenate([np.empty(0, np.int64)] + [lv.ids[: lv.size][lv.alive[: lv.size]] for lv in levels])
        words = np.concatenate([np.empty((0, 4), np.uint64)]
                               + [lv.words[: lv.size][lv.alive[: lv.size]] for lv in levels])
        self._main, self._recent = _build_level(ids, words), _Level()

    # ---- removing -----------------------------------------------------------------------------------------

    def remove(self, entry_id: int) -> int:
        """Stop matching every hash of ``entry_id``; answer how many were dropped."""
        return self.remove_many([entry_id])

    def remove_many(self, entry_ids: Iterable[int]) -> int:
        """Stop matching every hash of these entries (a search in a snapshot's level, a pass elsewhere)."""
        wanted = np.unique(np.fromiter(entry_ids, dtype=np.int64))
        return self._main.remove(wanted) + self._recent.remove(wanted)

    # ---- querying -----------------------------------------------------------------------------------------

    def query_many(self, values: Sequence[str], threshold: int | None = None) -> list[list[Hit]]:
        """For each PDQ hash, the entries within ``threshold`` bits (31 by default), closest first."""
        if not values:
            return []
        return self.query_words(hashes_to_words(values), threshold)

    def query_words(self, queries: U64, threshold: int | None = None) -> list[list[Hit]]:
        """``query_many`` for already packed hashes."""
        limit = _check_threshold(threshold)
        blocks = [queries[i : i + _BLOCK] for i in range(0, len(queries), _BLOCK)]
        if self.threads > 1 and len(blocks) > 1:
            with ThreadPoolExecutor(self.threads) as pool:
                answers = list(pool.map(lambda block: self._query_block(block, limit), blocks))
        else:
            answers = [self._query_block(block, limit) for block in blocks]
        return [hits for answer in answers for hits in answer]

    def _query_block(self, queries: U64, limit: int) -> list[list[Hit]]:
        found: list[list[tuple[int, int]]] = [[] for _ in range(len(queries))]
        for level in (self._main, self._recent):
            if level.size == 0:
                continue
            qidx, ids, distances = level.query(queries, limit)
            for q, entry_id, distance in zip(qidx.tolist(), ids.tolist(), distances.tolist(), strict=True):
                found[q].append((entry_id, distance))
        return [best_per_entry(pairs) for pairs in found]

    # ---- snapshots ----------------------------------------------------------------------------------------

    def compact(self) -> None:
        """Fold the recent level into the main one and merge every tail (a snapshot does this first)."""
        if self._recent.size:
            self._fold()
        elif self._main.size > self._main.indexed:
            self._main.merge_tail()

    def save(self, path: Path) -> None:
        """Write the index as a folder of ``.npy`` files at ``path``, atomically (written beside it, then renamed
        into place): the main level's arrays (tables included, so loading needs no sort), and the recent level's
        live hashes. A main level mapped from a snapshot is linked into the new one, not written again: a
        snapshot at ten million costs its recent additions, not 1.2 GB; the levels are folded (rebuilt into one)
        only once the recent one has reached a quarter of the main one, or the main one is not in entry-id order."""
        main = self._main
        if not main.frozen or self._recent.size * 4 >= main.size:
            self.compact()
            if not self._main.frozen:  # slots in entry-id order, removed ones dropped: removal searches them
                self._fold()
            main = self._main
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
        try:
            for name, array in main.arrays().items():
                _save_or_link(tmp / f"{name}.npy", array)
            if self._recent.size:
                live = self._recent.alive[: self._recent.size]
                np.save(tmp / "recent_ids.npy", self._recent.ids[: self._recent.size][live], allow_pickle=False)
                np.save(tmp / "recent_words.npy", self._recent.words[: self._recent.size][live], allow_pickle=False)
            if path.exists():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            tmp.replace(path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, path: Path) -> Self:
        """Map a snapshot written by ``save`` (no copy: the pages come from the page cache as they are read);
        the recent additions it holds are indexed again (a small level)."""
        index = cls()
        if path.is_file():  # the single-file format written before 2026-12-08
            with np.load(path) as data:
                index._main = _build_level(data["ids"][data["alive"]], data["words"][data["alive"]])
            return index
        index._main = _Level.mapped_from(path)
        index._main.alive = np.array(index._main.alive)  # the one array that changes: a private copy
        if (path / "recent_ids.npy").exists():
            index.add_arrays(np.load(path / "recent_ids.npy"), np.load(path / "recent_words.npy"))
        return index


def _save_or_link(target: Path, array: npt.NDArray[Any]) -> None:
    """``np.save``, or a hard link to the file the array is mapped from when it is a whole one (unchanged)."""
    source = getattr(array, "filename", None)
    if isinstance(array, np.memmap) and source is not None and _whole(Path(source), array):
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # another file system: write it
    np.save(target, np.ascontiguousarray(array), allow_pickle=False)


def _whole(source: Path, array: npt.NDArray[Any]) -> bool:
    """Whether ``array`` is all of the ``.npy`` file ``source``, not a part of it."""
    try:
        stored = np.load(source, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return False
    return bool(stored.shape == array.shape and stored.dtype == array.dtype
                and getattr(array, "offset", None) == stored.offset)


def _grown(array: npt.NDArray[_T], capacity: int, used: int) -> npt.NDArray[_T]:
    grown = np.empty((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[:used] = array[:used]
    return grown
