"""The matcher follows the change log: deltas only, never a rebuild; snapshots restart it fast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from accord.banks import service
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import FrozenClock
from accord.matching.service import Matcher, Present
from tests.unit.banks.helpers import PDQ_A, PDQ_B, bank_with, flip, org


def test_add_and_disable_apply_only_the_delta(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=(PDQ_A,))
    matcher = Matcher()
    first = matcher.refresh(session)
    index = matcher.indexes["pdq"]
    assert (first.changes, first.added, len(index)) == (1, 1, 1)

    [entry] = service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_B)], EntryDetails())
    delta = matcher.refresh(session)
    assert matcher.indexes["pdq"] is index, "the same index object, updated in place"
    assert (delta.changes, delta.added, delta.removed) == (1, 1, 0)
    assert [h.entry_id for h in matcher.query("pdq", [flip(PDQ_B, 20)])] == [entry.id]

    service.change_entry_state(session, clock, owner, bank, entry, "disable")
    delta = matcher.refresh(session)
    assert matcher.indexes["pdq"] is index
    assert (delta.changes, delta.added, delta.removed) == (1, 0, 1)
    assert matcher.query("pdq", [PDQ_B]) == []
    assert len(index) == 1

    assert matcher.refresh(session).changes == 0, "nothing new, nothing applied"
    service.change_entry_state(session, clock, owner, bank, entry, "enable")
    assert matcher.refresh(session).added == 1
    assert [h.entry_id for h in matcher.query("pdq", [PDQ_B])] == [entry.id]


def test_quarantined_entries_are_not_indexed_until_confirmed(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    bank = bank_with(session, clock, hub, values=(), visibility="all", accepts_contributions=True)
    [entry] = service.add_entries(session, clock, provider, bank, [NewSignal("pdq", PDQ_A)], EntryDetails())
    matcher = Matcher()
    matcher.refresh(session)
    assert matcher.query("pdq", [PDQ_A]) == []
    service.change_entry_state(session, clock, hub, bank, entry, "confirm")
    matcher.refresh(session)
    assert [h.entry_id for h in matcher.query("pdq", [PDQ_A])] == [entry.id]


def test_restart_loads_the_snapshot_and_replays_only_later_changes(session: Session, clock: FrozenClock,
                                                                   tmp_path: Path) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=(PDQ_A,))
    service.add_entries(session, clock, owner, bank, [NewSignal("md5", "d41d8cd98f00b204e9800998ecf8427e")],
                        EntryDetails())
    first = Matcher(tmp_path)
    first.refresh(session)
    assert first.save_snapshot() is not None
    [late] = service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_B)], EntryDetails())

    restarted = Matcher.open(tmp_path)
    assert restarted.mark == first.mark
    assert restarted.status()["indexes"] == {"md5": 1, "pdq": 1}
    replay = restarted.refresh(session)
    assert (replay.changes, replay.added) == (1, 1), "only the change after the snapshot"
    assert [h.entry_id for h in restarted.query("pdq", [PDQ_B])] == [late.id]
    assert restarted.query("md5", ["d41d8cd98f00b204e9800998ecf8427e"])


def test_snapshots_replace_each_other_atomically(session: Session, clock: FrozenClock, tmp_path: Path) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=(PDQ_A,))
    matcher = Matcher(tmp_path)
    for value in (PDQ_B, flip(PDQ_B, 100), flip(PDQ_A, 120)):
        service.add_entries(session, clock, owner, bank, [NewSignal("pdq", value)], EntryDetails())
        matcher.refresh(session)
        matcher.save_snapshot()
    assert len(list(tmp_path.glob("snapshot-*"))) == 2, "the newest and the one before it"
    assert Matcher.open(tmp_path).mark == matcher.mark


def test_an_unreadable_snapshot_means_a_full_replay(session: Session, clock: FrozenClock, tmp_path: Path) -> None:
    owner = org(session, clock)
    bank_with(session, clock, owner, values=(PDQ_A,))
    (tmp_path / "CURRENT").write_text("snapshot-missing")
    matcher = Matcher.open(tmp_path)
    assert matcher.mark == 0
    assert matcher.refresh(session).added == 1


def test_a_shorter_log_than_the_mark_reloads(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank_with(session, clock, owner, values=(PDQ_A,))
    matcher = Matcher()
    matcher.refresh(session)
    matcher.mark += 1000  # as if the database were restored from an older backup
    matcher.refresh(session)
    assert matcher.mark < 1000
    assert matcher.query("pdq", [PDQ_A])
    session.execute(text("DELETE FROM bank_changes"))
    matcher.refresh(session)
    assert matcher.mark == 0 and matcher.status()["entries"] == 0


def test_present_keeps_a_snapshot_as_arrays_and_changes_beside_them(tmp_path: Path) -> None:
    present = Present({"pdq": np.array([1, 3, 5], dtype=np.int64), "md5": np.array([2], dtype=np.int64)})
    assert [present.get(i) for i in range(1, 7)] == ["pdq", "md5", "pdq", None, "pdq", None]
    assert present.pop(3) == "pdq" and 3 not in present and len(present) == 3
    present[3] = "pdq"  # indexed again
    present[6] = "sha256"
    present[6] = "sha256"  # twice is once
    assert present.pop(6) == "sha256" and present.get(6) is None
    present[7] = "md5"
    assert len(present) == 5 and present.get(3) == "pdq"
    with pytest.raises(KeyError):
        present.pop(4)
    present.save(tmp_path)
    loaded = Present.load(tmp_path, keep=lambda kind: kind != "md5")
    assert {i: loaded.get(i) for i in range(1, 8) if i in loaded} == {1: "pdq", 3: "pdq", 5: "pdq"}
