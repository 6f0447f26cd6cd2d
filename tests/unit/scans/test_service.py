"""Retroactive scans: planted matches found on a Dask LocalCluster, shadow figures, resuming, unreadable items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.banks.models import MatchRecord
from accord.cases.models import Case
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import Conflict, InvalidInput, NotFound
from accord.flows.decisions import decide
from accord.scans import service
from accord.scans.cluster import DaskRunner, connect
from accord.scans.models import Scan, ScanStatus
from accord.scans.work import BatchResult, IndexPayload
from accord.settings import Settings
from accord.signals import MediaLimits
from tests.unit.banks.helpers import LIMITS, bank_photo, bank_with, org
from tests.unit.scans.helpers import archive, world

pytestmark = pytest.mark.committing  # a scan commits batch by batch


def _start(factory: sessionmaker[Session], clock: FrozenClock, principal: object, folder: Path,
           **options: object) -> str:
    with unit_of_work(factory) as session:
        return service.start_scan(session, clock, principal, sources_=[str(folder)], **options).id  # type: ignore[arg-type]


def test_a_directory_scan_on_a_local_cluster_opens_retroactive_cases(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, tmp_path: Path) -> None:
    w = world(factory, clock)
    folder = archive(tmp_path / "archive")
    scan_id = _start(factory, clock, w.provider, folder, batch_size=3)
    seen: list[int] = []
    with connect(None, workers=2, processes=False) as client:
        scan = service.run_scan(factory, clock, w.provider, scan_id, DaskRunner(client), settings=settings,
                                limits=LIMITS, decide=decide, progress=lambda s: seen.append(s.items_done))
    assert scan.status == ScanStatus.FINISHED and scan.engine.startswith("Dask LocalCluster")
    assert (scan.items_total, scan.items_done, scan.items_matched, scan.items_failed) == (12, 12, 3, 2)
    assert scan.cases == 3 and scan.figures["banks"] == {"shared list": 3}
    assert scan.figures["labels"] == {"glorification_of_terrorist_acts": 3}
    assert seen[0] == 0 and seen[-1] == 12 and seen == sorted(seen)
    assert sorted(e["item"].rsplit("/", 1)[1] for e in scan.errors) == ["bomb.png", "truncated.jpg"]
    with factory() as session:
        cases = list(session.scalars(select(Case).where(Case.provider_id == w.provider.org_id)))
        assert len(cases) == 3 and all("retroactive" in c.labels and c.sources == ["hash_match"] for c in cases)
        located = sorted(m["url"].rsplit("/", 1)[1] for c in cases for m in c.media)
        assert located == ["a-mirrored.jpg", "b-reencoded.jpg", "c.jpg"]
        assert all(m["url"].startswith("file://") for c in cases for m in c.media)
        assert session.scalar(select(func.count()).select_from(MatchRecord)) == 3
        [finished] = session.scalars(select(AuditEvent).where(AuditEvent.tag == "scans:scan:finish"))
        assert finished.subject == scan_id and finished.payload["matched"] == 3


def test_a_shadow_scan_counts_per_bank_and_label_and_opens_nothing(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, tmp_path: Path) -> None:
    w = world(factory, clock)
    with unit_of_work(factory) as session:
        other = bank_with(session, clock, w.hub, "instructions", values=(), visibility="all")
        bank_photo(session, clock, w.hub, other, 1)  # photo 1 is in both banks
        allow = bank_with(session, clock, w.provider, "exempt", values=(), kind="negative")
        bank_photo(session, clock, w.provider, allow, 3)  # the provider's allow-list suppresses photo 3
    folder = archive(tmp_path / "archive")
    scan_id = _start(factory, clock, w.provider, folder, shadow=True, batch_size=4)
    scan = service.run_scan(factory, clock, w.provider, scan_id, service.InProcess(), settings=settings,
                            limits=LIMITS, decide=decide)
    assert (scan.items_matched, scan.items_suppressed, scan.cases) == (2, 1, 0)
    assert scan.figures["banks"] == {"instructions": 1, "shared list": 2}
    assert scan.figures["labels"] == {"glorification_of_terrorist_acts": 2} and scan.figures["actions"] == {}
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(MatchRecord)) == 0


def test_a_scan_against_one_bank_ignores_the_others(factory: sessionmaker[Session], clock: FrozenClock,
                                                    settings: Settings, tmp_path: Path) -> None:
    w = world(factory, clock)
    with unit_of_work(factory) as session:
        other = bank_with(session, clock, w.hub, "instructions", values=(), visibility="all")
        bank_photo(session, clock, w.hub, other, 1)
    scan_id = _start(factory, clock, w.provider, archive(tmp_path / "a"), shadow=True, banks=["instructions"])
    scan = service.run_scan(factory, clock, w.provider, scan_id, service.InProcess(), settings=settings,
                            limits=LIMITS)
    assert scan.banks == ["instructions"] and scan.figures["banks"] == {"instructions": 1}


class Interrupted(service.InProcess):
    """Runs batches in process, in reverse pairs (as a cluster returns them out of order), and is killed after
    ``stop_after`` results."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.stop_after = stop_after
        self.ran: list[int] = []

    def map(self, payload: IndexPayload, batches: Iterator[tuple[int, list[str]]], limits: MediaLimits,
            fetch_settings: Settings) -> Iterator[BatchResult]:
        todo = list(batches)
        order = [b for pair in zip(todo[1::2], todo[0::2], strict=False) for b in pair] + todo[len(todo) // 2 * 2:]
        for count, (number, refs) in enumerate(order):
            if count == self.stop_after:
                raise KeyboardInterrupt
            self.ran.append(number)
            yield from super().map(payload, iter([(number, refs)]), limits, fetch_settings)


def test_an_interrupted_scan_resumes_with_the_batches_not_done(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, tmp_path: Path) -> None:
    w = world(factory, clock)
    folder = archive(tmp_path / "archive")
    scan_id = _start(factory, clock, w.provider, folder, batch_size=2)  # 12 items: batches 0-5
    first = Interrupted(stop_after=3)  # batches 1, 0, 3 done; 2 was not
    with pytest.raises(KeyboardInterrupt):
        service.run_scan(factory, clock, w.provider, scan_id, first, settings=settings, limits=LIMITS)
    with factory() as session:
        stopped = session.get(Scan, scan_id)
        assert stopped is not None and stopped.status == ScanStatus.FAILED
        assert (stopped.cursor, stopped.done_batches, stopped.items_done) == (2, [3], 6)
    second = Interrupted()
    scan = service.run_scan(factory, clock, w.provider, scan_id, second, settings=settings, limits=LIMITS)
    assert sorted(second.ran) == [2, 4, 5]
    assert (scan.status, scan.items_done, scan.items_matched, scan.cases) == (ScanStatus.FINISHED, 12, 3, 3)
    assert (scan.cursor, scan.done_batches) == (6, [])
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(MatchRecord)) == 3
    again = Interrupted()
    assert service.run_scan(factory, clock, w.provider, scan_id, again, settings=settings,
                            limits=LIMITS).items_done == 12
    assert again.ran == []  # a finished scan is not run again


