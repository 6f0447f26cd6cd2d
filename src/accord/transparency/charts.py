"""PNG charts of a transparency report, inlined as data URIs so that the page needs no network.

Matplotlib draws on an Agg canvas attached to each figure (no pyplot, no global backend), so charts are safe in
a web or worker process.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

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


def monthly_chart(monthly: Mapping[str, Mapping[str, int]]) -> str:
    """Restrictions per month, stacked by ground (legal versus terms)."""
    figure = _figure()
    axes = figure.add_subplot()
    bottom = [0] * 12
    for ground, colour in (("legal", "#8c2d04"), ("terms", "#fdae6b")):
        values = [int(monthly.get(ground, {}).get(str(m), 0)) for m in range(1, 13)]
        axes.bar(_MONTHS, values, bottom=bottom, label=f"{ground} ground", color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title("Restrictions per month")
    axes.legend(fontsize="small")
    return _data_uri(figure)


def bar_chart(counts: Mapping[str, int | float | None], title: str) -> str:
    """One bar per key."""
    figure = _figure()
    axes = figure.add_subplot()
    labels = list(counts) or ["none"]
    axes.bar(labels, [float(counts.get(k) or 0) for k in labels], color="#3182bd")
    axes.set_title(title)
    axes.tick_params(axis="x", labelrotation=30, labelsize="small")
    return _data_uri(figure)


def report_charts(report: Mapping[str, Any]) -> dict[str, str]:
    """The charts a report page shows, by name."""
    charts = {"monthly": monthly_chart(report.get("monthly", {}))}
    art7 = report.get("tco_art7")
    if art7:
        complaints = art7["d_complaints"]
        charts["complaints"] = bar_chart(
            {"upheld": complaints["upheld"], "reversed": complaints["reversed"],
             "pending": complaints["received"] - complaints["decided"]}, "Complaints by outcome")
    dsa = report.get("dsa", {})
    if "orders" in dsa:
        charts["orders"] = bar_chart({k: v["count"] for k, v in dsa["orders"]["by_member_state"].items()},
                                     "Removal orders by Member State")
        charts["notices"] = bar_chart(dsa["notices"]["by_kind"], "Notices by kind")
    art8 = report.get("tco_art8")
    if art8:
        charts["orders"] = bar_chart(art8["a_removal_orders"]["by_outcome"], "Removal orders by outcome")
    return charts
