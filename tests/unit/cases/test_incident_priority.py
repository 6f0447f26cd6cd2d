"""Cases carrying an active incident's tag rise in priority; the boost ends with the incident."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.cases import intake, queues
from accord.clock import FrozenClock
from accord.flows.incidents import conclude_incident, declare_incident
from tests.factories import TEST_ACTOR, make_org

REASON = "+3 severity: linked to a declared incident"
ALL_CRITERIA = {"ongoing_event": True, "perpetrator_content": True, "depicts_murder": True, "spreading": True}


def test_active_incident_tag_raises_priority_until_concluded(session: Session, clock: FrozenClock) -> None:
    hub, provider = make_org(session, clock, "coordinator"), make_org(session, clock, "provider")
    incident = declare_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, title="Live-streamed attack",
                                level="content_incident", criteria=ALL_CRITERIA)
    tagged, _ = intake.open_or_join(session, clock, TEST_ACTOR, provider_id=provider.id, source="hash_match",
                                    content_keys=["hash:pdq:aa"])
    tagged.labels = [incident.tag]
    plain, _ = intake.open_or_join(session, clock, TEST_ACTOR, provider_id=provider.id, source="hash_match",
                                   content_keys=["hash:pdq:bb"])
    queues.triage(session, clock, tagged)
    queues.triage(session, clock, plain)
    assert REASON in tagged.score_reasons and REASON not in plain.score_reasons
    assert tagged.score > plain.score
    clock.advance(hours=6)
    conclude_incident(session, clock, TEST_ACTOR, coordinator_id=hub.id, incident_id=incident.id)
    queues.triage(session, clock, tagged)
    assert REASON not in tagged.score_reasons and tagged.score == plain.score
