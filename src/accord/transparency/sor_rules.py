"""The Transparency Database's acceptance rules for a statement of reasons, checked independently.

Written from the database's own validation code and API documentation (``dsa_sor_fields.json``, copied from
``digital-services-act/transparency-database`` at the commit named in its ``_meta``), never from Accord's
exporter: the point is that a mistake in ``sor.py`` is caught here rather than copied. A statement that
passes ``validate_statement`` is one the API answers with ``201 Created`` (apart from a ``puid`` already used
on the platform, which only the database can know).

Where the database silently drops a field (``exclude_unless``) this validator reports it instead: a field
the API would throw away means the exporter misunderstood the format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any, Final

MAX_STATEMENTS_PER_CALL: Final = 100

# Date windows from the validation rules (notes of content_date, application_date and end_date_*).
_DATE_WINDOWS: Final = {
    "content_date": date(2000, 1, 1),
    "application_date": date(2020, 1, 1),
}
_LAST_DATE: Final = date(2038, 1, 1)
_DATE_FORMAT: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_HTTP_URL: Final = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", re.IGNORECASE)
# Laravel's TrimStrings middleware runs before validation: ASCII whitespace, BOM, zero-width space, LRM.
_TRIMMED: Final = " \t\n\r\x0b\x0c\ufeff\u200b\u200e"
_CONDITION: Final = re.compile(r"(\w+) (==|contains) (\w+)")
# Art. 24(5) and the API documentation: no personal data. E-mail and IP addresses are unambiguous.
_PERSONAL: Final = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|\b(?:\d{1,3}\.){3}\d{1,3}\b")
_FREE_TEXT: Final = (
    "decision_facts",
    "illegal_content_explanation",
    "incompatible_content_explanation",
    "illegal_content_legal_ground",
    "incompatible_content_ground",
    "source_identity",
    "decision_visibility_other",
    "content_type_other",
)
# Fields the API keeps only alongside a given value of another field.
_ONLY_WITH: Final = (
    ("incompatible_content_illegal", "decision_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT"),
    ("category_specification_other", "category_specification", "KEYWORD_OTHER"),
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the Transparency Database would refuse (or silently alter) a statement."""

    field: str
    message: str


class Kind(StrEnum):
    ENUM = "enum"
    ENUM_LIST = "enum_list"
    TEXT = "text"
    URL = "url"
    DATE = "date"
    OBJECT = "object"


