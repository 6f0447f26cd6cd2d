"""An archive with planted matches and a hub's bank to scan it against, shared by the scan tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from accord.banks.models import Bank
from accord.clock import Clock
from accord.db import unit_of_work
from accord.identity.service import Principal
from tests.unit.banks.helpers import bank_photo, bank_with, bomb, mirrored, org, photo_bytes, truncated_jpeg

PLANTED = (1, 2, 3)
"""Photos of the hub's bank, re-uploaded (mirrored, re-encoded) into the archive."""


@dataclass
class World:
    hub: Principal
    provider: Principal
    bank: Bank


def world(factory: sessionmaker[Session], clock: Clock) -> World:
    """A coordinator's bank shared with all holding photos 1, 2 and 3, and a provider."""
    with unit_of_work(factory) as session:
        hub, provider = org(session, clock, "coordinator"), org(session, clock)
        bank = bank_with(session, clock, hub, "shared list", values=(), visibility="all")
        for seed in PLANTED:
            bank_photo(session, clock, hub, bank, seed)
    return World(hub, provider, bank)


def archive(folder: Path, *, unrelated: int = 6) -> Path:
    """Planted re-uploads (one in a sub-folder), unrelated photos, a truncated JPEG, a decompression bomb and
    a text file: 3 matches and 2 unreadable items among ``unrelated + 6``."""
    (folder / "sub").mkdir(parents=True)
    (folder / "a-mirrored.jpg").write_bytes(mirrored(1))
    (folder / "b-reencoded.jpg").write_bytes(photo_bytes(2, quality=60))
    (folder / "sub" / "c.jpg").write_bytes(photo_bytes(3, quality=75))
    for seed in range(unrelated):
        (folder / f"other-{seed:02d}.jpg").write_bytes(photo_bytes(200 + seed))
    (folder / "truncated.jpg").write_bytes(truncated_jpeg())
    (folder / "bomb.png").write_bytes(bomb())
    (folder / "notes.txt").write_text("not media", encoding="utf-8")
    return folder
