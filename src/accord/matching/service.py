"""The matcher: one in-memory index per signal type per process, following the banks' change log.

A matcher keeps a high-water mark on ``bank_changes`` (an append-only log with a sequence). ``refresh`` reads
only the changes past the mark and reconciles just the entries they name: an active entry not yet indexed is
added, an indexed entry that is no longer active (disabled, quarantined, rejected, withdrawn) is removed. The
indexes are never rebuilt per change. ``save_snapshot`` writes every index and the mark to
``settings.index_snapshot_dir``; a restarting matcher loads the latest snapshot and replays only the changes
since its mark.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from accord.banks.models import BankChange, BankEntry, EntryState
from accord.matching import Hit, MatchIndex, build_index, can_index, load_index
from accord.matching.base import best_hits

log = logging.getLogger(__name__)
CURRENT = "CURRENT"
STATE_FILE = "state.json"
PRESENT_FILE = "present.npz"  # before 2026-12-08: one file; since, ``present.<type>.npy`` beside it
_BATCH = 20_000
_IN_CHUNK = 900  # ids per IN (...) list, under SQLite's parameter limit
TRUNCATION_CHECK_SECONDS = 10.0
# Built once: every lookup reads the change log past the mark, and building the statement costs as much.
_CHANGES_PAST = (select(BankChange.seq, BankChange.entry_id).where(BankChange.seq > bindparam("mark"))
                 .order_by(BankChange.seq).limit(_BATCH))


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What one refresh did: changes read, values added to and entries removed from the indexes."""

    changes: int
    added: int
    removed: int


class Present:
    """Which entries a matcher has indexed, and their signal types: a mapping from entry id to type.

    Ten million entries in a ``dict`` would take about a gigabyte and seconds to load; here those of the
    snapshot are one sorted array per type (8 bytes an entry, loaded in milliseconds), and the changes since
    are kept beside it in a dict (added) and a set (dropped)."""

    def __init__(self, base: dict[str, npt.NDArray[np.int64]] | None = None) -> None:
        self._base = base or {}
        self._added: dict[int, str] = {}
        self._dropped: set[int] = set()
        self._size = sum(len(ids) for ids in self._base.values())

    def _in_base(self, entry_id: int) -> str | None:
        for signal_type, ids in self._base.items():
            at = int(np.searchsorted(ids, entry_id))
            if at < len(ids) and ids[at] == entry_id:
                return signal_type
        return None

    def get(self, entry_id: int) -> str | None:
        """The entry's signal type if it is indexed."""
        if entry_id in self._added:
            return self._added[entry_id]
        if entry_id in self._dropped:
            return None
        return self._in_base(entry_id)

    def __contains__(self, entry_id: object) -> bool:
        return isinstance(entry_id, int) and self.get(entry_id) is not None

    def __len__(self) -> int:
        return self._size

    def __setitem__(self, entry_id: int, signal_type: str) -> None:
        if entry_id in self:
            return
        if entry_id in self._dropped and self._in_base(entry_id) == signal_type:
            self._dropped.discard(entry_id)
        else:
            self._added[entry_id] = signal_type
        self._size += 1

    def pop(self, entry_id: int) -> str:
        """Forget an indexed entry; answers its signal type."""
        signal_type = self.get(entry_id)
        if signal_type is None:
            raise KeyError(entry_id)
        if self._added.pop(entry_id, None) is None:
            self._dropped.add(entry_id)
        self._size -= 1
        return signal_type

    def arrays(self) -> dict[str, npt.NDArray[np.int64]]:
        """Per signal type, the sorted ids indexed."""
        found: dict[str, npt.NDArray[np.int64]] = {}
        dropped = np.fromiter(self._dropped, dtype=np.int64, count=len(self._dropped))
        for signal_type in sorted({*self._base, *self._added.values()}):
            base = self._base.get(signal_type, np.empty(0, dtype=np.int64))
            added = [entry_id for entry_id, kind in self._added.items() if kind == signal_type]
            ids = np.concatenate((base[~np.isin(base, dropped)], np.array(added, dtype=np.int64)))
            found[signal_type] = np.sort(ids)
        return found

    def save(self, folder: Path) -> None:
        """One sorted ``.npy`` array of ids per signal type in ``folder``, which ``load`` maps (shared pages)."""
        for signal_type, ids in self.arrays().items():
            np.save(folder / f"present.{signal_type}.npy", ids, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, *, keep: Callable[[str], bool]) -> Present:
        """Map what ``save`` wrote, keeping the signal types ``keep`` accepts (or read the older single file)."""
        if (folder / PRESENT_FILE).exists():
            with np.load(folder / PRESENT_FILE) as data:
                names = [str(name) for name in data["names"]]
                ids, types = data["ids"], data["types"]
                return cls({name: np.sort(ids[types == code]) for code, name in enumerate(names) if keep(name)})
        found = {path.name[len("present.") : -len(".npy")]: path for path in folder.glob("present.*.npy")}
        return cls({name: np.load(path, mmap_mode="r", allow_pickle=False)
                    for name, path in sorted(found.items()) if keep(name)})


