"""The worker runs the one-hour clock as a periodic duty; escalations reach the provider's on-call webhook."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs import webhooks
from accord.jobs.models import Job
from accord.jobs.registry import DUTIES, load_all
from accord.jobs.worker import Worker
from accord.notices import service
from accord.settings import Settings
from tests.factories import TEST_ACTOR
from tests.unit.notices.helpers import org, payload


def test_the_deadline_duty_escalates_through_the_worker(factory: sessionmaker[Session], clock: FrozenClock,
                                                        settings: Settings) -> None:
    load_all()
    assert "notices.deadlines" in DUTIES
    with unit_of_work(factory) as session:
        _, authority = org(session, clock, "authority")
        provider, _ = org(session, clock, "provider")
        webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=provider.id,
                                 url="http://127.0.0.1:9/hook", events=["notice.escalation"])
        service.receive(session, clock, settings, authority, payload("removal_order", provider.id))
    clock.advance(minutes=31)
    worker = Worker(factory, clock, settings)
    assert worker.run_duties(1_000.0) >= 2
    worker.run_duties(2_000.0)  # a second pass must not escalate again
    with factory() as session:
        jobs = session.scalars(select(Job).where(Job.kind == "webhook.deliver")).all()
        minutes = sorted(j.payload["data"]["minutes"] for j in jobs)
    assert minutes == [15, 30]
