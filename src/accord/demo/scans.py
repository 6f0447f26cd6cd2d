"""Demo data for retroactive scans: ForumNest scanned its archive when the hub's shared list arrived (matches
opened cases labelled ``retroactive``), and SmallVideo judged the list first with a shadow scan.

The archives are generated photos written to a temporary folder and scanned for real, in this process (the
same batch function Dask workers run): re-encoded, mirrored and cropped copies of the shared list's photos
match, unrelated photos do not, a truncated upload and a text file are counted as unreadable, and SmallVideo's
copy of the newsroom's exempt footage is suppressed by its allow-list.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from accord.banks.files import limits_for
from accord.clock import Clock
from accord.demo import DemoWorld
from accord.demo.banks import jpeg, synthetic_photo
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.scans import service
from accord.settings import Settings


def _principal(org: Organisation) -> Principal:
    return Principal(org_id=org.id, org_kind=org.kind, ref="demo:seed",
                     scopes=frozenset({"banks:read", "match"}))


def _archive(folder: Path, matching: list[int], unrelated: range) -> None:
    """Photos of the shared list as re-uploaded (re-encoded, mirrored, cropped), others, and two unreadable."""
    edits: list[Callable[[Image.Image], Image.Image]] = [
        lambda im: im, ImageOps.mirror, lambda im: im.crop((12, 10, 308, 230))]
    for number, photo in enumerate(matching):
        image = edits[number % len(edits)](synthetic_photo(photo))
        (folder / f"2025-{number:03d}.jpg").write_bytes(jpeg(image, quality=65))
    for photo in unrelated:
        (folder / f"2025-{photo:03d}.jpg").write_bytes(jpeg(synthetic_photo(photo), quality=80))
    (folder / "2025-upload-broken.jpg").write_bytes(jpeg(synthetic_photo(99))[:900])  # a truncated upload
    (folder / "notes.txt").write_text("not media\n", encoding="utf-8")


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    """A finished retroactive scan of ForumNest's archive and a finished shadow scan of SmallVideo's."""
    limits = limits_for(settings)
    with tempfile.TemporaryDirectory(prefix="accord-demo-archive-") as tmp:
        forum_dir, video_dir = Path(tmp) / "forumnest", Path(tmp) / "smallvideo"
        forum_dir.mkdir()
        video_dir.mkdir()
        _archive(forum_dir, [0, 2, 3], range(100, 112))
        _archive(video_dir, [1, 5, 2], range(120, 126))
        for slug, folder, shadow in (("forumnest", forum_dir, False), ("smallvideo", video_dir, True)):
            principal = _principal(world.orgs[slug])
            scan = service.start_scan(session, clock, principal, sources_=[str(folder)], shadow=shadow,
                                      batch_size=8)
            service.scan_in_session(session, clock, principal, scan, service.InProcess(), settings=settings,
                                    limits=limits, decide=world.decide)
