"""TCAP-01 / EUR-01: a coordinator's alert is acknowledged, the worker re-checks its URL, and the moment the
content goes offline is logged with its latency and sent to the coordinator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs import webhooks
from accord.jobs.models import Job
from accord.jobs.registry import DUTIES, load_all
from accord.jobs.worker import Worker
from accord.notices import outcomes, service
from accord.notices.models import Notice
from accord.settings import Settings
from tests.factories import TEST_ACTOR
from tests.unit.notices.helpers import org, payload


class Site:
    """A host whose pages answer 200 until ``gone`` is set, then 410."""

    def __init__(self) -> None:
        self.gone = False
        self.hits = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits += 1
                self.send_response(410 if site.gone else 200)
                self.end_headers()
                self.wfile.write(b"propaganda")

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def site() -> Iterator[Site]:
    site = Site()
    threading.Thread(target=site.server.serve_forever, daemon=True).start()
    yield site
    site.server.shutdown()
    site.server.server_close()


def _run(worker: Worker, monotonic_now: float) -> None:
    """The duty queues the re-checks; the jobs fetch."""
    worker.run_duties(monotonic_now)
    worker.drain()


def _offline_events(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.tag == "notices:notice:offline")))


def test_alert_acknowledgement_offline_with_latency_logged(factory: sessionmaker[Session], clock: FrozenClock,
                                                          settings: Settings, site: Site) -> None:
    load_all()
    assert "notices.liveness" in DUTIES
    with unit_of_work(factory) as session:
        hub_handle, hub = org(session, clock, "coordinator")
        _, provider = org(session, clock, "provider")
        webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=hub_handle.id,
                                 url="http://127.0.0.1:9/hook", events=["notice.offline"])
        alert_id = service.receive(session, clock, settings, hub,
                                   payload("alert", provider.org_id, url=f"{site.url}/v/1")).id
    worker = Worker(factory, clock, settings)
    _run(worker, 1_000.0)  # first check at once: still online
    clock.advance(minutes=5)
    with unit_of_work(factory) as session:
        service.acknowledge(session, clock, provider, alert_id)
    clock.advance(minutes=20)
    site.gone = True
    _run(worker, 2_000.0)  # re-checked 25 minutes after the last check: not due yet
    assert site.hits == 1
    clock.advance(minutes=40)
    _run(worker, 3_000.0)
    assert site.hits == 2
    with factory() as session:
        notice = session.get(Notice, alert_id)
        assert notice is not None and notice.details["seconds_to_offline"] == 65 * 60
        [event] = _offline_events(session)
        assert event.subject == alert_id and event.org_id == hub_handle.id
        assert event.payload["seconds_to_ack"] == 5 * 60 and event.payload["seconds_to_offline"] == 65 * 60
        assert event.payload["verification_label"] == "verified" and event.payload["kind"] == "alert"
        [job] = session.scalars(select(Job).where(Job.kind == "webhook.deliver", Job.org_id == hub_handle.id))
        assert job.payload["event"] == "notice.offline" and job.payload["data"]["notice_id"] == alert_id
        [row] = outcomes.issuer_outcomes(session, hub)
        assert (row.offline, row.median_seconds_to_offline, row.median_seconds_to_ack) == (1, 3900.0, 300.0)
    clock.advance(hours=2)
    _run(worker, 4_000.0)  # offline content is not fetched again, nor logged twice
    assert site.hits == 2
    with factory() as session:
        assert len(_offline_events(session)) == 1


def test_orders_and_old_alerts_are_left_to_the_hand_recheck(factory: sessionmaker[Session], clock: FrozenClock,
                                                            settings: Settings, site: Site) -> None:
    with unit_of_work(factory) as session:
        _, hub = org(session, clock, "coordinator")
        _, authority = org(session, clock, "authority")
        _, provider = org(session, clock, "provider")
        service.receive(session, clock, settings, hub, payload("alert", provider.org_id, url=f"{site.url}/old"))
        clock.advance(days=31)
        service.receive(session, clock, settings, authority,
                        payload("removal_order", provider.org_id, url=f"{site.url}/order"))
    load_all()
    _run(Worker(factory, clock, settings), 1_000.0)
    assert site.hits == 0
