"""Aggregate daily figures of a campaign, as they come in by CSV import or the JSON API.

Only aggregates are accepted — impressions, clicks, watch time, completions, get-help clicks and survey
responses per variant, segment and day. A column that is not one of these is refused, so that no
person-level data (user ids, comments, ...) can be imported by accident.

Every row is checked (counts are whole and non-negative, clicks <= impressions, the variant and segment are
known, the date lies inside the campaign) and *all* problems are reported at once with their line and field,
so an NGO can fix its spreadsheet in one go. Each row has a stable key ``(date, variant, segment)``: storing
rows by upsert on that key makes re-importing the same file change nothing (see ``plan_upsert``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date

from accord.errors import InvalidInput, PayloadTooLarge

REQUIRED_COLUMNS: tuple[str, ...] = (
    "date",
    "variant",
    "segment",
    "impressions",
    "clicks",
    "watch_seconds",
    "get_help_clicks",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("completions", "survey_responses")
COUNT_COLUMNS: tuple[str, ...] = (
    "impressions",
    "clicks",
    "get_help_clicks",
    "completions",
    "survey_responses",
)
MAX_ROWS = 100_000

RowKey = tuple[date, str, str]
_Report = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class FigureRow:
    """The figures of one variant in one segment on one day."""

    date: date
    variant: str
    segment: str
    impressions: int
    clicks: int
    watch_seconds: float
    get_help_clicks: int
    completions: int | None = None
    survey_responses: int | None = None

    @property
    def key(self) -> RowKey:
        """The identity of the row: a second row with the same key replaces the first."""
        return (self.date, self.variant, self.segment)

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy, with the column names of the CSV format."""
        data: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["date"] = self.date.isoformat()
        return data


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong where: ``line`` is the CSV line (header = 1) or the 1-based position in a JSON list."""

    line: int
    field: str
    message: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy."""
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass(frozen=True, slots=True)
class FigureContext:
    """What a campaign accepts: its variant and segment keys and its period (both ends included)."""

    variants: frozenset[str]
    segments: frozenset[str]
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class FigureCheck:
    """The rows that passed and the problems found; import only when ``problems`` is empty."""

    rows: tuple[FigureRow, ...]
    problems: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        """True when every row passed."""
        return not self.problems


@dataclass(frozen=True, slots=True)
class UpsertPlan:
    """What storing a batch would do; ``unchanged`` rows are identical to what is stored already."""

    insert: tuple[FigureRow, ...] = field(default=())
    update: tuple[FigureRow, ...] = field(default=())
    unchanged: tuple[FigureRow, ...] = field(default=())