class Matcher:
    """The indexes of every bank entry that is active, kept current from the change log."""

    def __init__(self, snapshot_dir: Path | None = None) -> None:
        """An empty matcher; ``snapshot_dir`` is where ``save_snapshot`` writes (None: never)."""
        self.snapshot_dir = snapshot_dir
        self.indexes: dict[str, MatchIndex] = {}
        self.present = Present()  # indexed entry id -> its signal type
        self.mark = 0
        self.changes_since_snapshot = 0
        self.lock = threading.RLock()  # held while the indexes change or are read
        self._refreshing = threading.RLock()  # one refresh at a time
        self._refresh_began = float("-inf")
        self._truncation_checked = float("-inf")
        self.skipped_types: set[str] = set()
        self.snapshot_name: str | None = None  # the snapshot this matcher was opened from

    # ---- following the change log ----------------------------------------------------------------------

    def index(self, signal_type: str) -> MatchIndex:
        """The index of ``signal_type``, created empty on first use."""
        if signal_type not in self.indexes:
            self.indexes[signal_type] = build_index(signal_type)
        return self.indexes[signal_type]

    def refresh(self, session: Session, *, check_truncation: bool = True) -> RefreshResult:
        """Apply the changes logged since the mark (only those); cheap when there are none.

        The database is read outside ``lock`` (lookups go on meanwhile); only applying a batch holds it."""
        with self._refreshing:
            total = RefreshResult(0, 0, 0)
            while True:
                rows = session.execute(_CHANGES_PAST, {"mark": self.mark}).all()
                if not rows:
                    break
                entry_ids = {row.entry_id for row in rows}
                wanted = _active_values(session, entry_ids)
                with self.lock:
                    added, removed = self._reconcile(entry_ids, wanted)
                    self.mark = rows[-1].seq
                total = RefreshResult(total.changes + len(rows), total.added + added, total.removed + removed)
            if check_truncation and total.changes == 0 and self.mark > 0:
                self._check_not_truncated(session)
            self.changes_since_snapshot += total.changes
            return total

    def catch_up(self, session: Session, arrived: float) -> None:
        """``refresh`` for a lookup that arrived at ``arrived`` (``time.monotonic()``), unless a refresh that
        began after that moment has already finished: it saw every change committed before the lookup arrived.
        Concurrent lookups thus share one read of the change log instead of queueing for one each. A shorter
        log than the mark (a restored database) is looked for every ``TRUNCATION_CHECK_SECONDS``."""
        if self._refresh_began > arrived:
            return
        with self._refreshing:
            if self._refresh_began > arrived:
                return
            began = time.monotonic()
            check = began - self._truncation_checked > TRUNCATION_CHECK_SECONDS
            self.refresh(session, check_truncation=check)
            if check:
                self._truncation_checked = began
            self._refresh_began = began

    def _check_not_truncated(self, session: Session) -> None:
        """A log shorter than the mark means a different or restored database: start again from nothing."""
        top = session.scalar(select(func.max(BankChange.seq))) or 0
        if top < self.mark:
            log.warning("bank change log ends at %s, before the matcher's mark %s: reloading", top, self.mark)
            with self.lock:
                self.indexes, self.present, self.mark = {}, Present(), 0
            self.refresh(session)

    def _reconcile(self, entry_ids: set[int], wanted: dict[int, tuple[str, list[str]]]) -> tuple[int, int]:
        gone = [entry_id for entry_id in entry_ids if entry_id not in wanted and entry_id in self.present]
        removed = self._remove(gone)
        additions: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)
        for entry_id, (signal_type, values) in wanted.items():
            if entry_id not in self.present and self._indexable(signal_type):
                additions[signal_type].extend((entry_id, value) for value in values)
                self.present[entry_id] = signal_type
        for signal_type, pairs in additions.items():
            self.index(signal_type).add_many(pairs)
        return sum(len(pairs) for pairs in additions.values()), removed

    def _indexable(self, signal_type: str) -> bool:
        """Whether this process can index ``signal_type`` (vpdq needs the optional ``vpdq`` package): entries
        of a type it cannot index are left out, with a warning, rather than breaking every lookup."""
        if can_index(signal_type):
            return True
        if signal_type not in self.skipped_types:
            self.skipped_types.add(signal_type)
            log.warning("no match index for %s signals in this process (is the extra installed?): skipped",
                        signal_type)
        return False

    def _remove(self, entry_ids: Sequence[int]) -> int:
        by_type: defaultdict[str, list[int]] = defaultdict(list)
        for entry_id in entry_ids:
            by_type[self.present.pop(entry_id)].append(entry_id)
        for signal_type, ids in by_type.items():
            index = self.index(signal_type)
            remove_many = getattr(index, "remove_many", None)
            if remove_many is not None:
                remove_many(ids)  # one pass over a large PDQ index instead of one per entry
            else:
                for entry_id in ids:
                    index.remove(entry_id)
        return len(entry_ids)

    # ---- lookups ---------------------------------------------------------------------------------------

    def query(self, signal_type: str, values: Sequence[str]) -> list[Hit]:
        """Entries within the type's threshold of any of ``values``, one hit per entry at its least distance."""
        with self.lock:
            index = self.indexes.get(signal_type)
            if index is None or not values:
                return []
            answers = index.query_many(list(values))
        return best_hits(hit for hits in answers for hit in hits)

    def status(self) -> dict[str, Any]:
        """Sizes of the indexes and the mark reached, for operators."""
        with self.lock:
            return {"mark": self.mark, "entries": len(self.present),
                    "indexes": {name: len(index) for name, index in sorted(self.indexes.items())}}

    # ---- snapshots -------------------------------------------------------------------------------------

    def save_snapshot(self) -> Path | None:
        """Write every index and the mark into a new folder, then point ``CURRENT`` at it (atomic)."""
        if self.snapshot_dir is None:
            return None
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        with self.lock:
            folder = Path(tempfile.mkdtemp(dir=self.snapshot_dir, prefix=".snapshot-"))
            for signal_type, index in self.indexes.items():
                index.save(folder / f"{signal_type}.idx")
            self.present.save(folder)
            (folder / STATE_FILE).write_text(json.dumps({"mark": self.mark}), encoding="utf-8")
            final = self.snapshot_dir / f"snapshot-{self.mark:012d}-{folder.name[-8:]}"
            folder.rename(final)
            _write_atomic(self.snapshot_dir / CURRENT, final.name)
            self.changes_since_snapshot = 0
        _prune(self.snapshot_dir, keep=final.name)
        return final

    @classmethod
    def open(cls, snapshot_dir: Path | None) -> Matcher:
        """A matcher from the latest snapshot in ``snapshot_dir`` (empty when there is none or it is unreadable)."""
        matcher = cls(snapshot_dir)
        if snapshot_dir is None or not (snapshot_dir / CURRENT).exists():
            return matcher
        folder = snapshot_dir / (snapshot_dir / CURRENT).read_text(encoding="utf-8").strip()
        try:
            matcher._load(folder)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("index snapshot %s unreadable (%s): starting empty", folder, exc)
            return cls(snapshot_dir)
        matcher.snapshot_name = folder.name
        return matcher

    def _load(self, folder: Path) -> None:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
        for path in folder.glob("*.idx"):
            if self._indexable(path.stem):
                self.indexes[path.stem] = load_index(path.stem, path)
        self.present = Present.load(folder, keep=self._indexable)
        self.mark = int(state["mark"])


