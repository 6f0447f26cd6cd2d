"""The dashboard: pending per queue, oldest waiting, orders at risk, median time, who decided."""

from __future__ import annotations

from accord.cases import dashboard, decisions
from accord.flows import decisions as flows
from tests.unit.cases.conftest import Provider


def test_dashboard_figures(provider: Provider) -> None:
    p = provider
    old = p.case("old", ["hash_match"])
    p.case("order", ["removal_order"], deadline_minutes=15)
    p.case("later", ["removal_order"], deadline_minutes=55)
    for key, minutes in (("d1", 10), ("d2", 30)):
        case = p.case(key, ["hash_match"])
        p.clock.advance(minutes=minutes)
        flows.decide(p.session, p.clock, p.admin, case.id, decisions.DecisionInput(
            action="remove", ground="TCO Art. 2(7)", facts="x", automated_decision=key == "d1"))
    figures = dashboard.dashboard(p.session, p.clock, p.id)
    assert sum(q["pending"] for q in figures["pending"]) == 3
    assert figures["oldest_waiting"]["case_id"] == old.id
    soon, later = figures["removal_orders_at_risk"]
    assert soon["breach"] is True  # 15 minutes were given, 40 have passed
    assert later["breach"] is False and 0 < later["seconds_left"] <= 20 * 60  # inside the risk window
    assert figures["median_seconds_to_decision"] == (10 * 60 + 30 * 60) / 2
    assert figures["decisions_per_reviewer"] == [{"reviewer": p.admin.ref, "decisions": 2}]
    assert figures["automated"] == {"automated": 1, "manual": 1}
