"""TCO Art. 14(5): an imminent threat goes at once to the authorities of the Member State concerned; where no
state can be identified, to those where the provider is established and to Europol."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.identity.service import Principal
from accord.jobs import webhooks
from accord.jobs.models import Job
from accord.notices import service, threat
from accord.settings import Settings
from tests.factories import TEST_ACTOR, OrgHandle, make_org
from tests.unit.notices.helpers import org, payload

pytestmark = pytest.mark.usefixtures("session")


@pytest.fixture
def police(session: Session, clock: FrozenClock, settings: Settings) -> dict[str, OrgHandle]:
    """Law enforcement in Germany and France, and Europol (a Union body: country EU), each with a webhook."""
    handles = {country: make_org(session, clock, "authority", country=country) for country in ("DE", "FR", "EU")}
    for handle in handles.values():
        webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=handle.id,
                                 url="http://127.0.0.1:9/hook", events=["threat.imminent"])
    return handles


def _told(session: Session) -> set[str | None]:
    jobs = session.scalars(select(Job).where(Job.kind == "webhook.deliver"))
    return {job.org_id for job in jobs if job.payload["event"] == "threat.imminent"}


def test_a_report_naming_no_state_reaches_the_establishment_state_and_europol(
        session: Session, clock: FrozenClock, settings: Settings, police: dict[str, OrgHandle]) -> None:
    _, provider = org(session, clock, "provider", "DE")
    report = service.receive(session, clock, settings, None, payload("user_report", provider.org_id),
                             address="203.0.113.7")
    done = threat.escalate_threat(session, clock, provider, report.id, details="Names a school and a time.")
    assert (done.member_state, done.identified, done.europol) == ("DE", False, True)
    assert {c.org_id for c in done.contacts} == {police["DE"].id, police["EU"].id}
    assert _told(session) == {police["DE"].id, police["EU"].id}
    event = session.scalar(select(AuditEvent).where(AuditEvent.tag == "notices:threat:escalate"))
    assert event is not None and event.at == clock.now() and event.subject == report.id
    assert event.payload["europol"] is True and event.payload["identified"] is False
    assert set(event.payload["contacts"]) == {police["DE"].id, police["EU"].id}


def test_an_order_reaches_the_authorities_of_its_member_state_only(
        session: Session, clock: FrozenClock, settings: Settings, police: dict[str, OrgHandle]) -> None:
    _, provider = org(session, clock, "provider", "DE")
    iru_handle, iru = org(session, clock, "authority", "FR")
    order = service.receive(session, clock, settings, iru, payload("removal_order", provider.org_id))
    done = threat.escalate_threat(session, clock, provider, order.id, details="A date and a place.")
    assert (done.member_state, done.identified, done.europol) == ("FR", True, False)
    assert {c.org_id for c in done.contacts} == {police["FR"].id, iru_handle.id}
    assert _told(session) == {police["FR"].id}  # the issuing unit has no webhook for it here


def test_a_provider_outside_every_state_still_reaches_europol(
        session: Session, clock: FrozenClock, settings: Settings, police: dict[str, OrgHandle]) -> None:
    handle = make_org(session, clock, "provider", country="CH")
    provider = Principal(org_id=handle.id, org_kind="provider", ref="test:provider",
                         scopes=org(session, clock, "provider")[1].scopes)
    report = service.receive(session, clock, settings, None, payload("user_report", handle.id),
                             address="203.0.113.8")
    done = threat.escalate_threat(session, clock, provider, report.id, details="A threat.")
    assert [c.org_id for c in done.contacts] == [police["EU"].id] and done.europol
