from __future__ import annotations

import sys

from accord.narratives.audience import Segment, Variant
from accord.narratives.charts import format_heatmap, messenger_heatmap, rates_chart
from accord.narratives.impact import impact_report

from .test_impact import _campaign_rows

PNG = b"\x89PNG\r\n\x1a\n"


def test_charts_are_png(variants: list[Variant], segments: list[Segment]) -> None:
    report = impact_report(variants, segments, _campaign_rows())
    for chart in (rates_chart(report), messenger_heatmap(report), format_heatmap(report)):
        assert chart.startswith(PNG)
        assert len(chart) > 1000


def test_importing_charts_does_not_load_pyplot() -> None:
    assert "matplotlib.pyplot" not in sys.modules
