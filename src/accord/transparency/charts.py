"""PNG charts of a transparency report, inlined as data URIs so that the page needs no network.

Matplotlib draws on an Agg canvas attached to each figure (no pyplot, no global backend), so charts are safe in
a web or worker process.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accord.figures_cache import FiguresCache, digest

_CACHE = FiguresCache(64)  # data URIs per data version: a report's figures change only with new facts
GROUNDS = {"legal": "#8c2d04", "terms": "#fdae6b"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _figure(width: float = 6.4, height: float = 3.2) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _data_uri(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@dataclass(frozen=True)
class Chart:
    """One chart of a report: its picture (None when there is nothing to draw yet) and its figures in words."""

    name: str
    title: str
    uri: str | None
    alt: str


def monthly_chart(monthly: Mapping[str, Mapping[str, int]]) -> str:
    """Restrictions per month, stacked by ground (legal versus terms)."""
    return _CACHE.get(digest("monthly", _monthly_values(monthly)), lambda: _draw_monthly(monthly))


def _monthly_values(monthly: Mapping[str, Mapping[str, int]]) -> dict[str, list[int]]:
    return {ground: [int(monthly.get(ground, {}).get(str(m), 0)) for m in range(1, 13)] for ground in GROUNDS}


def _draw_monthly(monthly: Mapping[str, Mapping[str, int]]) -> str:
    figure = _figure()
    axes = figure.add_subplot()
    bottom = [0] * 12
    for ground, values in _monthly_values(monthly).items():
        axes.bar(_MONTHS, values, bottom=bottom, label=f"{ground} ground", color=GROUNDS[ground])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title("Restrictions per month")
    axes.legend(fontsize="small")
    return _data_uri(figure)


def bar_chart(counts: Mapping[str, int | float | None], title: str) -> str:
    """One bar per key."""
    values = {k: float(v or 0) for k, v in counts.items()}
    return _CACHE.get(digest("bar", title, values), lambda: _draw_bars(values, title))


def _draw_bars(counts: Mapping[str, float], title: str) -> str:
    figure = _figure()
    axes = figure.add_subplot()
    labels = list(counts) or ["none"]
    axes.bar(labels, [counts.get(k, 0.0) for k in labels], color="#3182bd")
    axes.set_title(title)
    axes.tick_params(axis="x", labelrotation=30, labelsize="small")
    return _data_uri(figure)


def _number(value: float) -> str:
    return f"{value:g}"


def _monthly(monthly: Mapping[str, Mapping[str, int]]) -> Chart:
    values = _monthly_values(monthly)
    title = "Restrictions per month"
    if not any(sum(v) for v in values.values()):
        return Chart("monthly", title, None, f"{title}: none yet")
    words = [f"{ground} ground: " + ", ".join(f"{month} {n}" for month, n in zip(_MONTHS, counts, strict=True) if n)
             for ground, counts in values.items() if sum(counts)]
    return Chart("monthly", title, monthly_chart(monthly), f"{title} — " + "; ".join(words))


def _bars(name: str, counts: Mapping[str, int | float | None], title: str) -> Chart:
    values = {k: float(v or 0) for k, v in counts.items()}
    if not any(values.values()):
        return Chart(name, title, None, f"{title}: none yet")
    words = ", ".join(f"{k.replace('_', ' ')} {_number(v)}" for k, v in values.items())
    return Chart(name, title, bar_chart(counts, title), f"{title}: {words}")


def charts_of(report: Mapping[str, Any]) -> list[Chart]:
    """The charts a report page shows, each with its figures in words; one with nothing to show is not drawn."""
    charts = [_monthly(report.get("monthly", {}))]
    art7 = report.get("tco_art7")
    if art7:
        complaints = art7["d_complaints"]
        charts.append(_bars("complaints", {"upheld": complaints["upheld"], "reversed": complaints["reversed"],
                                           "pending": complaints["received"] - complaints["decided"]},
                            "Complaints by outcome"))
    dsa = report.get("dsa", {})
    if "orders" in dsa:
        charts.append(_bars("orders", {k: v["count"] for k, v in dsa["orders"]["by_member_state"].items()},
                            "Removal orders by Member State"))
        charts.append(_bars("notices", dsa["notices"]["by_kind"], "Notices by kind"))
    art8 = report.get("tco_art8")
    if art8:
        charts.append(_bars("orders", art8["a_removal_orders"]["by_outcome"], "Removal orders by outcome"))
    return charts


def report_charts(report: Mapping[str, Any]) -> dict[str, str]:
    """The drawn charts of a report by name (as PNG data URIs)."""
    return {c.name: c.uri for c in charts_of(report) if c.uri is not None}
