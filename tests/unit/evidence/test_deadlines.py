"""The worker's clocks for evidence orders, moved by the FrozenClock: escalation, breach, end of preservation,
lapse of the enforcing State's time, overdue validation, purge of packages. Each runs once, however often."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.evidence import deadlines, jobs, service
from accord.evidence.models import EvidencePackage
from accord.jobs import webhooks
from accord.jobs.models import Job
from accord.jobs.registry import DUTIES, load_all
from accord.settings import Settings
from tests.factories import TEST_ACTOR
from tests.unit.evidence.helpers import request, world


def tags(session: Session, subject: str) -> list[str]:
    session.flush()
    query = select(AuditEvent.tag).where(AuditEvent.subject == subject).order_by(AuditEvent.at)
    return [t for t in session.scalars(query) if t.startswith(("evidence:order:", "evidence:n"))]


def test_an_emergency_production_escalates_at_4h_6h24_7h36_and_breaches_after_8h(session: Session,
                                                                                  clock: FrozenClock) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id, emergency=True,
                                                              emergency_reason="imminent attack"))
    clock.advance(hours=4, seconds=-1)
    assert deadlines.run_all(session, clock) == 0
    clock.advance(seconds=1)
    assert deadlines.run_all(session, clock) == 1 and order.escalated == [50]
    clock.advance(hours=2, minutes=24)
    assert deadlines.run_all(session, clock) == 1 and order.escalated == [50, 80]
    clock.advance(hours=1, minutes=12)
    assert deadlines.run_all(session, clock) == 1 and order.escalated == [50, 80, 95]
    clock.set(order.received_at + timedelta(hours=8))
    assert deadlines.run_all(session, clock) == 0 and order.breached_at is None
    clock.advance(seconds=30)
    assert deadlines.run_all(session, clock) == 1
    assert order.breached_at == clock.now() and order.breach_seconds == 30
    assert deadlines.run_all(session, clock) == 0
    assert tags(session, order.id).count("evidence:order:escalate") == 3
    assert tags(session, order.id).count("evidence:order:breach") == 1


def test_a_ten_day_production_breaches_after_ten_days(session: Session, clock: FrozenClock,
                                                      settings: Settings) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id))
    clock.advance(days=5)
    deadlines.run_all(session, clock)
    assert order.escalated == [50]
    clock.advance(days=5, seconds=1)
    deadlines.run_all(session, clock)
    assert order.breached_at is not None and order.escalated == [50, 80, 95]
    service.answer(session, clock, settings, w.provider_p, order.id,
                   service.Answer(outcome="produce", data=b"late but produced"))
    assert order.status == "produced"


def test_preservation_ends_after_sixty_days_or_ninety_when_extended(session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    plain = service.issue(session, clock, w.issuer_p, request(w.provider.id, kind="preservation"))
    extended = service.issue(session, clock, w.issuer_p, request(w.provider.id, kind="preservation"))
    service.extend(session, clock, w.issuer_p, extended.id, reason="EPOC in preparation")
    clock.advance(days=60)
    assert deadlines.run_all(session, clock) == 0
    clock.advance(seconds=1)
    assert deadlines.run_all(session, clock) == 1
    assert (plain.status, extended.status) == ("expired", "received")
    clock.advance(days=30)
    assert deadlines.run_all(session, clock) == 1 and extended.status == "expired"
    assert "evidence:order:escalate" not in tags(session, plain.id)  # no provider time limit to escalate


def test_the_notification_lapses_after_ten_days_and_production_may_proceed(session: Session,
                                                                          clock: FrozenClock) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id, issuer_type="court",
                                                              data_categories=["traffic"]))
    clock.advance(days=10)
    deadlines.lapse_notifications(session, clock)
    assert "lapsed_at" not in order.notification
    assert service.production_gate(order, clock.now()) is None  # at the end of the 10 days (Art. 10(2))
    clock.advance(seconds=1)
    assert deadlines.lapse_notifications(session, clock) == 1
    assert deadlines.lapse_notifications(session, clock) == 0
    assert order.notification["lapsed_at"] == clock.now().isoformat()


def test_an_emergency_order_not_validated_in_96_hours_is_flagged_once(session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id, issuer_type="other", emergency=True,
                                                              emergency_reason="child in danger"))
    clock.advance(hours=96)
    assert deadlines.overdue_validations(session, clock) == 0
    clock.advance(seconds=1)
    assert deadlines.overdue_validations(session, clock) == 1
    assert deadlines.overdue_validations(session, clock) == 0
    assert "evidence:order:validation_overdue" in tags(session, order.id)


def test_packages_are_purged_after_thirty_days(session: Session, clock: FrozenClock, settings: Settings) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id))
    service.answer(session, clock, settings, w.provider_p, order.id,
                   service.Answer(outcome="produce", data=b"sealed then purged"))
    package = session.get(EvidencePackage, order.answer["package_id"])
    assert package is not None
    clock.advance(days=30, seconds=-1)
    assert deadlines.purge_packages(session, clock) == 0 and package.sealed is not None
    clock.advance(seconds=1)
    assert deadlines.purge_packages(session, clock) == 1
    assert package.sealed is None and package.purged_at == clock.now()


def test_escalations_and_the_breach_reach_the_providers_on_call_webhook(session: Session, clock: FrozenClock,
                                                                        settings: Settings) -> None:
    w = world(session, clock)
    webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=w.provider.id,
                             url="https://oncall.example.org/hook", events=["evidence.escalation", "evidence.breach"])
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id, emergency=True,
                                                              emergency_reason="imminent attack"))
    clock.advance(hours=8, seconds=1)
    deadlines.run_all(session, clock)
    session.flush()
    jobs = session.scalars(select(Job).where(Job.kind == "webhook.deliver", Job.org_id == w.provider.id))
    sent = sorted((j.payload["event"], j.payload["data"].get("percent", 0)) for j in jobs)
    assert sent == [("evidence.breach", 0), ("evidence.escalation", 50), ("evidence.escalation", 80),
                    ("evidence.escalation", 95)]
    assert all(j.payload["data"]["order_id"] == order.id
               for j in session.scalars(select(Job).where(Job.kind == "webhook.deliver")))


def test_the_worker_knows_the_duty() -> None:
    load_all()
    assert DUTIES["evidence.deadlines"][1] is jobs.deadlines
