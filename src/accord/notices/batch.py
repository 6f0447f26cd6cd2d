"""Referral Action Days (EUR-04): thousands of notices in one file, CSV or JSON lines, with a report per line.

``service.receive`` checks everything before it writes, so a refused line leaves no trace and is reported with
the field at fault; accepted lines stay. With ``atomic`` nothing is kept unless every line is accepted. Either
way the caller gets the full report, so nothing is ever half-imported without saying so.

``import_in_chunks`` commits every ``CHUNK`` lines: the audit chain serialises writers for the length of a
transaction, and a removal order sent during a Referral Action Day must not wait for the whole batch.

CSV columns are the notice's field names; list fields (``urls``, ``tco_types``, ``content_hashes``) separate
values with ``|``; ``redress_body`` and ``redress_deadline_days`` make ``redress``; booleans are true/false.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from accord.clock import Clock
from accord.db import unit_of_work
from accord.errors import DomainError, InvalidInput, PayloadTooLarge
from accord.identity.service import Principal
from accord.notices.kinds import KINDS, CleanNotice, validate
from accord.notices.service import batch_lookups, receive_clean
from accord.settings import Settings

log = logging.getLogger(__name__)

MAX_LINES = 50_000
CHUNK = 500
LIST_COLUMNS = ("urls", "tco_types", "content_hashes")
BOOL_COLUMNS = ("emergency", "cross_border", "good_faith")
INT_COLUMNS = ("nondisclosure_days",)
REDRESS_COLUMNS = ("redress_body", "redress_deadline_days")
KNOWN_COLUMNS = frozenset({f for k in KINDS.values() for f in k.allowed} | set(REDRESS_COLUMNS)) - {"redress"}


@dataclass
class LineResult:
    line: int
    accepted: bool
    notice_id: str | None = None
    status: str | None = None
    field: str | None = None
    error: str | None = None


@dataclass
class BatchReport:
    lines: list[LineResult] = field(default_factory=list)
    atomic: bool = False
    kept: bool = True  # False: atomic and something was refused, so nothing was kept

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.lines if r.accepted) if self.kept else 0

    @property
    def refused(self) -> int:
        return sum(1 for r in self.lines if not r.accepted)


def _csv_value(column: str, value: str) -> Any:
    if column in LIST_COLUMNS:
        return [v.strip() for v in value.split("|") if v.strip()]
    if column in BOOL_COLUMNS:
        return value.strip().lower() in ("true", "1", "yes")
    if column in INT_COLUMNS or column == "redress_deadline_days":
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _csv_row(row: Mapping[str, str]) -> dict[str, Any]:
    data = {k: _csv_value(k, v) for k, v in row.items() if k and v not in (None, "") and k not in REDRESS_COLUMNS}
    if row.get("redress_body") or row.get("redress_deadline_days"):
        data["redress"] = {"body": row.get("redress_body", ""),
                           "deadline_days": _csv_value("redress_deadline_days", row.get("redress_deadline_days", ""))}
    return data


def parse_csv(text: str) -> Iterator[tuple[int, dict[str, Any] | DomainError]]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = sorted(set(reader.fieldnames or []) - KNOWN_COLUMNS)
    if unknown:
        raise InvalidInput(f"unknown column {unknown[0]!r}; nothing was imported", field=unknown[0])
    for row in reader:
        if None in row:
            yield reader.line_num, InvalidInput("the line has more cells than the header", field="line")
        else:
            yield reader.line_num, _csv_row(row)


def parse_json_lines(text: str) -> Iterator[tuple[int, dict[str, Any] | DomainError]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, InvalidInput(f"not JSON: {exc.msg}", field="line")
            continue
        yield number, value if isinstance(value, dict) else InvalidInput("a line must be an object", field="line")


def parse(text: str, fmt: str) -> list[tuple[int, dict[str, Any] | DomainError]]:
    """``fmt`` is ``csv`` or ``jsonl``."""
    if fmt not in ("csv", "jsonl"):
        raise InvalidInput("the format is csv or jsonl", field="format")
    lines = list(parse_csv(text) if fmt == "csv" else parse_json_lines(text))
    if len(lines) > MAX_LINES:
        raise PayloadTooLarge(f"at most {MAX_LINES} lines in one batch", field="body")
    if not lines:
        raise InvalidInput("the batch has no lines", field="body")
    return lines


def _validated(item: dict[str, Any] | DomainError) -> CleanNotice | DomainError:
    if isinstance(item, DomainError):
        return item
    try:
        return validate(item)
    except DomainError as exc:
        return exc


def _one(session: Session, clock: Clock, settings: Settings, principal: Principal, number: int,
         item: CleanNotice | DomainError) -> LineResult:
    if isinstance(item, DomainError):
        return LineResult(number, False, field=item.field, error=item.detail)
    try:
        notice = receive_clean(session, clock, settings, principal, item)  # refuses before writing anything
    except DomainError as exc:
        return LineResult(number, False, field=exc.field, error=exc.detail)
    return LineResult(number, True, notice_id=notice.id, status=notice.status)


def import_batch(session: Session, clock: Clock, settings: Settings, principal: Principal,
                 lines: list[tuple[int, dict[str, Any] | DomainError]], *, atomic: bool = False) -> BatchReport:
    """Take every line; report each. ``atomic``: keep nothing unless all are accepted.

    Every line is validated first, so that what the lines look up (providers, holds, open cases, webhook
    endpoints) is read in a few queries for all of them; their rows are then written together at commit.
    """
    report = BatchReport(atomic=atomic)
    checked = [(number, _validated(item)) for number, item in lines]
    outer = session.begin_nested() if atomic else None
    with batch_lookups(session, {principal.org_id}, [c for _, c in checked if not isinstance(c, DomainError)]):
        for number, item in checked:
            report.lines.append(_one(session, clock, settings, principal, number, item))
    if outer is not None and report.refused:
        outer.rollback()
        report.kept = False
    elif outer is not None:
        outer.commit()
    return report


ChunkHook = Callable[[Session, BatchReport], None]


def import_in_chunks(factory: sessionmaker[Session], clock: Clock, settings: Settings, principal: Principal,
                     lines: list[tuple[int, dict[str, Any] | DomainError]], *, chunk: int = CHUNK,
                     on_chunk: ChunkHook | None = None) -> BatchReport:
    """The edge of a large import: one unit of work per ``chunk`` lines. Should a chunk fail unexpectedly, its
    lines and the rest are reported as not imported (the earlier chunks stay, and say so). ``on_chunk`` runs in
    each chunk's transaction with that chunk's report (an action day links the notices it accepted)."""
    report = BatchReport()
    for start in range(0, len(lines), chunk):
        part = lines[start:start + chunk]
        try:
            with unit_of_work(factory) as session:
                done = import_batch(session, clock, settings, principal, part)
                if on_chunk is not None:
                    on_chunk(session, done)
        except Exception as exc:  # reported line by line below, never swallowed silently
            log.exception("batch import: the chunk from line %s failed", part[0][0])
            reason = f"not imported: {exc.__class__.__name__}; lines before {part[0][0]} were kept"
            report.lines += [LineResult(n, False, field="line", error=reason) for n, _ in lines[start:]]
            return report
        report.lines += done.lines
    return report
