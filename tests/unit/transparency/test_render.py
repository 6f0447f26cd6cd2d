"""Report formats: JSON, CSV (one row per figure) and a self-contained HTML page with inline PNG charts."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from accord.clock import FrozenClock
from accord.errors import InvalidInput
from accord.transparency import render, reports
from tests.factories import make_org
from tests.unit.transparency import history


def _report(session: Session, clock: FrozenClock) -> dict[str, object]:
    provider = make_org(session, clock, "provider")
    clock.set(datetime(2026, 6, 1, tzinfo=UTC))
    history.decision(session, clock, provider.id)
    history.notice(session, clock, provider_id=provider.id, issuer_id="x", kind="removal_order",
                   seconds_to_ack=60, outcome="removed", seconds_to_act=600)
    return reports.report_for(session, clock, org_id=provider.id, year=2026)


def test_json_round_trips(session: Session, clock: FrozenClock) -> None:
    report = _report(session, clock)
    assert json.loads(render.render(report, "json")) == report


def test_csv_has_one_row_per_figure(session: Session, clock: FrozenClock) -> None:
    rows = list(csv.reader(io.StringIO(render.render(_report(session, clock), "csv"))))
    assert rows[0] == ["figure", "value"]
    figures = dict(rows[1:])
    assert figures["tco_art7.a_measures.decisions"] == "1"
    assert figures["dsa.orders.by_member_state.FR.median_seconds_to_act"] == "600.0"


def test_html_is_self_contained_with_charts(session: Session, clock: FrozenClock) -> None:
    page = render.render(_report(session, clock), "html")
    assert page.count('src="data:image/png;base64,') >= 2
    assert "Complaints by outcome: no data yet." in page  # no complaint yet: said, not drawn as empty axes
    assert "http://" not in page and "https://" not in page
    assert "tco_art7.g_reinstated_after_complaint" in page


def test_unknown_formats_are_refused(session: Session, clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput):
        render.render(_report(session, clock), "pdf")
