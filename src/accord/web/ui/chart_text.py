"""Charts said in words: the alt text of each chart states its figures, and an empty chart is not drawn at all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_ITEMS = 24  # beyond this the table under the chart says the rest


@dataclass(frozen=True)
class ChartText:
    name: str
    title: str
    alt: str
    has_data: bool


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _listed(items: Sequence[str]) -> str:
    shown = "; ".join(items[:MAX_ITEMS])
    return shown + (f"; and {len(items) - MAX_ITEMS} more in the table below" if len(items) > MAX_ITEMS else "")


def _cell_text(cell: Mapping[str, Any], key: str) -> str:
    if cell.get("suppressed"):
        return f"{cell[key]} in {cell['segment']}: suppressed (too few clicks)"
    return f"{cell[key]} in {cell['segment']}: {_pct(cell.get('rate'))}"


def campaign_charts(report: Mapping[str, Any]) -> list[ChartText]:
    """The campaign's three charts (``accord.narratives.service.CHARTS``), each with its figures in words."""
    cells = list(report.get("cells", []))
    has_data = any(c.get("impressions") for c in cells)
    rates = [f"{_cell_text(c, 'variant')} (95% interval {_pct(c.get('ci_low'))} to {_pct(c.get('ci_high'))})"
             if not c.get("suppressed") else _cell_text(c, "variant") for c in cells]
    return [
        ChartText("rates", "Click-through rate with 95% interval",
                  "Click-through rate per variant and segment: " + _listed(rates), has_data),
        ChartText("messengers", "Rate by messenger and segment", "Rate by messenger and segment: " + _listed(
            [_cell_text(g, "group") for g in report.get("messenger_by_segment", [])]), has_data),
        ChartText("formats", "Rate by format and segment", "Rate by format and segment: " + _listed(
            [_cell_text(g, "group") for g in report.get("format_by_segment", [])]), has_data),
    ]