def test_a_batch_delivered_twice_is_counted_once(session: Session, clock: FrozenClock, tmp_path: Path) -> None:
    provider = org(session, clock)
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    scan = service.start_scan(session, clock, provider, sources_=[str(tmp_path)], shadow=True)
    for _ in range(2):
        service.apply_batch(session, clock, provider, scan, BatchResult(0, items=1), None)
    assert (scan.items_done, scan.cursor) == (1, 1)


def test_only_a_provider_opens_cases_and_sources_must_exist(session: Session, clock: FrozenClock,
                                                            tmp_path: Path) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    with pytest.raises(InvalidInput, match="shadow"):
        service.start_scan(session, clock, hub, sources_=[str(tmp_path)])
    assert service.start_scan(session, clock, hub, sources_=[str(tmp_path)], shadow=True).shadow
    with pytest.raises(InvalidInput, match="no such directory"):
        service.start_scan(session, clock, provider, sources_=[str(tmp_path / "missing")])
    with pytest.raises(NotFound):
        service.start_scan(session, clock, provider, sources_=[str(tmp_path)], banks=["nobody's"])
    with pytest.raises(InvalidInput, match="batch"):
        service.start_scan(session, clock, provider, sources_=[str(tmp_path)], batch_size=0)


def test_another_organisations_scan_is_not_found(session: Session, clock: FrozenClock, tmp_path: Path) -> None:
    one, two = org(session, clock), org(session, clock)
    scan = service.start_scan(session, clock, one, sources_=[str(tmp_path)], shadow=True)
    assert service.get_scan(session, one.org_id, scan.id) is scan
    assert [s.id for s in service.list_scans(session, one.org_id)] == [scan.id]
    assert service.list_scans(session, two.org_id) == []
    with pytest.raises(NotFound):
        service.get_scan(session, two.org_id, scan.id)
    with pytest.raises(Conflict):
        service.resume_check(scan, [str(tmp_path / "..")])
    service.resume_check(scan, [str(tmp_path)])
