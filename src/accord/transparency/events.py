"""Reading audit events for reports: a year's window, payload fields in SQL, and value normalisation.

Reports aggregate inside the database (``GROUP BY`` over JSON payload fields, which both SQLite and
PostgreSQL evaluate) so that a year of a million decisions is one scan, not a million Python objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, column, extract, func, select, text, true
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.db import is_postgres

DECISION = Event.CASES_DECISION_CREATE
NOTICE_RECEIVE = Event.NOTICES_NOTICE_RECEIVE
NOTICE_ACK = Event.NOTICES_NOTICE_ACKNOWLEDGE
NOTICE_OUTCOME = Event.NOTICES_NOTICE_OUTCOME
MATCH_FOUND = Event.MATCHING_MATCH_FOUND
COMPLAINT_FILE = Event.RIGHTS_COMPLAINT_FILE
COMPLAINT_DECIDE = Event.RIGHTS_COMPLAINT_DECIDE
REINSTATE = Event.RIGHTS_CONTENT_REINSTATE
REVIEW_RECORD = Event.RIGHTS_REVIEW_RECORD
REVIEW_DECIDE = Event.RIGHTS_REVIEW_DECIDE
SCRUTINY_DECIDE = Event.NOTICES_SCRUTINY_DECIDE
EXPOSURE_DECIDE = Event.AUTHORITIES_EXPOSURE_DECIDE
EXPOSURE_REQUIRE = Event.AUTHORITIES_EXPOSURE_REQUIRE
EXPOSURE_REVIEW_DECIDE = Event.AUTHORITIES_EXPOSURE_REVIEW_DECIDE
EXPOSURE_REPORT = Event.AUTHORITIES_EXPOSURE_REPORT
PENALTY_IMPOSE = Event.AUTHORITIES_PENALTY_IMPOSE
ORDER_KINDS = frozenset({"removal_order"})
DRILL = "drill"  # the payload key that marks a drill's events
PACK_SEPARATOR = "\x1f"  # ASCII unit separator
PACK_NULL = "\x1e"  # ASCII record separator, standing for a missing field
SUBJECT: ColumnElement[Any] = AuditEvent.subject  # type: ignore[assignment] # a column, as queries use it
AT: ColumnElement[Any] = AuditEvent.at  # type: ignore[assignment]
SEQ: ColumnElement[Any] = AuditEvent.seq  # type: ignore[assignment]


def year_window(year: int) -> tuple[datetime, datetime]:
    """The calendar year in UTC, as [start, end)."""
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def field(key: str) -> ColumnElement[Any]:
    """A payload field as text (PostgreSQL ``->>``, SQLite ``json_extract``), for one-off conditions."""
    expression: ColumnElement[Any] = AuditEvent.payload[key].as_string()
    return expression


def month() -> ColumnElement[Any]:
    return extract("month", AuditEvent.at)


Column = str | ColumnElement[Any]


class Payload:
    """The payload fields one query needs, each read as text.

    On PostgreSQL the payload (type ``json``, stored as text) is parsed once per row by ``json_to_record``;
    extracting fields one by one with ``->>`` would parse it again for every field, several times slower over
    a million rows. SQLite reads each field with ``json_extract``.
    """

    def __init__(self, session: Session, names: Iterable[str]) -> None:
        self.names = tuple(dict.fromkeys(names))
        self.record: Any = None
        if is_postgres(session) and self.names:
            function = func.json_to_record(AuditEvent.payload)
            self.record = function.table_valued(*(column(n, Text) for n in self.names)).render_derived(
                name="p", with_types=True)

    def __getitem__(self, name: str) -> ColumnElement[Any]:
        if self.record is not None:
            found: ColumnElement[Any] = self.record.c[name]
            return found
        return field(name)

    def packed(self, session: Session, names: Sequence[str]) -> ColumnElement[Any]:
        """The UTC day and the named fields as one text: one column to fetch instead of many.

        PostgreSQL joins them with ``PACK_SEPARATOR`` (missing fields as ``PACK_NULL``), which is cheaper than
        building JSON; SQLite builds a JSON array. ``unpack`` reads either.
        """
        if self.record is not None:
            day = func.to_char(func.timezone("UTC", AuditEvent.at), "YYYY-MM-DD")
            fields = (func.coalesce(self[n], PACK_NULL) for n in names)
            packed: ColumnElement[Any] = func.concat_ws(PACK_SEPARATOR, day, *fields)
            return packed
        return func.json_array(func.substr(AuditEvent.at, 1, 10), *(self[n] for n in names))

    def select(self, columns: Sequence[Column]) -> Select[Any]:
        chosen = [self[c] if isinstance(c, str) else c for c in columns]
        query: Select[Any] = select(*chosen).select_from(AuditEvent)
        return query.join(self.record, true()) if self.record is not None else query


def not_drill(value: ColumnElement[Any]) -> ColumnElement[bool]:
    """The payload's ``drill`` is absent or false (JSON ``true`` reads as ``'true'`` on PostgreSQL, 1 on SQLite;
    incidents write ``drill: false`` for real ones, which count)."""
    return func.coalesce(cast(value, Text), "false").not_in(("true", "1"))


def query(session: Session, tag: str, window: tuple[datetime, datetime] | None, columns: Sequence[Column],
          *, subjects: Sequence[str] | None = None, **equals: str) -> tuple[Payload, Select[Any]]:
    """``SELECT columns`` of the ``tag`` events inside ``window`` whose payload fields equal ``equals``."""
    names = [c for c in columns if isinstance(c, str)] + list(equals) + [DRILL]
    payload = Payload(session, names)
    # A drill's events (accord.readiness) are practice, never facts of a report.
    conditions = [AuditEvent.tag == tag, not_drill(payload[DRILL]), *(payload[k] == v for k, v in equals.items())]
    if window is not None:
        conditions += [AuditEvent.at >= window[0], AuditEvent.at < window[1]]
    if subjects is not None:
        conditions.append(AuditEvent.subject.in_(subjects))
    return payload, payload.select(columns).where(and_(*conditions))


def grouped(session: Session, tag: str, window: tuple[datetime, datetime] | None, keys: Sequence[Column],
            **equals: str) -> list[Any]:
    """``(key..., count)`` rows of the matching events, grouped by ``keys``."""
    payload, found = query(session, tag, window, keys, **equals)
    group = [payload[k] if isinstance(k, str) else k for k in keys]
    statement = found.add_columns(func.count()).group_by(*group)
    if not is_postgres(session):
        return list(session.execute(statement))
    # PostgreSQL cannot estimate how few distinct values payload fields hold, so it sorts the rows in parallel
    # workers to group them; with the default work_mem a million rows spill to disk.
    session.execute(text("SET LOCAL work_mem = '128MB'"))
    try:
        return list(session.execute(statement))
    finally:
        session.execute(text("RESET work_mem"))


def rows(session: Session, tag: str, window: tuple[datetime, datetime] | None, columns: Sequence[Column],
         *, subjects: Sequence[str] | None = None, **equals: str) -> list[Any]:
    """The chosen columns of every matching event (for the event kinds whose medians or joins are needed)."""
    return list(session.execute(query(session, tag, window, columns, subjects=subjects, **equals)[1]))


def unpack(packed: str) -> list[Any]:
    """The values ``Payload.packed`` joined: the day first, then the fields (``None`` when missing)."""
    if packed.startswith("["):
        values: list[Any] = json.loads(packed)
        return values
    return [None if value == PACK_NULL else value for value in packed.split(PACK_SEPARATOR)]


def truthy(value: Any) -> bool:
    """JSON booleans come back as ``True``/``'true'`` (PostgreSQL) or ``1`` (SQLite)."""
    return value in (True, 1, "1", "true", "True")


def number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def json_list(value: Any) -> list[Any]:
    """A JSON array payload field, which SQL hands back as text."""
    if isinstance(value, list):
        return value
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return [value]
    return parsed if isinstance(parsed, list) else [parsed]


def automation_level(value: Any) -> str:
    """``automated_decision`` may be a boolean or one of fully/partially/not_automated."""
    if isinstance(value, str) and value in ("fully", "partially", "not_automated"):
        return value
    return "fully" if truthy(value) else "not_automated"


def median(values: Iterable[float | None]) -> float | None:
    clean = sorted(v for v in values if v is not None)
    if not clean:
        return None
    middle = len(clean) // 2
    return clean[middle] if len(clean) % 2 else (clean[middle - 1] + clean[middle]) / 2
