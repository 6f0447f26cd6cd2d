"""A case escalated for an imminent threat reaches the authorities at once (TCO Art. 14(5)), not only the
provider's own on-call system: the Member State concerned, or the establishment state and Europol."""

from __future__ import annotations

from sqlalchemy import select

from accord.audit.models import AuditEvent
from accord.cases import escalation
from accord.jobs import webhooks
from accord.jobs.models import Job
from accord.settings import Settings
from tests.factories import TEST_ACTOR, make_org
from tests.unit.cases.conftest import Provider


def _police(p: Provider, settings: Settings) -> dict[str, str]:
    ids = {}
    for country in ("FR", "BE", "EU"):
        handle = make_org(p.session, p.clock, "authority", country=country)
        webhooks.create_endpoint(p.session, p.clock, settings, TEST_ACTOR, org_id=handle.id,
                                 url="http://127.0.0.1:9/hook", events=["threat.imminent"])
        ids[country] = handle.id
    return ids


def _told(p: Provider) -> set[str | None]:
    jobs = p.session.scalars(select(Job).where(Job.kind == "webhook.deliver"))
    return {job.org_id for job in jobs if job.payload["event"] == "threat.imminent"}


def test_a_case_in_no_known_state_reaches_the_establishment_state_and_europol(provider: Provider,
                                                                              settings: Settings) -> None:
    p = provider  # established in FR
    police = _police(p, settings)
    case = p.case("threat", ["user_report"])
    escalation.escalate(p.session, p.clock, p.admin, case.id, to="law_enforcement", reason="names a school")
    assert _told(p) == {police["FR"], police["EU"]}
    event = p.session.scalar(select(AuditEvent).where(AuditEvent.tag == "cases:case:escalate"))
    assert event is not None and event.at == p.clock.now()
    assert event.payload["europol"] is True and event.payload["identified"] is False
    assert set(event.payload["contacts"]) == {police["FR"], police["EU"]}


def test_a_case_with_its_member_state_reaches_that_state_only(provider: Provider, settings: Settings) -> None:
    p = provider
    police = _police(p, settings)
    case = p.case("threat", ["user_report"], jurisdiction="BE")
    escalation.escalate(p.session, p.clock, p.admin, case.id, to="law_enforcement", reason="names a date")
    assert _told(p) == {police["BE"]}
    event = p.session.scalar(select(AuditEvent).where(AuditEvent.tag == "cases:case:escalate"))
    assert event is not None and event.payload["europol"] is False and event.payload["member_state"] == "BE"
