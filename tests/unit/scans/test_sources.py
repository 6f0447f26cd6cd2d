"""What a scan reads: directories, manifests of paths and URLs (through the guarded fetcher), fsspec URLs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import FetchRefused, InvalidInput, PayloadTooLarge
from accord.flows.decisions import decide
from accord.scans import service, sources
from accord.scans.cluster import DaskRunner, connect
from accord.settings import Settings
from accord.signals import MediaLimits
from tests.unit.banks.helpers import LIMITS, mirrored, photo_bytes
from tests.unit.scans.helpers import world

pytestmark = pytest.mark.committing


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the base class names it
        return


@pytest.fixture
def web_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1, and its base URL."""
    root = tmp_path / "www"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_items_of_a_directory_come_in_name_order_without_symlinks(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("z.jpg", "a.jpg", "b/m.jpg"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "link.jpg").symlink_to(tmp_path / "a.jpg")
    assert [Path(i).relative_to(tmp_path).as_posix() for i in sources.items([str(tmp_path)])] == [
        "a.jpg", "z.jpg", "b/m.jpg"]
    assert list(sources.batches([str(tmp_path)], 2)) == [
        (0, [str(tmp_path / "a.jpg"), str(tmp_path / "z.jpg")]), (1, [str(tmp_path / "b/m.jpg")])]
    assert [n for n, _ in sources.batches([str(tmp_path)], 1, skip={1}, start=0)] == [0, 2]


def test_a_manifest_names_paths_relative_to_itself_and_urls(tmp_path: Path) -> None:
    manifest = tmp_path / "list.txt"
    manifest.write_text("# archive of 2025\nphotos/a.jpg\n\n/srv/b.jpg\nhttps://cdn.example/c.jpg\n",
                        encoding="utf-8")
    assert list(sources.items([str(manifest)])) == [str(tmp_path / "photos/a.jpg"), "/srv/b.jpg",
                                                    "https://cdn.example/c.jpg"]


def test_an_fsspec_url_lists_a_folder(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "one.jpg").write_bytes(photo_bytes(1))
    (tmp_path / "two.jpg").write_bytes(b"2")
    found = list(sources.items([tmp_path.as_uri()]))
    assert found == [(tmp_path / "two.jpg").as_uri(), (tmp_path / "x" / "one.jpg").as_uri()]  # sorted paths
    assert sources.read(found[1], LIMITS, Settings.model_construct()) == photo_bytes(1)
    with pytest.raises(InvalidInput):
        list(sources.items(["nosuchprotocol://bucket/x"]))


def test_reading_refuses_what_is_too_large_and_fetches_only_through_the_guard(tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff" * 2048)
    with pytest.raises(PayloadTooLarge):
        sources.read(str(big), MediaLimits(max_bytes=1024), Settings.model_construct())
    guarded = sources.fetch_settings(Settings(mode="test", fetch_allow_private=False))
    with pytest.raises(FetchRefused, match="private"):
        sources.read("http://127.0.0.1:9/a.jpg", LIMITS, guarded)
    assert guarded.database_url == Settings.model_fields["database_url"].default  # no secret leaves the client


def test_a_manifest_of_urls_served_over_http_is_scanned_on_a_cluster(
        factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, tmp_path: Path,
        web_root: tuple[Path, str]) -> None:
    w = world(factory, clock)
    root, base = web_root
    (root / "mirrored.jpg").write_bytes(mirrored(1))
    (root / "other.jpg").write_bytes(photo_bytes(300))
    (tmp_path / "local.jpg").write_bytes(photo_bytes(2, quality=70))
    manifest = tmp_path / "manifest.txt"
    manifest.write_text(f"{base}/mirrored.jpg\n{base}/other.jpg\n{base}/gone.jpg\nlocal.jpg\n", encoding="utf-8")
    with unit_of_work(factory) as session:
        scan_id = service.start_scan(session, clock, w.provider, sources_=[str(manifest)], batch_size=2).id
    with connect(None, workers=1, processes=False) as client:
        scan = service.run_scan(factory, clock, w.provider, scan_id, DaskRunner(client), settings=settings,
                                limits=LIMITS, decide=decide)
    assert (scan.items_done, scan.items_matched, scan.items_failed, scan.cases) == (4, 2, 1, 2)
    assert scan.errors == [{"item": f"{base}/gone.jpg", "error": f"{base}/gone.jpg answered HTTP 404"}]
