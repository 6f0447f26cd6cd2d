"""A report as JSON, as CSV (one row per figure) and as a self-contained HTML page with charts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from importlib.resources import files
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape

from accord.errors import InvalidInput
from accord.transparency.charts import charts_of

FORMATS: Final = ("json", "csv", "html")


def to_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted path, scalar)`` for every figure of a nested report; list items are numbered."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from flatten(item, f"{path}[{index}]")
    else:
        yield path, value


def to_csv(report: Mapping[str, Any]) -> str:
    """``figure,value`` rows: machine-readable, and readable in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["figure", "value"])
    writer.writerows((key, "" if value is None else value) for key, value in flatten(report))
    return buffer.getvalue()


def _environment() -> Environment:
    folder = str(files("accord.web").joinpath("templates"))
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]))


def to_html(report: Mapping[str, Any]) -> str:
    """A standalone page (no network: charts are inline PNG data URIs)."""
    template = _environment().get_template("transparency/standalone.html")
    return template.render(report=report, charts=charts_of(report), rows=list(flatten(report)))


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInput(f"the format is one of {', '.join(FORMATS)}", field="format")


def render(report: Mapping[str, Any], fmt: str) -> str:
    """The report in ``fmt`` (json, csv or html)."""
    check_format(fmt)
    renderers = {"json": to_json, "csv": to_csv, "html": to_html}
    return renderers[fmt](report)
