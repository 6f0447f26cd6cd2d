"""A report's charts state their figures in words and are not drawn when there is nothing to show."""

from __future__ import annotations

import time

from accord.transparency import charts

REPORT = {"monthly": {"legal": {"1": 2, "3": 1}, "terms": {"3": 4}},
          "tco_art8": {"a_removal_orders": {"by_outcome": {"removed": 5, "cannot_comply": 1}}}}


def test_alt_text_states_the_figures() -> None:
    found = {c.name: c for c in charts.charts_of(REPORT)}
    assert found["monthly"].alt == "Restrictions per month — legal ground: Jan 2, Mar 1; terms ground: Mar 4"
    assert found["orders"].alt == "Removal orders by outcome: removed 5, cannot comply 1"
    assert all(c.uri and c.uri.startswith("data:image/png;base64,") for c in found.values())


def test_an_empty_chart_says_no_data_instead_of_drawing_axes() -> None:
    empty = charts.charts_of({"monthly": {}, "tco_art8": {"a_removal_orders": {"by_outcome": {}}}})
    assert [(c.uri, c.alt) for c in empty] == [(None, "Restrictions per month: none yet"),
                                               (None, "Removal orders by outcome: none yet")]


def test_the_same_figures_are_drawn_once() -> None:
    figures = {"monthly": {"legal": {"7": 3}}}
    first = charts.charts_of(figures)[0].uri
    started = time.perf_counter()
    again = charts.charts_of(figures)[0].uri
    assert again == first and time.perf_counter() - started < 0.05  # drawing takes ~100 ms or more
    assert charts.charts_of({"monthly": {"legal": {"7": 4}}})[0].uri != first  # new figures, a new chart
