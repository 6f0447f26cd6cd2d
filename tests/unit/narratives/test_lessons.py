"""Publishing lessons: only anonymised aggregates leave a campaign, and publishing again is audited."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.narratives import lessons, service
from tests.factories import make_org

PLAN = {
    "name": "Private name",
    "message": "a message text that stays private",
    "variants": [{"key": "control", "control": True, "messenger": "official", "format": "text"},
                 {"key": "former", "messenger": "former_extremist", "format": "video", "message": "secret script"}],
    "segments": [{"key": "fr-fr", "country": "FR", "language": "fr", "region": "Seine-Saint-Denis",
                  "keywords": ["rejoindre le califat"]}],
}


def test_only_aggregates_are_published_and_republishing_is_audited(session: Session, clock: FrozenClock) -> None:
    org = make_org(session, clock, "civil_society", name="Quiet NGO")
    actor = Actor("test:unit", org.id)
    campaign = service.create_campaign(session, clock, actor, org_id=org.id, data=PLAN)
    rows = [{"date": "2026-03-01", "variant": v, "segment": "fr-fr", "impressions": 5000, "clicks": c,
             "watch_seconds": 100.0, "get_help_clicks": 3} for v, c in (("control", 100), ("former", 150))]
    service.import_figures_json(session, clock, actor, org_id=org.id, campaign_id=campaign.id, items=rows)
    first = lessons.publish(session, clock, actor, org_id=org.id, campaign_id=campaign.id, title="Video",
                            lessons="Video beat text.")
    text = json.dumps({"summary": first.summary, "results": first.results})
    for private in ("Seine-Saint-Denis", "rejoindre", "secret script", "stays private", "Quiet NGO", org.id):
        assert private not in text
    assert first.publisher is None
    assert lessons.lesson_chart(session, campaign.id, "messengers").startswith(b"\x89PNG")

    clock.advance(days=1)
    again = lessons.publish(session, clock, actor, org_id=org.id, campaign_id=campaign.id, title="Video (2)",
                            lessons="Still true.", name_organisation=True)
    assert again.id == first.id and again.publisher == "Quiet NGO"
    payloads = [e.payload for e in session.scalars(select(AuditEvent).where(
        AuditEvent.tag == "narratives:lesson:publish").order_by(AuditEvent.seq))]
    assert [p["republished"] for p in payloads] == [False, True]
    assert [lesson.title for lesson in lessons.list_lessons(session)] == ["Video (2)"]
