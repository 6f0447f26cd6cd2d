"""Accord's PDQ hashing and matching beside python-threatexchange's own ``PDQIndex``, on the same data.

Run: ``PYTHONPATH=src python benchmarks/matching.py [--quick]``. Prints a Markdown table. ``--build-only N``
measures only the build time and memory of both indexes at N hashes (each in a freshly spawned process).

Modes, identical for both indexes: "one at a time" calls ``query`` per hash on one thread (faiss limited to
one OpenMP thread); "batched" hands 2,000 queries at once, on 2 threads (faiss's OpenMP, Accord's pool).
Recall is over near-duplicates planted at 0-31 flipped bits (uniform) of indexed random hashes.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import io
import multiprocessing
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt
from PIL import Image
from skimage import data as skdata
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes
from threatexchange.signal_type.pdq.pdq_index import PDQIndex

from accord.matching.pdq import PDQMatchIndex
from accord.signals.hashing import hash_media
from accord.signals.media import MediaLimits

ROWS: list[tuple[str, str, str, str]] = []


def row(figure: str, theirs: str, ours: str, ratio: str = "") -> None:
    ROWS.append((figure, theirs, ours, ratio))
    print(f"  {figure}: PDQIndex {theirs} | Accord {ours} {ratio}", flush=True)


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def random_hashes(n: int, seed: int) -> list[str]:
    raw = np.random.default_rng(seed).integers(0, 256, size=(n, 32), dtype=np.uint8)
    return [bytes(r).hex() for r in raw]


def planted(hashes: list[str], n: int, seed: int) -> tuple[list[int], list[str]]:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(hashes), n).tolist()
    queries = []
    for pick in picks:
        bits = np.unpackbits(np.frombuffer(bytes.fromhex(hashes[pick]), np.uint8))
        flips = rng.choice(256, int(rng.integers(0, 32)), replace=False)
        bits[flips] ^= 1
        queries.append(np.packbits(bits).tobytes().hex())
    return picks, queries


# ---- hashing -----------------------------------------------------------------------------------------------


def jpeg(width: int, height: int) -> bytes:
    pixels = skdata.astronaut()  # type: ignore[no-untyped-call]  # scikit-image ships no type information
    photo = Image.fromarray(pixels).resize((width, height))
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def per_second(fn: Callable[[], object], seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        done += 1
    return done / (time.perf_counter() - start)


def bench_hashing(seconds: float) -> None:
    limits = MediaLimits()
    for width, height in ((512, 512), (1920, 1080)):
        blob = jpeg(width, height)
        theirs = per_second(partial(pdq_from_bytes, blob), seconds)
        ours = per_second(partial(hash_media, blob, limits=limits), seconds)
        row(f"PDQ hashing {width}x{height} JPEG incl. decode, images/s, 1 core", f"{theirs:,.0f}",
            f"{ours:,.0f} (also MD5, SHA-256, safety checks)", f"x{ours / theirs:.2f}")


# ---- memory (each build in a freshly spawned process) ------------------------------------------------------------


def _build_in_child(kind: str, n: int, out: multiprocessing.Queue[tuple[float, float, float]]) -> None:
    hashes = random_hashes(n, seed=1)
    before = rss_mb()
    start = time.perf_counter()
    if kind == "theirs":
        index: object = PDQIndex((h, i) for i, h in enumerate(hashes))
    else:
        index = PDQMatchIndex()
        index.add_hex(np.arange(n, dtype=np.int64), hashes)
    elapsed = time.perf_counter() - start
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand freed temporaries back, as HMA does after a build
    out.put((elapsed, rss_mb() - before, rss_mb("VmHWM") - before))
    del index


def build_cost(kind: str, n: int) -> tuple[float, float, float]:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[tuple[float, float, float]] = context.Queue()
    child = context.Process(target=_build_in_child, args=(kind, n, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


# ---- lookups -----------------------------------------------------------------------------------------------


def recall(picks: list[int], answers: list[set[int]]) -> float:
    return sum(pick in found for pick, found in zip(picks, answers, strict=True)) / len(picks)


def bench_lookups(n: int, n_single: int, n_batch: int) -> tuple[PDQIndex[int], PDQMatchIndex, list[str]]:
    hashes = random_hashes(n, seed=1)
    theirs = PDQIndex((h, i) for i, h in enumerate(hashes))
    ours = PDQMatchIndex()
    ours.add_hex(np.arange(n, dtype=np.int64), hashes)
    picks, queries = planted(hashes, max(n_single, n_batch), seed=2)

    faiss.omp_set_num_threads(1)
    ours.threads = 1
    start = time.perf_counter()
    their_single = [{m.metadata for m in theirs.query(q)} for q in queries[:n_single]]
    their_rate = n_single / (time.perf_counter() - start)
    start = time.perf_counter()
    our_single = [{hit.entry_id for hit in ours.query(q)} for q in queries[:n_single]]
    our_rate = n_single / (time.perf_counter() - start)
    row(f"lookups/s at {n:,}, one at a time, 1 thread", f"{their_rate:,.0f}", f"{our_rate:,.0f}",
        f"x{our_rate / their_rate:.1f}")
    row(f"recall at {n:,} (planted 0-31 bits)", f"{recall(picks[:n_single], their_single):.4f}",
        f"{recall(picks[:n_single], our_single):.4f}")

    faiss.omp_set_num_threads(2)
    ours.threads = 2
    batch = queries[:n_batch]
    start = time.perf_counter()
    found = theirs.index.search_with_distance_in_result(batch, 31)
    their_rate = n_batch / (time.perf_counter() - start)
    their_batch = [{theirs.local_id_to_entry[m[0]][1] for m in found[q]} for q in batch]
    start = time.perf_counter()
    our_batch = [{hit.entry_id for hit in hits} for hits in ours.query_many(batch)]
    our_rate = n_batch / (time.perf_counter() - start)
    row(f"lookups/s at {n:,}, batches of {n_batch:,}, 2 threads", f"{their_rate:,.0f}", f"{our_rate:,.0f}",
        f"x{our_rate / their_rate:.1f}")
    row(f"recall at {n:,}, batched", f"{recall(picks[:n_batch], their_batch):.4f}",
        f"{recall(picks[:n_batch], our_batch):.4f}")
    return theirs, ours, hashes


def bench_adds(theirs: PDQIndex[int], ours: PDQMatchIndex, n: int) -> None:
    new = random_hashes(1000, seed=3)
    start = time.perf_counter()
    for i, value in enumerate(new[:3]):
        theirs.add(value, n + i)
    their_one = (time.perf_counter() - start) / 3
    start = time.perf_counter()
    theirs.add_all((value, n + i) for i, value in enumerate(new))
    their_batch = time.perf_counter() - start
    start = time.perf_counter()
    for i, value in enumerate(new):
        ours.add(n + i, value)
    our_one = time.perf_counter() - start
    found = ours.query(new[-1])
    assert any(hit.entry_id == n + 999 for hit in found), "a new entry must match at once"
    row(f"add 1,000 entries one by one to {n:,} (each matchable at once)",
        f"{their_one * 1000:,.0f} s (extrapolated from {their_one * 1000:.0f} ms per add)",
        f"{our_one * 1000:.1f} ms", f"x{their_one * 1000 / our_one:,.0f}")
    start = time.perf_counter()
    ours.add_many((n + 1000 + i, value) for i, value in enumerate(new))
    our_batch = time.perf_counter() - start
    row(f"add 1,000 entries in one call to {n:,}", f"{their_batch * 1000:,.0f} ms", f"{our_batch * 1000:.1f} ms")
    ours.add_many((n + 2000 + i, value) for i, value in enumerate(random_hashes(2000, seed=4)))
    start = time.perf_counter()
    ours.compact()
    row("merge of 4,000 pending additions into the tables (Accord does it once per 4,096 adds)", "-",
        f"{(time.perf_counter() - start) * 1000:.0f} ms")
    start = time.perf_counter()
    ours.remove(5)
    row(f"disable one entry in {n:,}", "not supported (rebuild)", f"{(time.perf_counter() - start) * 1000:.1f} ms")


def bench_snapshot(ours: PDQMatchIndex, n: int) -> None:
    import shutil

    path = Path("/tmp/accord-bench-pdq.idx")
    start = time.perf_counter()
    ours.save(path)
    saved = time.perf_counter() - start
    start = time.perf_counter()
    PDQMatchIndex.load(path)
    loaded = time.perf_counter() - start
    row(f"snapshot save / load at {n:,}", "-", f"{saved:.2f} s / {loaded:.2f} s")
    shutil.rmtree(path)


def bench_matcher(ours: PDQMatchIndex, hashes: list[str], n: int) -> None:
    """The matcher process around the index: 1,000 entries added through the banks service (SQLite) become
    matchable on the next refresh, which reads only the change log past the mark; then a restart from a
    snapshot of the whole index replays only the changes since it."""
    import tempfile

    from accord.banks import service
    from accord.banks.models import BankEntry
    from accord.banks.service import EntryDetails, NewSignal
    from accord.clock import FrozenClock
    from accord.db import make_engine, make_sessionmaker
    from accord.identity.service import Principal
    from accord.matching.service import Matcher, Present
    from accord.models import metadata

    folder = Path(tempfile.mkdtemp(prefix="accord-bench-matcher-"))
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    metadata.create_all(engine)
    clock = FrozenClock()
    matcher = Matcher(folder / "index")
    matcher.indexes["pdq"] = ours
    matcher.present = Present({"pdq": np.arange(n, dtype=np.int64)})
    owner = Principal(org_id="org_bench", org_kind="coordinator", ref="bench", scopes=frozenset())
    new = random_hashes(1000, 99)
    with make_sessionmaker(engine)() as session:
        session.execute(metadata.tables["organisations"].insert().values(
            id="org_bench", kind="coordinator", name="bench", contact_languages=[], settings={},
            created_at=clock.now()))
        bank = service.create_bank(session, clock, owner, name="bench")
        session.add(BankEntry(id=10 * n, bank_id=bank.id, added_by_org_id="org_bench", signal_type="pdq",
                              value=hashes[0], fingerprint="x", state="rejected", created_at=clock.now(),
                              updated_at=clock.now()))  # entry ids of the bank start above the index's ids
        session.flush()
        start = time.perf_counter()
        service.add_entries(session, clock, owner, bank, [NewSignal("pdq", v) for v in new], EntryDetails())
        session.commit()
        inserted = time.perf_counter() - start
        start = time.perf_counter()
        applied = matcher.refresh(session)
        refreshed = time.perf_counter() - start
        assert applied.added == 1000 and matcher.query("pdq", [new[-1]]), "the new entries match"
        row(f"1,000 entries added through the banks service, matchable in a {n:,} matcher", "-",
            f"{refreshed * 1000:.0f} ms refresh (after {inserted * 1000:.0f} ms of database writes)")
        start = time.perf_counter()
        matcher.save_snapshot()
        saved = time.perf_counter() - start
        service.add_entries(session, clock, owner, bank, [NewSignal("pdq", v) for v in random_hashes(1000, 98)],
                            EntryDetails())
        session.commit()
        start = time.perf_counter()
        restarted = Matcher.open(folder / "index")
        replay = restarted.refresh(session)
        reopened = time.perf_counter() - start
        row(f"matcher restart at {n:,}: load snapshot + replay {replay.changes:,} changes since it", "full rebuild",
            f"{reopened:.2f} s (snapshot written in {saved:.2f} s)")
    engine.dispose()
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def bench_build(n: int) -> None:
    elapsed_t, rss_t, peak_t = build_cost("theirs", n)
    elapsed_o, rss_o, peak_o = build_cost("ours", n)
    speedup = f"x{elapsed_t / elapsed_o:.1f}"
    row(f"build {n:,} (random hashes)", f"{elapsed_t:.2f} s", f"{elapsed_o:.2f} s", speedup)
    figure = f"resident memory of the {n:,} index (RSS delta after build / peak delta during build)"
    row(figure, f"{rss_t:.0f} / {peak_t:.0f} MB", f"{rss_o:.0f} / {peak_o:.0f} MB")


# ---- ten million (each side in processes of its own; hashes generated as packed words) -----------------------


def _words(n: int, seed: int) -> npt.NDArray[np.uint64]:
    return np.random.default_rng(seed).integers(0, 2**64, size=(n, 4), dtype=np.uint64)


def _planted_words(words: npt.NDArray[np.uint64], n: int,
                   seed: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(words), n)
    bits = np.unpackbits(np.ascontiguousarray(words[picks]).view(np.uint8), axis=1)
    for i in range(n):
        bits[i, rng.choice(256, int(rng.integers(0, 32)), replace=False)] ^= 1
    return picks, np.packbits(bits, axis=1).view(np.uint64).reshape(n, 4)


def _rss() -> dict[str, float]:
    return {field: rss_mb(field) for field in ("VmRSS", "RssAnon", "RssFile", "VmHWM")}


def _ours_build(n: int, folder: str, out: multiprocessing.Queue[dict[str, float]]) -> None:
    words = _words(n, 1)
    start = time.perf_counter()
    index = PDQMatchIndex()
    index.add_arrays(np.arange(n, dtype=np.int64), words)
    built = time.perf_counter() - start
    del words
    start = time.perf_counter()
    index.save(Path(folder))  # rebuilt in entry-id order, as the worker's snapshot job does
    out.put({"build": built, "save": time.perf_counter() - start, **_rss()})


def _ours_lookups(n: int, folder: str, out: multiprocessing.Queue[dict[str, float]]) -> None:
    start = time.perf_counter()
    index = PDQMatchIndex.load(Path(folder))
    loaded = time.perf_counter() - start
    picks, queries = _planted_words(np.load(Path(folder) / "words.npy", mmap_mode="r"), 4000, 2)
    index.query_words(queries[:10])  # numba compiles (or loads its cache) and the first pages arrive
    batched, single = [], []
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        answers = index.query_words(queries)
        batched.append((len(queries) / (time.perf_counter() - start), len(queries) / (time.process_time() - cpu)))
    found = recall(picks.tolist(), [{hit.entry_id for hit in hits} for hits in answers])
    for _ in range(2):
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(1000):
            index.query_words(queries[i : i + 1])
        single.append((1000 / (time.perf_counter() - start), 1000 / (time.process_time() - cpu)))
    out.put({"load": loaded, "recall": found, "batched_wall": max(b[0] for b in batched),
             "batched_cpu": max(b[1] for b in batched), "single_wall": max(s[0] for s in single),
             "single_cpu": max(s[1] for s in single), **_rss()})


def _theirs(n: int, out: multiprocessing.Queue[dict[str, float]]) -> None:
    words = _words(n, 1)
    before = rss_mb()
    start = time.perf_counter()
    index = PDQIndex((words[i].tobytes().hex(), i) for i in range(n))
    built = time.perf_counter() - start
    picks, queries = _planted_words(words, 1000, 2)
    del words
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    hex_queries = [q.tobytes().hex() for q in queries]
    faiss.omp_set_num_threads(1)
    start, cpu = time.perf_counter(), time.process_time()
    found = index.index.search_with_distance_in_result(hex_queries, 31)
    batched = (len(queries) / (time.perf_counter() - start), len(queries) / (time.process_time() - cpu))
    answers = [{index.local_id_to_entry[m[0]][1] for m in found[q]} for q in hex_queries]
    start, cpu = time.perf_counter(), time.process_time()
    for q in hex_queries[:200]:
        index.query(q)
    single = (200 / (time.perf_counter() - start), 200 / (time.process_time() - cpu))
    out.put({"build": built, "recall": recall(picks.tolist(), answers), "batched_wall": batched[0],
             "batched_cpu": batched[1], "single_wall": single[0], "single_cpu": single[1],
             "rss_delta": rss_mb() - before, **_rss()})


def _in_child(target: Callable[..., None], *args: object) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[dict[str, float]] = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def bench_large(n: int, theirs_n: int) -> None:
    """Accord at ``n`` (built, saved, then looked up in a fresh process from the mapped snapshot) beside
    PDQIndex at ``theirs_n`` (``n`` when the machine has the memory: about 9 GB at peak for ten million)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="accord-bench-10m-")) / "pdq.idx"
    built = _in_child(_ours_build, n, str(folder))
    print("Accord build:", built, flush=True)
    looked = _in_child(_ours_lookups, n, str(folder))
    print("Accord lookups:", looked, flush=True)
    shutil.rmtree(folder.parent)
    theirs = _in_child(_theirs, theirs_n) if theirs_n else None
    print("PDQIndex:", theirs, flush=True)

    def t(key: str, fmt: str = "{:,.0f}") -> str:
        return "-" if theirs is None else fmt.format(theirs[key])

    at = f"{theirs_n:,}" if theirs_n != n else ""
    row(f"build {n:,} (PDQIndex: {at or f'{n:,}'})", t("build", "{:.1f} s"),
        f"{built['build']:.1f} s, then {built['save']:.1f} s to save the snapshot in entry-id order")
    row(f"memory at {n:,}: Accord from its mapped snapshot (RSS = private + page cache shared by the host's "
        f"replicas); PDQIndex built in memory{' at ' + at if at else ''}",
        t("VmRSS", "{:,.0f} MB RSS"),
        f"{looked['VmRSS']:,.0f} MB RSS = {looked['RssAnon']:,.0f} MB private + {looked['RssFile']:,.0f} MB mapped")
    row(f"snapshot load at {n:,}", "-", f"{looked['load']:.2f} s")
    row(f"lookups/s at {n:,}, batches of 4,000 (PDQIndex 1,000), 1 thread: wall / per CPU-second",
        t("batched_wall") + " / " + t("batched_cpu"),
        f"{looked['batched_wall']:,.0f} / {looked['batched_cpu']:,.0f}")
    row(f"lookups/s at {n:,}, one at a time, 1 thread: wall / per CPU-second",
        t("single_wall") + " / " + t("single_cpu"), f"{looked['single_wall']:,.0f} / {looked['single_cpu']:,.0f}")
    row(f"recall at {n:,} (planted 0-31 bits)", t("recall", "{:.4f}"), f"{looked['recall']:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("--large", type=int, metavar="N", help="only the rows at N (10,000,000) hashes")
    parser.add_argument("--theirs-at", type=int, metavar="M", help="with --large: PDQIndex at M hashes (0: none)")
    parser.add_argument("--matcher-only", type=int, metavar="N", help="only the matcher process figures at N")
    parser.add_argument("--build-only", type=int, metavar="N", help="only the build time and memory rows at N")
    parser.add_argument("--http", type=int, metavar="N", action="append",
                        help="POST /v1/match over HTTP at N banked hashes (repeatable)")
    parser.add_argument("--costs-only", action="store_true", help="with --http: only the per-request costs")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/accord_bench_match",
                        help="the database the --http rows create afresh (PostgreSQL or SQLite)")
    args = parser.parse_args()
    if args.large:
        bench_large(args.large, args.large if args.theirs_at is None else args.theirs_at)
        _print_rows()
        return
    if args.http:
        main_http(args.http, args.database_url, costs_only=args.costs_only)
        return
    if args.build_only:
        bench_build(args.build_only)
        return
    if args.matcher_only:
        hashes = random_hashes(args.matcher_only, 1)
        index = PDQMatchIndex()
        index.add_hex(np.arange(args.matcher_only, dtype=np.int64), hashes)
        index.compact()
        bench_matcher(index, hashes, args.matcher_only)
        return
    sizes = (10_000, 100_000) if args.quick else (100_000, 1_000_000)
    print(f"cores: {os.cpu_count()}, sizes: {sizes}", flush=True)
    bench_hashing(1.0 if args.quick else 4.0)
    for n in sizes:
        bench_build(n)
        theirs, ours, hashes = bench_lookups(n, 500 if args.quick else 1000, 2000)
        if n == sizes[-1]:
            bench_adds(theirs, ours, n)
            bench_snapshot(ours, n)
            bench_matcher(ours, hashes, n)
        del theirs, ours
    _print_rows()


def _print_rows() -> None:
    print("\n| figure | python-threatexchange PDQIndex | Accord | ratio |\n|---|---|---|---|")
    for figure, their_figure, our_figure, ratio in ROWS:
        print(f"| {figure} | {their_figure} | {our_figure} | {ratio} |")


def main_http(sizes: list[int], url: str, *, costs_only: bool = False) -> None:
    from benchmarks.http_matching import bench_http

    rows: list[tuple[str, ...]] = []
    profiles = [(n, bench_http(n, url, rows, costs_only=costs_only)) for n in sizes]
    print(f"\ncores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f}")
    print("\n| figure | req/s (lookups/s in-process) | p50 ms | p99 ms | non-200 |\n|---|---|---|---|---|")
    for figure, rate, p50, p99, errors in rows:
        print(f"| {figure} | {rate} | {p50} | {p99} | {errors} |")
    for n, profile in [(n, p) for n, p in profiles if p]:
        print(f"\nProfile of one server process under the mix at {n:,} (by own time):\n\n```\n{profile}\n```")


if __name__ == "__main__":
    main()
