"""Replicas reload a newer snapshot at spread-out moments and never two at once (the injected clock drives it)."""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from accord.clock import FrozenClock
from accord.matching.replicas import CHECK_EVERY, Lease, ReloadSchedule

SPREAD = 600
RELOAD_SECONDS = 20  # how long one replica's reload takes here


def _replicas(clock: FrozenClock, folder: Path, seeds: list[int]) -> list[ReloadSchedule]:
    return [ReloadSchedule(clock, folder, spread_seconds=SPREAD, rng=random.Random(seed)) for seed in seeds]


def _run(clock: FrozenClock, replicas: list[ReloadSchedule], running: list[str | None]) -> list[tuple[int, int]]:
    """Step the clock a second at a time; answers when each replica reloaded (start, end in seconds)."""
    held: dict[int, tuple[Lease, int]] = {}
    done: list[tuple[int, int]] = []
    for second in range(3 * SPREAD):
        for i, schedule in enumerate(replicas):
            if i in held:
                lease, began = held[i]
                if second - began >= RELOAD_SECONDS:
                    lease.release()
                    running[i] = schedule.newest()
                    done.append((began, second))
                    del held[i]
                continue
            schedule.notice(running[i])
            taken = schedule.begin()
            if taken is not None:
                held[i] = (taken, second)
        assert len(held) <= 1, f"two replicas reloading at {second} s"
        clock.advance(timedelta(seconds=1))
    return done


def test_replicas_notice_a_new_snapshot_and_reload_one_at_a_time(tmp_path: Path, clock: FrozenClock) -> None:
    replicas = _replicas(clock, tmp_path, [1, 2, 3, 4])
    running: list[str | None] = ["snapshot-1"] * 4
    (tmp_path / "CURRENT").write_text("snapshot-1")
    assert [r.notice(name) for r, name in zip(replicas, running, strict=True)] == [None] * 4  # nothing newer

    clock.advance(CHECK_EVERY)
    (tmp_path / "CURRENT").write_text("snapshot-2")
    planned = [r.notice(name) for r, name in zip(replicas, running, strict=True)]
    assert all(p is not None and clock.now() <= p <= clock.now() + timedelta(seconds=SPREAD) for p in planned)
    assert len(set(planned)) == 4  # each replica drew its own moment

    done = _run(clock, replicas, running)
    assert running == ["snapshot-2"] * 4 and len(done) == 4
    ordered = sorted(done)
    assert all(ended <= began for (_, ended), (began, _) in pairwise(ordered))


def test_replicas_that_drew_the_same_moment_still_reload_one_after_the_other(
        tmp_path: Path, clock: FrozenClock) -> None:
    replicas = _replicas(clock, tmp_path, [7, 7, 7])  # the worst case: identical draws
    running: list[str | None] = [None, None, None]
    (tmp_path / "CURRENT").write_text("snapshot-9")
    assert len({r.notice(None) for r in replicas}) == 1
    done = _run(clock, replicas, running)  # asserts at every second that at most one reloads
    assert running == ["snapshot-9"] * 3 and len(done) == 3


def test_a_replica_on_the_newest_snapshot_plans_nothing(tmp_path: Path, clock: FrozenClock) -> None:
    [replica] = _replicas(clock, tmp_path, [1])
    assert replica.notice(None) is None  # no snapshot at all
    (tmp_path / "CURRENT").write_text("snapshot-3")
    clock.advance(CHECK_EVERY)
    assert replica.notice("snapshot-3") is None and replica.begin() is None
