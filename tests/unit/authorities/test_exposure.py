"""TCO Art. 5(4)-(7): exposure decisions on final orders, reports due in three months then yearly, review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.authorities import exposure
from accord.clock import FrozenClock
from accord.errors import Conflict, NotFound, PermissionDenied
from accord.identity.service import Principal
from accord.notices import service
from accord.rights import reviews
from accord.settings import Settings
from tests.unit.notices.helpers import org, payload

pytestmark = pytest.mark.usefixtures("session")


def _final_orders(session: Session, clock: FrozenClock, settings: Settings, issuer: Principal,
                  provider: Principal, count: int) -> None:
    for n in range(count):
        service.receive(session, clock, settings, issuer, payload("removal_order", provider.org_id,
                                                                  url=f"https://v.example/{n}"))
    clock.advance(days=31)
    reviews.finalise_orders(session, clock, settings)


@pytest.fixture
def parties(session: Session, clock: FrozenClock) -> tuple[Principal, Principal, Principal]:
    clock.set(datetime(2026, 5, 31, 12, tzinfo=UTC))
    _, issuer = org(session, clock, "authority", "FR")
    _, host = org(session, clock, "authority", "IE")
    _, provider = org(session, clock, "provider", "IE")
    return issuer, host, provider


def test_two_final_orders_in_twelve_months_allow_a_decision(session: Session, clock: FrozenClock, settings: Settings,
                                                            parties: tuple[Principal, Principal, Principal]) -> None:
    issuer, host, provider = parties
    _final_orders(session, clock, settings, issuer, provider, 1)
    with pytest.raises(Conflict) as one:
        exposure.decide_exposure(session, clock, host, provider_id=provider.org_id, reasons="Repeated orders.")
    assert "1 final removal order" in one.value.detail
    _final_orders(session, clock, settings, issuer, provider, 1)
    with pytest.raises(PermissionDenied):  # the issuing authority is not the provider's host authority
        exposure.decide_exposure(session, clock, issuer, provider_id=provider.org_id, reasons="Repeated orders.")
    decision = exposure.decide_exposure(session, clock, host, provider_id=provider.org_id, reasons="Two orders.")
    assert len(decision.final_order_ids) == 2 and decision.state == "active"
    clock.advance(days=400)  # a year later the orders have aged out of the window
    assert exposure.final_orders(session, clock, provider.org_id) == []


def test_other_objective_factors_may_ground_a_decision(session: Session, clock: FrozenClock, settings: Settings,
                                                       parties: tuple[Principal, Principal, Principal]) -> None:
    _, host, provider = parties
    decision = exposure.decide_exposure(session, clock, host, provider_id=provider.org_id, reasons="Exposed.",
                                        other_factors="Europol reports 40 referrals about the service this year.")
    assert decision.final_order_ids == [] and "Europol" in decision.reasons


def test_reports_are_due_in_three_months_then_yearly(session: Session, clock: FrozenClock, settings: Settings,
                                                     parties: tuple[Principal, Principal, Principal]) -> None:
    issuer, host, provider = parties
    _final_orders(session, clock, settings, issuer, provider, 2)  # now 1 July 2026
    decision = exposure.decide_exposure(session, clock, host, provider_id=provider.org_id, reasons="Two orders.")
    due = exposure.report_due(decision, clock.now())
    assert due.next_due == datetime(2026, 10, 1, 12, tzinfo=UTC) and not due.overdue
    clock.set(datetime(2026, 10, 2, tzinfo=UTC))
    assert exposure.report_due(decision, clock.now()).overdue
    assert exposure.count_overdue(session, clock, host.org_id) == 1
    exposure.submit_report(session, clock, provider, decision.id, measures="Hash matching with human review.")
    assert decision.reports[0]["late"] is True
    assert exposure.report_due(decision, clock.now()).next_due == datetime(2027, 10, 1, 12, tzinfo=UTC)
    assert exposure.count_overdue(session, clock, host.org_id) == 0
    exposure.require_measures(session, clock, host, decision.id, text="Add a user flagging tool.")
    with pytest.raises(PermissionDenied):
        exposure.require_measures(session, clock, provider, decision.id, text="Nothing.")
    tags = list(session.scalars(select(AuditEvent.tag).where(AuditEvent.tag.like("authorities:%"))
                                .order_by(AuditEvent.seq)))
    assert tags == ["authorities:exposure:decide", "authorities:exposure:report", "authorities:exposure:require"]


def test_a_review_is_decided_within_three_months_and_revocation_ends_reporting(
    session: Session, clock: FrozenClock, settings: Settings, parties: tuple[Principal, Principal, Principal]
) -> None:
    _, host, provider = parties
    decision = exposure.decide_exposure(session, clock, host, provider_id=provider.org_id, reasons="Exposed.",
                                        other_factors="Referrals.")
    exposure.request_review(session, clock, provider, decision.id, reason="We deployed hash matching.")
    assert decision.review["decide_by"] == datetime(2026, 8, 31, 12, tzinfo=UTC).isoformat()
    with pytest.raises(Conflict):
        exposure.request_review(session, clock, provider, decision.id, reason="Again.")
    clock.advance(days=100)
    exposure.decide_review(session, clock, host, decision.id, outcome="revoked", reasons="Measures suffice.")
    assert decision.review["late"] is True and decision.state == "revoked"
    assert exposure.report_due(decision, clock.now()).next_due is None
    with pytest.raises(Conflict):
        exposure.submit_report(session, clock, provider, decision.id, measures="Late report.")


def test_another_organisation_does_not_see_a_decision(session: Session, clock: FrozenClock,
                                                      parties: tuple[Principal, Principal, Principal]) -> None:
    issuer, host, provider = parties
    decision = exposure.decide_exposure(session, clock, host, provider_id=provider.org_id, reasons="Exposed.",
                                        other_factors="Referrals.")
    with pytest.raises(NotFound):
        exposure.get_decision(session, issuer, decision.id)
    assert exposure.list_decisions(session, provider) == [decision]


@pytest.mark.parametrize(("start", "months", "expected"), [
    (datetime(2026, 11, 30, tzinfo=UTC), 3, datetime(2027, 2, 28, tzinfo=UTC)),
    (datetime(2027, 11, 30, tzinfo=UTC), 3, datetime(2028, 2, 29, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 15, datetime(2027, 4, 15, tzinfo=UTC)),
])
def test_months_are_calendar_months(start: datetime, months: int, expected: datetime) -> None:
    assert exposure.add_months(start, months) == expected
    assert expected - start > timedelta(days=27 * months)


def test_the_demo_shows_final_orders_and_a_pending_review(session: Session, clock: FrozenClock,
                                                          settings: Settings) -> None:
    from accord import demo
    from accord.notices.models import Notice

    world = demo.seed(session, clock, settings)
    assert world is not None
    forum = world.orgs["forumnest"]
    assert len(exposure.final_orders(session, clock, forum.id)) == 2
    pending = session.scalars(select(Notice).where(Notice.reference == "FR-IRU-2026-0035")).one()
    assert pending.final_at is None
