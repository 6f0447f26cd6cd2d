"""The PDQ index's search loop, compiled by numba: probe, filter by sibling chunk, verify by popcount.

numpy would make a dozen passes over the candidates of a query (about 42,000 at ten million hashes), each
materialising an array; the loop below reads each candidate's 2-byte sibling once, in bucket order, and fetches
the full hash only for the few whose 32-bit block is close enough. It frees the GIL, so threads split batches.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_POP16 = np.array([bin(i).count("1") for i in range(1 << 16)], dtype=np.uint8)


@njit(cache=True, nogil=True, inline="always")
def _popcount64(x: Any) -> Any:
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return (x * _H01) >> np.uint64(56)


@njit(cache=True, nogil=True)
def search(  # noqa: C901  # one compiled loop nest: split up, it would pay a call per bucket probed
        queries: Any, masks: Any, budgets: Any, limit: int, offsets: Any, sibling: Any, perm_lo: Any,
           perm_hi: Any, words: Any, pop16: Any) -> tuple[Any, Any, Any]:
    """Every (query, slot, distance) within ``limit`` among the slots in the chunk tables; a slot found through
    several chunks appears once per chunk (the caller keeps the least distance per entry).

    The probes of a whole batch are visited chunk by chunk in bucket order, so that a batch walks each chunk's
    table forward instead of jumping about it once per query."""
    capacity = 64
    out_q = np.empty(capacity, dtype=np.int64)
    out_slot = np.empty(capacity, dtype=np.int64)
    out_d = np.empty(capacity, dtype=np.int64)
    found = 0
    n = queries.shape[0]
    chunks = queries.view(np.uint16).reshape(n, 16)
    per_chunk = n * masks.shape[0]
    keys = np.empty(per_chunk, dtype=np.int64)
    for c in range(16):
        for q in range(n):
            for m in range(masks.shape[0]):
                # bucket in the high bits, then the probe's query and mask: one sort orders the visits
                keys[q * masks.shape[0] + m] = ((np.int64(chunks[q, c]) ^ masks[m]) << 32) | (q * masks.shape[0] + m)
        if n > 1:
            keys.sort()
        for i in range(per_chunk):
            probe = keys[i] >> 32
            q = (keys[i] & 0xFFFFFFFF) // masks.shape[0]
            budget = budgets[(keys[i] & 0xFFFFFFFF) % masks.shape[0]]
            target = chunks[q, c ^ 1]
            for pos in range(offsets[c, probe], offsets[c, probe + 1]):
                if pop16[sibling[pos] ^ target] > budget:
                    continue
                slot = (np.int64(perm_hi[pos]) << 16) | np.int64(perm_lo[pos])
                distance = 0
                for w in range(4):
                    distance += _popcount64(words[slot, w] ^ queries[q, w])
                if distance > limit:
                    continue
                if found == capacity:
                    capacity *= 2
                    out_q = _grown(out_q, capacity)
                    out_slot = _grown(out_slot, capacity)
                    out_d = _grown(out_d, capacity)
                out_q[found], out_slot[found], out_d[found] = q, slot, distance
                found += 1
    return out_q[:found], out_slot[:found], out_d[:found]


@njit(cache=True, nogil=True)
def _grown(array: Any, capacity: int) -> Any:
    grown = np.empty(capacity, dtype=array.dtype)
    grown[: array.shape[0]] = array
    return grown