@dataclass(frozen=True, slots=True)
class Condition:
    """``field == value`` or ``field contains value``."""

    field: str
    contains: bool
    value: str

    def __str__(self) -> str:
        return f"{self.field} {'contains' if self.contains else 'is'} {self.value}"

    def holds(self, body: Mapping[str, Any]) -> bool:
        actual = body.get(self.field)
        if self.contains:
            return isinstance(actual, list) and self.value in actual
        return actual == self.value


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What the API accepts for one field."""

    name: str
    kind: Kind
    required: bool
    allowed: frozenset[str]
    max_length: int | None
    pattern: re.Pattern[str] | None
    required_if: Condition | None
    required_without_all: tuple[str, ...]


# --- public API ----------------------------------------------------------------------------------------


def validate_statement(body: Any) -> list[Problem]:
    """Every problem the Transparency Database would find in one ``POST /api/v1/statement`` body."""
    if not isinstance(body, Mapping):
        return [Problem("", "the body must be a JSON object")]
    table = field_rules()
    problems = [Problem(name, "not a field of the statement API") for name in body if name not in table]
    for rule in table.values():
        problems.extend(_check_field(rule, body))
    problems.extend(_check_cross_fields(body))
    return problems


def validate_batch(body: Any) -> list[Problem]:
    """Problems of a ``POST /api/v1/statements`` body, named ``statement_<i>.<field>`` like the API does."""
    statements = body.get("statements") if isinstance(body, Mapping) else None
    if not isinstance(statements, list):
        return [Problem("statements", "the body must be an object with a 'statements' array")]
    problems = [Problem(name, "not a field of the batch API") for name in body if name != "statements"]
    if not 1 <= len(statements) <= MAX_STATEMENTS_PER_CALL:
        problems.append(Problem("statements", f"must hold 1 to {MAX_STATEMENTS_PER_CALL} statements"))
    for index, statement in enumerate(statements):
        prefix = f"statement_{index}."
        problems.extend(Problem(prefix + p.field, p.message) for p in validate_statement(statement))
    problems.extend(_duplicate_puids(statements))
    return problems


@cache
def field_rules() -> dict[str, FieldRule]:
    """The rules of every statement field, read once from the bundled reference extract."""
    raw = json.loads(files("accord.transparency").joinpath("dsa_sor_fields.json").read_text("utf-8"))
    return {name: _rule(name, spec) for name, spec in raw.items() if name != "_meta"}


def _duplicate_puids(statements: list[Any]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, statement in enumerate(statements):
        puid = statement.get("puid") if isinstance(statement, Mapping) else None
        if isinstance(puid, str) and puid in seen:
            problems.append(Problem(f"statement_{index}.puid", "is not unique within the batch"))
        if isinstance(puid, str):
            seen.add(puid)
    return problems


# --- building the rule table ----------------------------------------------------------------------------


def _rule(name: str, spec: Mapping[str, Any]) -> FieldRule:
    condition = str(spec.get("required_condition") or "")
    without_all = condition.removeprefix("required_without_all:") if "without_all" in condition else ""
    return FieldRule(
        name=name,
        kind=_kind(str(spec["type"])),
        required=bool(spec["required"]),
        allowed=frozenset(spec.get("allowed") or ()),
        max_length=spec.get("max_length"),
        pattern=re.compile(spec["pattern"].strip("^$")) if spec.get("pattern") else None,
        required_if=_condition(condition),
        required_without_all=tuple(part.strip() for part in without_all.split(",") if part.strip()),
    )


def _kind(declared: str) -> Kind:
    if declared.startswith("array"):
        return Kind.ENUM_LIST
    if declared.startswith("enum"):
        return Kind.ENUM
    if declared.startswith("date"):
        return Kind.DATE
    return {"url": Kind.URL, "object": Kind.OBJECT}.get(declared, Kind.TEXT)


def _condition(text: str) -> Condition | None:
    match = _CONDITION.fullmatch(text.strip())
    if match is None:
        return None
    return Condition(field=match[1], contains=match[2] == "contains", value=match[3])


# --- one field at a time --------------------------------------------------------------------------------


def _present(body: Mapping[str, Any], name: str) -> bool:
    """Laravel's ``required``: not missing, not null, not blank text, not an empty array."""
    value = body.get(name)
    if isinstance(value, str):
        return bool(value.strip(_TRIMMED))
    if isinstance(value, list | dict):
        return bool(value)
    return value is not None


def _check_field(rule: FieldRule, body: Mapping[str, Any]) -> list[Problem]:
    problems = _check_presence(rule, body)
    value = body.get(rule.name)
    if value is not None and not problems:
        problems.extend(Problem(rule.name, message) for message in _CHECKS[rule.kind](rule, value))
    return problems


def _check_presence(rule: FieldRule, body: Mapping[str, Any]) -> list[Problem]:
    present = _present(body, rule.name)
    if rule.required and not present:
        return [Problem(rule.name, "is required")]
    if rule.required_if is not None:
        return _check_conditional(rule, rule.required_if, body, present)
    others = rule.required_without_all
    if others and not present and not any(_present(body, other) for other in others):
        return [Problem(rule.name, f"is required when none of {', '.join(others)} is present")]
    return []


