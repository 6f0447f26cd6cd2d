"""The demo seeds a year the transparency page can chart, plus live rights objects."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.demo import DemoWorld
from accord.demo import transparency as demo
from accord.identity import service as identity
from accord.rights import complaints, preservation, user_notices
from accord.settings import Settings
from accord.transparency import charts, reports

ACTOR = Actor("test:demo", None)


def test_the_demo_year_feeds_the_report(session: Session, clock: FrozenClock, settings: Settings) -> None:
    world = DemoWorld()
    for kind, slug in (("provider", "smallvideo"), ("authority", "iru"), ("trusted_flagger", "civicwatch")):
        world.orgs[slug] = identity.create_organisation(session, clock, ACTOR, kind=kind, name=slug, country="FR")
    demo.seed(session, clock, settings, world)
    provider = world.orgs["smallvideo"]
    report = reports.provider_report(session, clock, org=provider, year=clock.now().year)
    assert report["tco_art7"]["a_measures"]["decisions"] > 0
    assert report["dsa"]["orders"]["total"] > 0 and report["dsa"]["trusted_flaggers"]
    assert len(charts.report_charts(report)) == 4
    authority = reports.authority_report(session, clock, org=world.orgs["iru"], year=clock.now().year)
    assert authority["tco_art8"]["a_removal_orders"]["orders"] > 0
    assert len(complaints.queue(session, provider_id=provider.id)) == 1
    assert len(user_notices.list_notices(session, provider_id=provider.id, state="held")) == 1
    assert len(preservation.list_items(session, provider_id=provider.id)) == 3