def visible_status(session: Session, bank_ids: Sequence[str]) -> dict[str, Any]:
    """What one organisation's lookups search: how many banks it may use and, per signal type this process
    indexes, their active entries. Nothing about banks it cannot see, not even how many there are."""
    rows = session.execute(
        select(BankEntry.signal_type, func.count())
        .where(BankEntry.bank_id.in_(list(bank_ids)), BankEntry.state == EntryState.ACTIVE)
        .group_by(BankEntry.signal_type)
    )
    indexes = dict(sorted((signal_type, count) for signal_type, count in rows if can_index(signal_type)))
    return {"banks": len(bank_ids), "entries": sum(indexes.values()), "indexes": indexes}


def _active_values(session: Session, entry_ids: Iterable[int]) -> dict[int, tuple[str, list[str]]]:
    """For the active entries among ``entry_ids``: signal type and every value to index (variants too)."""
    ids = sorted(entry_ids)
    found: dict[int, tuple[str, list[str]]] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        rows = session.execute(
            select(BankEntry.id, BankEntry.signal_type, BankEntry.value, BankEntry.variants)
            .where(BankEntry.id.in_(ids[start : start + _IN_CHUNK]), BankEntry.state == EntryState.ACTIVE)
        )
        for entry_id, signal_type, value, variants in rows:
            found[entry_id] = (signal_type, [value, *variants])
    return found


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _prune(snapshot_dir: Path, *, keep: str) -> None:
    """Drop older snapshots (the one before the newest stays, for a reader that is still loading it)."""
    older = sorted(p for p in snapshot_dir.glob("snapshot-*") if p.name != keep)
    for path in older[:-1]:
        shutil.rmtree(path, ignore_errors=True)
