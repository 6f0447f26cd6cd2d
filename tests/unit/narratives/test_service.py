"""The campaign service on both databases: allocation with stopped arms, idempotent CSV imports, the demo."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.demo import DemoWorld
from accord.demo import narratives as demo
from accord.errors import InvalidInput
from accord.identity.models import Organisation
from accord.narratives import service
from accord.narratives.models import Lesson
from accord.settings import Settings
from tests.factories import make_org

PLAN: dict[str, Any] = {
    "name": "Unit",
    "variants": [{"key": "control", "control": True, "messenger": "official", "format": "text"},
                 {"key": "good", "messenger": "former_extremist", "format": "video"},
                 {"key": "bad", "messenger": "peer", "format": "text"}],
    "segments": [{"key": "fr-fr", "country": "FR", "language": "fr"}],
    "experiment": {"primary_outcome": "get_help_clicks", "min_share": 0.1},
}


def _row(day: int, variant: str, impressions: int, help_clicks: int) -> dict[str, object]:
    return {"date": f"2026-03-{day:02d}", "variant": variant, "segment": "fr-fr", "impressions": impressions,
            "clicks": impressions // 40, "watch_seconds": 10.0, "get_help_clicks": help_clicks}


def _campaign(session: Session, clock: FrozenClock, plan: dict[str, Any] | None = None) -> tuple[str, Actor]:
    org = make_org(session, clock, "civil_society")
    actor = Actor("test:unit", org.id)
    return service.create_campaign(session, clock, actor, org_id=org.id, data=plan or PLAN).id, actor


def test_fixed_allocation_keeps_control_and_drops_a_backfiring_arm(session: Session, clock: FrozenClock) -> None:
    campaign, actor = _campaign(session, clock)
    assert service.allocation(session, None, campaign)["shares"] == pytest.approx(
        {"control": 1 / 3, "good": 1 / 3, "bad": 1 / 3})
    rows = [_row(d, v, 20_000, h) for d in range(1, 8) for v, h in (("control", 60), ("good", 65), ("bad", 10))]
    service.import_figures_json(session, clock, actor, org_id=None, campaign_id=campaign, items=rows)
    split = service.allocation(session, None, campaign)
    assert split["stopped"] == ["bad"]
    assert split["shares"] == pytest.approx({"control": 0.5, "good": 0.5, "bad": 0.0})


def test_thompson_allocation_respects_the_minimum_share(session: Session, clock: FrozenClock) -> None:
    plan = {**PLAN, "experiment": {"primary_outcome": "get_help_clicks", "allocation": "thompson",
                                   "min_share": 0.15, "control_share": 0.4}}
    campaign, actor = _campaign(session, clock, plan)
    rows = [_row(d, v, 20_000, h) for d in range(1, 8) for v, h in (("control", 60), ("good", 120), ("bad", 58))]
    service.import_figures_json(session, clock, actor, org_id=None, campaign_id=campaign, items=rows)
    split = service.allocation(session, None, campaign)
    assert split["shares"]["control"] == pytest.approx(0.4)
    assert split["shares"]["bad"] >= 0.15 - 1e-9 and split["shares"]["good"] > 0.4
    assert sum(split["shares"].values()) == pytest.approx(1.0)
    assert split == service.allocation(session, None, campaign), "the same figures give the same split"


def test_csv_reimport_changes_nothing(session: Session, clock: FrozenClock) -> None:
    campaign, actor = _campaign(session, clock)
    text = "date,variant,segment,impressions,clicks,watch_seconds,get_help_clicks,completions\n" \
           "2026-03-01,control,fr-fr,100,4,12.5,1,3\n2026-03-01,good,fr-fr,100,5,40,2,\n"
    first = service.import_figures_csv(session, clock, actor, org_id=None, campaign_id=campaign, text=text)
    again = service.import_figures_csv(session, clock, actor, org_id=None, campaign_id=campaign, text=text)
    assert (first.inserted, again.inserted, again.updated, again.unchanged) == (2, 0, 0, 2)
    rows = service.figure_rows(session, campaign)
    assert [r.completions for r in rows] == [3, None]


def test_dates_outside_a_declared_period_are_refused(session: Session, clock: FrozenClock) -> None:
    campaign, actor = _campaign(session, clock, {**PLAN, "starts_on": "2026-03-01", "ends_on": "2026-03-07"})
    with pytest.raises(InvalidInput) as caught:
        service.import_figures_json(session, clock, actor, org_id=None, campaign_id=campaign,
                                    items=[_row(8, "control", 10, 0)])
    assert caught.value.extra["problems"] == [
        {"line": 1, "field": "date", "message": "outside the campaign period 2026-03-01 to 2026-03-07"}]


def test_the_demo_campaign_shows_real_results(session: Session, clock: FrozenClock, settings: Settings) -> None:
    clock.set(datetime(2026, 3, 2, 10, tzinfo=UTC))
    org = make_org(session, clock, "civil_society", name="Voices demo test")
    voices = session.get(Organisation, org.id)
    assert voices is not None
    world = DemoWorld(orgs={"voices": voices})
    demo.seed(session, clock, settings, world)
    [campaign] = service.list_campaigns(session, org.id)
    report = service.impact(session, org.id, campaign.id)
    assert len(service.variants_of(session, campaign.id)) == 4
    assert report["totals"]["days"] == demo.DAYS
    assert any(c["suppressed"] for c in report["cells"]) and not all(c["suppressed"] for c in report["cells"])
    assert report["segment_ranking"][0]["rank"] == 1
    assert session.scalars(select(Lesson)).one().publisher == "Voices demo test"
    assert service.chart(session, org.id, campaign.id, "rates").startswith(b"\x89PNG")
