"""Signals from files, and banks as CSV (``signal_type,signal_value,labels``).

A banked photo keeps extra PDQ hashes of centred crops (``accord.signals.index_hashes``) so that cropped
re-uploads still match; a PDQ hash below quality 50 is left out (the file's MD5 and SHA-256 still go in).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.banks.models import Bank, BankEntry, BehaviourLabel
from accord.banks.service import EntryDetails, NewSignal, check_details, check_signal
from accord.errors import InvalidInput
from accord.settings import Settings
from accord.signals import MediaLimits, hash_media, index_hashes

CSV_HEADER = ("signal_type", "signal_value", "labels")
INCIDENT_PREFIX = "incident:"


def limits_for(settings: Settings) -> MediaLimits:
    """The media ceilings configured for this instance."""
    return MediaLimits(max_bytes=settings.media_max_bytes, max_pixels=settings.media_max_pixels)


def signals_for_bank(data: bytes, limits: MediaLimits) -> list[NewSignal]:
    """The signals to bank for a file: PDQ with its crop variants (photos of sufficient quality), digests."""
    signals = []
    for computed in hash_media(data, limits=limits, variants=index_hashes):  # one decode for all PDQ hashes
        if computed.indexable:
            variants = tuple(v for v in computed.variants if v != computed.value)
            signals.append(NewSignal(computed.type, computed.value, variants, computed.quality))
    return signals


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One row of a bank CSV, checked: the signal and its details, or the reason it was refused."""

    line: int
    signal: NewSignal | None
    details: EntryDetails
    error: str | None = None


def split_labels(text: str) -> EntryDetails:
    """``"glorification_of_terrorist_acts;incident:christchurch"`` into labels and incident tags."""
    items = [item.strip() for item in text.replace(" ", ";").split(";") if item.strip()]
    tags = [item.removeprefix(INCIDENT_PREFIX) for item in items if item.startswith(INCIDENT_PREFIX)]
    labels = [item for item in items if not item.startswith(INCIDENT_PREFIX)]
    return check_details(EntryDetails(labels=labels, incident_tags=tags))


def read_csv(text: str) -> Iterator[CsvRow]:
    """Rows of ``signal_type,signal_value,labels`` (a header row is optional); bad rows carry their reason."""
    return read_rows(io.StringIO(text))


def read_rows(lines: Iterable[str]) -> Iterator[CsvRow]:
    """``read_csv`` over lines as they are read (a file opened with ``newline=""``): memory stays constant
    however long the input. Every row passes the same door as ``add_entries`` (``check_signal``,
    ``check_details``); the labels of a row are checked once per distinct spelling, as a list repeats few."""
    labels = lru_cache(maxsize=4096)(split_labels)
    for line, row in enumerate(csv.reader(lines), start=1):
        if not row or (line == 1 and tuple(c.strip() for c in row[:3]) == CSV_HEADER):
            continue
        try:
            if len(row) < 2:
                raise InvalidInput("a row is signal_type,signal_value[,labels]", field="row")
            details = labels(row[2] if len(row) > 2 else "")
            yield CsvRow(line, check_signal(NewSignal(row[0].strip(), row[1])), details)
        except InvalidInput as exc:
            yield CsvRow(line, None, EntryDetails(), exc.detail)


def write_csv(session: Session, bank: Bank, *, states: tuple[str, ...] = ("active",)) -> str:
    """The bank's entries (active ones by default) as CSV with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    query = select(BankEntry).where(BankEntry.bank_id == bank.id, BankEntry.state.in_(states)).order_by(BankEntry.id)
    for entry in session.scalars(query.execution_options(yield_per=1000)):
        tags = [f"{INCIDENT_PREFIX}{tag}" for tag in entry.incident_tags]
        writer.writerow([entry.signal_type, entry.value, ";".join([*entry.labels, *tags])])
    return out.getvalue()


LABELS = tuple(label.value for label in BehaviourLabel)