def _check_conditional(rule: FieldRule, condition: Condition, body: Mapping[str, Any], present: bool) -> list[Problem]:
    needed = condition.holds(body)
    if needed and not present:
        return [Problem(rule.name, f"is required when {condition}")]
    if not needed and rule.name in body:
        return [Problem(rule.name, f"is dropped by the API unless {condition}")]
    return []


def _enum(rule: FieldRule, value: Any) -> list[str]:
    if not isinstance(value, str) or value not in rule.allowed:
        return [f"{value!r} is not one of the allowed values"]
    return []


def _enum_list(rule: FieldRule, value: Any) -> list[str]:
    if not isinstance(value, list):
        return ["must be an array"]
    return [f"{item!r} is not one of the allowed values" for item in value if item not in rule.allowed]


def _text(rule: FieldRule, value: Any) -> list[str]:
    if not isinstance(value, str):
        return ["must be a string"]
    problems = []
    if rule.max_length is not None and len(value.strip(_TRIMMED)) > rule.max_length:
        problems.append(f"may not be longer than {rule.max_length} characters")
    if rule.pattern is not None and not rule.pattern.fullmatch(value):
        problems.append(f"must match {rule.pattern.pattern}")
    return problems


def _url(rule: FieldRule, value: Any) -> list[str]:
    problems = _text(rule, value)
    if not problems and not _HTTP_URL.fullmatch(value.strip()):
        problems.append("must be an http(s) URL")
    return problems


def _date(rule: FieldRule, value: Any) -> list[str]:
    if not isinstance(value, str) or not _DATE_FORMAT.fullmatch(value):
        return ["must be a date written YYYY-MM-DD"]
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return [f"{value} is not a calendar date"]
    first = _DATE_WINDOWS.get(rule.name, date.min)
    if not first <= day <= _LAST_DATE:
        return [f"must lie between {first} and {_LAST_DATE}"]
    return []


def _object(rule: FieldRule, value: Any) -> list[str]:
    if not isinstance(value, dict):
        return ["must be an object"]
    problems = [f"{key!r} is not an accepted identifier" for key in value if key not in rule.allowed]
    problems.extend("an EAN-13 is 13 digits" for key, item in value.items() if key == "EAN-13" and not _ean(item))
    return problems


def _ean(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 13 and value.isascii() and value.isdigit()


_CHECKS: Final[dict[Kind, Callable[[FieldRule, Any], list[str]]]] = {
    Kind.ENUM: _enum,
    Kind.ENUM_LIST: _enum_list,
    Kind.TEXT: _text,
    Kind.URL: _url,
    Kind.DATE: _date,
    Kind.OBJECT: _object,
}


# --- rules spanning several fields ----------------------------------------------------------------------


def _check_cross_fields(body: Mapping[str, Any]) -> list[Problem]:
    problems = _check_end_dates(body)
    for name, other, value in _ONLY_WITH:
        if name in body and not Condition(other, isinstance(body.get(other), list), value).holds(body):
            problems.append(Problem(name, f"is dropped by the API unless {other} has {value}"))
    if "source_identity" in body and body.get("source_type") == "SOURCE_VOLUNTARY":
        problems.append(Problem("source_identity", "is dropped by the API for SOURCE_VOLUNTARY"))
    problems.extend(_check_personal_data(body))
    return problems


def _check_end_dates(body: Mapping[str, Any]) -> list[Problem]:
    start = body.get("application_date")
    if not isinstance(start, str) or not _DATE_FORMAT.fullmatch(start):
        return []
    ends = (name for name in body if name.startswith("end_date_"))
    return [
        Problem(name, "must not be before application_date")
        for name in ends
        if isinstance(body[name], str) and _DATE_FORMAT.fullmatch(body[name]) and body[name] < start
    ]


def _check_personal_data(body: Mapping[str, Any]) -> list[Problem]:
    return [
        Problem(name, "appears to contain personal data (e-mail or IP address)")
        for name in _FREE_TEXT
        if isinstance(body.get(name), str) and _PERSONAL.search(body[name])
    ]