def check_figures_csv(text: str, context: FigureContext) -> FigureCheck:
    """Validate a CSV export of figures (comma-separated, header first) without raising."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    header_problems = _check_header(header)
    if header_problems:
        return FigureCheck((), tuple(header_problems))
    reader.fieldnames = header
    records: list[tuple[int, Mapping[str, object]]] = []
    for record in reader:
        if len(records) >= MAX_ROWS:
            raise PayloadTooLarge(f"at most {MAX_ROWS} rows per import", field="figures")
        records.append((reader.line_num, _strip_csv(record)))
    return _check_records(records, context)


def check_figures_json(items: Sequence[object], context: FigureContext) -> FigureCheck:
    """Validate figures sent as a JSON list of objects with the CSV column names."""
    if len(items) > MAX_ROWS:
        raise PayloadTooLarge(f"at most {MAX_ROWS} rows per request", field="figures")
    records: list[tuple[int, Mapping[str, object]]] = []
    problems: list[RowProblem] = []
    for line, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.append(RowProblem(line, "", "each row must be an object"))
            continue
        problems.extend(
            RowProblem(line, str(name), "unknown column; only aggregate figures are accepted")
            for name in item
            if not _known(str(name))
        )
        records.append((line, item))
    checked = _check_records(records, context)
    return FigureCheck(checked.rows, tuple(sorted(problems + list(checked.problems), key=_problem_order)))


def parse_figures_csv(text: str, context: FigureContext) -> list[FigureRow]:
    """Validated rows from a CSV, or ``InvalidInput`` whose ``problems`` extra lists every problem."""
    return _rows_or_raise(check_figures_csv(text, context))


def parse_figures_json(items: Sequence[object], context: FigureContext) -> list[FigureRow]:
    """Validated rows from a JSON list, or ``InvalidInput`` whose ``problems`` extra lists every problem."""
    return _rows_or_raise(check_figures_json(items, context))


def plan_upsert(stored: Iterable[FigureRow], incoming: Iterable[FigureRow]) -> UpsertPlan:
    """Split a validated batch into new rows, changed rows and rows already stored as they are.

    The storage layer inserts and updates accordingly; importing the same file twice yields a plan with
    only ``unchanged`` rows, i.e. no change at all.
    """
    by_key = {row.key: row for row in stored}
    insert: list[FigureRow] = []
    update: list[FigureRow] = []
    unchanged: list[FigureRow] = []
    for row in incoming:
        previous = by_key.get(row.key)
        target = insert if previous is None else unchanged if previous == row else update
        target.append(row)
    return UpsertPlan(tuple(insert), tuple(update), tuple(unchanged))


def _rows_or_raise(check: FigureCheck) -> list[FigureRow]:
    if check.problems:
        first = check.problems[0]
        raise InvalidInput(
            f"{len(check.problems)} problem(s) in the figures; first on line {first.line}, "
            f"{first.field or 'row'}: {first.message}",
            field="figures",
            problems=[problem.to_dict() for problem in check.problems],
        )
    return list(check.rows)


def _known(name: str) -> bool:
    return name in REQUIRED_COLUMNS or name in OPTIONAL_COLUMNS


def _check_header(header: Sequence[str]) -> list[RowProblem]:
    problems = [RowProblem(1, name, "missing column") for name in REQUIRED_COLUMNS if name not in header]
    problems += [
        RowProblem(1, name, "unknown column; only aggregate figures are accepted")
        for name in header
        if not _known(name)
    ]
    problems += [RowProblem(1, name, "duplicate column") for name in set(header) if header.count(name) > 1]
    return problems


def _strip_csv(record: Mapping[str | None, object]) -> dict[str, object]:
    """Trim cells; an over-long line shows up under the ``None`` key and is reported as such."""
    out: dict[str, object] = {}
    for name, value in record.items():
        if name is None:
            out["(extra cells)"] = value
        elif isinstance(value, str):
            out[name] = value.strip()
    return out


def _check_records(records: Sequence[tuple[int, Mapping[str, object]]], context: FigureContext) -> FigureCheck:
    rows: list[FigureRow] = []
    problems: list[RowProblem] = []
    first_line: dict[RowKey, int] = {}
    for line, record in records:
        row, row_problems = _check_record(line, record, context)
        problems.extend(row_problems)
        if row is None:
            continue
        if row.key in first_line:
            message = f"same date, variant and segment as line {first_line[row.key]}"
            problems.append(RowProblem(line, "date", message))
            continue
        first_line[row.key] = line
        rows.append(row)
    return FigureCheck(tuple(rows), tuple(problems))


def _check_record(
    line: int, record: Mapping[str, object], context: FigureContext
) -> tuple[FigureRow | None, list[RowProblem]]:
    problems: list[RowProblem] = []

    def report(name: str, message: str) -> None:
        problems.append(RowProblem(line, name, message))

    if "(extra cells)" in record:
        report("(extra cells)", "more cells than header columns")
    day = _date(record.get("date"), context, report)
    variant = _member(record.get("variant"), context.variants, "variant", report)
    segment = _member(record.get("segment"), context.segments, "segment", report)
    counts = {name: _count(record.get(name), name, report, required=name in REQUIRED_COLUMNS) for name in COUNT_COLUMNS}
    watch = _seconds(record.get("watch_seconds"), report)
    _check_bounds(counts, report)
    if problems or day is None or variant is None or segment is None or watch is None:
        return None, problems
    return FigureRow(
        date=day,
        variant=variant,
        segment=segment,
        impressions=counts["impressions"] or 0,
        clicks=counts["clicks"] or 0,
        watch_seconds=watch,
        get_help_clicks=counts["get_help_clicks"] or 0,
        completions=counts["completions"],
        survey_responses=counts["survey_responses"],
    ), problems


def _date(value: object, context: FigureContext, report: _Report) -> date | None:
    if value is None or value == "":
        report("date", "missing")
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        report("date", "must be a date written YYYY-MM-DD")
    elif not context.start <= day <= context.end:
        report("date", f"outside the campaign period {context.start} to {context.end}")
        return None
    return day


def _member(value: object, known: Collection[str], name: str, report: _Report) -> str | None:
    if isinstance(value, str) and value in known:
        return value
    if value is None or value == "":
        report(name, "missing")
        return None
    report(name, f"unknown {name} {value!r}; known: {', '.join(sorted(known))}")
    return None


def _count(value: object, name: str, report: _Report, *, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            report(name, "missing")
        return None
    number = _whole_number(value)
    if number is None:
        report(name, "must be a whole number")
    elif number < 0:
        report(name, "cannot be negative")
        return None
    return number


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _seconds(value: object, report: _Report) -> float | None:
    if value is None or value == "":
        report("watch_seconds", "missing")
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and value:
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        report("watch_seconds", "must be a number of seconds")
        return None
    if number < 0:
        report("watch_seconds", "cannot be negative")
        return None
    return number


def _check_bounds(counts: Mapping[str, int | None], report: _Report) -> None:
    impressions = counts["impressions"]
    if impressions is None:
        return
    for name in ("clicks", "get_help_clicks", "completions"):
        value = counts[name]
        if value is not None and value > impressions:
            report(name, f"{name} ({value}) cannot exceed impressions ({impressions})")


def _problem_order(problem: RowProblem) -> tuple[int, str]:
    return (problem.line, problem.field)
