"""Shared by the banks, matching, exchange and functional bank tests: principals, photos, a bank with entries."""

from __future__ import annotations

import io

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from accord.banks import service
from accord.banks.files import signals_for_bank
from accord.banks.models import Bank
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import Clock
from accord.demo.banks import jpeg, synthetic_photo
from accord.identity.service import Principal
from accord.signals import MediaLimits
from tests.factories import OrgHandle, make_org

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_B = "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064"
LIMITS = MediaLimits()
ALL_SCOPES = frozenset({"banks:read", "banks:write", "match"})


def principal(handle: OrgHandle) -> Principal:
    return Principal(org_id=handle.id, org_kind=handle.kind, ref="test", scopes=ALL_SCOPES)


def org(session: Session, clock: Clock, kind: str = "provider") -> Principal:
    return principal(make_org(session, clock, kind))


def flip(value: str, bits: int) -> str:
    """A PDQ hash with its first ``bits`` bits flipped."""
    number = int(value, 16) ^ (((1 << bits) - 1) << (256 - bits))
    return f"{number:064x}"


def photo_bytes(seed: int, quality: int = 90) -> bytes:
    return jpeg(synthetic_photo(seed), quality)


def mirrored(seed: int) -> bytes:
    return jpeg(ImageOps.mirror(synthetic_photo(seed)), 75)


def bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    blob = photo_bytes(3)
    return blob[: len(blob) // 2]


def bank_with(session: Session, clock: Clock, owner: Principal, name: str = "list", *,
              values: tuple[str, ...] = (PDQ_A,), labels: tuple[str, ...] = ("glorification_of_terrorist_acts",),
              **options: object) -> Bank:
    bank = service.create_bank(session, clock, owner, name=name, **options)  # type: ignore[arg-type]
    if values:
        service.add_entries(session, clock, owner, bank, [NewSignal("pdq", v) for v in values],
                            EntryDetails(labels=list(labels)))
    return bank


def bank_photo(session: Session, clock: Clock, owner: Principal, bank: Bank, seed: int) -> None:
    service.add_entries(session, clock, owner, bank, signals_for_bank(photo_bytes(seed), LIMITS),
                        EntryDetails(labels=["glorification_of_terrorist_acts"]))
