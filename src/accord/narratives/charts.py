"""PNG charts of an impact report, for the campaign page and exported reports.

The charts draw only what the report publishes: suppressed cells stay empty (marked "n<10"), so a
chart can never reveal more than the table beside it. Matplotlib is imported inside the functions and draws
on an Agg canvas attached to each figure, without pyplot or ``matplotlib.use``, so importing this module
changes no global backend and charts are safe to draw in a web or worker process.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from accord.narratives.impact import GroupCell, ImpactCell, ImpactReport

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_DPI = 100


def rates_chart(report: ImpactReport, *, title: str = "Click-through rate with 95% interval") -> bytes:
    """Grouped bars per segment, one bar per variant, with Wilson intervals as error bars."""
    figure = _new_figure(width=max(6.0, 1.2 * len(_segments(report.cells)) + 3))
    axes = figure.add_subplot()
    segments = _segments(report.cells)
    variants = list(dict.fromkeys(cell.variant for cell in report.cells))
    width = 0.8 / max(1, len(variants))
    for index, variant in enumerate(variants):
        cells = {c.segment: c for c in report.cells if c.variant == variant}
        positions = [s + (index - (len(variants) - 1) / 2) * width for s in range(len(segments))]
        heights, errors = _bars([cells.get(segment) for segment in segments])
        axes.bar(positions, heights, width, yerr=errors, capsize=3, label=variant)
        _mark_suppressed(axes, positions, [cells.get(segment) for segment in segments], report.threshold)
    axes.set_xticks(range(len(segments)), segments)
    axes.set_ylabel("rate")
    axes.set_title(title)
    axes.legend(fontsize="small")
    return _png(figure)


def messenger_heatmap(report: ImpactReport, *, title: str = "Rate by messenger and segment") -> bytes:
    """A messenger-type by segment heatmap of rates; suppressed cells are left blank."""
    return _heatmap(report.messenger_by_segment, title, report.threshold)


def format_heatmap(report: ImpactReport, *, title: str = "Rate by format and segment") -> bytes:
    """A format by segment heatmap of rates; suppressed cells are left blank."""
    return _heatmap(report.format_by_segment, title, report.threshold)


def _heatmap(table: Sequence[GroupCell], title: str, threshold: int) -> bytes:
    groups = list(dict.fromkeys(cell.group for cell in table))
    segments = list(dict.fromkeys(cell.segment for cell in table))
    values = [[math.nan] * len(segments) for _ in groups]
    for cell in table:
        if cell.rate is not None:
            values[groups.index(cell.group)][segments.index(cell.segment)] = cell.rate
    figure = _new_figure(width=max(5.0, 1.1 * len(segments) + 3), height=max(3.0, 0.6 * len(groups) + 2))
    axes = figure.add_subplot()
    image = axes.imshow(values, cmap="viridis", aspect="auto")
    axes.set_xticks(range(len(segments)), segments)
    axes.set_yticks(range(len(groups)), groups)
    for row, line in enumerate(values):
        for column, value in enumerate(line):
            label = f"n<{threshold}" if math.isnan(value) else f"{value:.2%}"
            axes.text(column, row, label, ha="center", va="center", fontsize="small", color="white")
    figure.colorbar(image, ax=axes, label="rate")
    axes.set_title(title)
    return _png(figure)


def _segments(cells: Sequence[ImpactCell]) -> list[str]:
    return list(dict.fromkeys(cell.segment for cell in cells))


def _bars(cells: Sequence[ImpactCell | None]) -> tuple[list[float], list[list[float]]]:
    """Bar heights and asymmetric error bars; unpublished cells are drawn as empty bars."""
    heights: list[float] = []
    below: list[float] = []
    above: list[float] = []
    for cell in cells:
        if cell is None or cell.rate is None or cell.ci_low is None or cell.ci_high is None:
            heights.append(0.0)
            below.append(0.0)
            above.append(0.0)
            continue
        heights.append(cell.rate)
        below.append(cell.rate - cell.ci_low)
        above.append(cell.ci_high - cell.rate)
    return heights, [below, above]


def _mark_suppressed(
    axes: Axes, positions: Sequence[float], cells: Sequence[ImpactCell | None], threshold: int
) -> None:
    for position, cell in zip(positions, cells, strict=True):
        if cell is None or cell.suppressed:
            axes.text(position, 0, f"n<{threshold}", ha="center", va="bottom", fontsize="x-small", rotation=90)


def _new_figure(*, width: float, height: float = 4.0) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
