"""TCO Art. 3(9): an order becomes final when its redress period ends with no appeal, or on confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.identity.service import Principal
from accord.jobs.models import Job
from accord.jobs.webhooks import create_endpoint
from accord.notices import finality, service
from accord.notices.models import Notice
from accord.rights import reviews
from accord.settings import Settings
from tests.factories import TEST_ACTOR
from tests.unit.notices.helpers import org, payload

pytestmark = pytest.mark.usefixtures("session")


def _order(session: Session, clock: FrozenClock, settings: Settings, issuer: Principal, provider: Principal,
           **extra: object) -> Notice:
    return service.receive(session, clock, settings, issuer, payload("removal_order", provider.org_id, **extra))


def test_an_order_becomes_final_when_its_redress_period_ends(session: Session, clock: FrozenClock,
                                                             settings: Settings) -> None:
    _, issuer = org(session, clock, "authority", "FR")
    host_handle, host = org(session, clock, "authority", "IE")
    _, provider = org(session, clock, "provider", "IE")
    create_endpoint(session, clock, settings, TEST_ACTOR, org_id=host.org_id, url="http://127.0.0.1:9/hook")
    notice = _order(session, clock, settings, issuer, provider)  # redress: 30 days
    received = clock.now()
    clock.advance(days=29, hours=23)
    assert reviews.finalise_orders(session, clock, settings) == 0
    assert reviews.finality_of(session, settings, provider, notice.id).state == "appealable"
    clock.advance(hours=2)
    assert reviews.finalise_orders(session, clock, settings) == 1
    assert notice.final_at == received + timedelta(days=30)
    assert reviews.finalise_orders(session, clock, settings) == 0  # once
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.tag == "notices:order:final"))
    assert event.payload["basis"] == "redress_period_expired" and event.payload["host_authority_id"] == host.org_id
    told = [j.payload["event"] for j in session.scalars(select(Job).where(Job.org_id == host_handle.id))]
    assert "notice.final" in told  # Art. 3(9): the host Member State's authority is informed


def test_the_default_period_applies_when_the_order_states_none(session: Session, clock: FrozenClock,
                                                               settings: Settings) -> None:
    _, issuer = org(session, clock, "authority", "FR")
    _, provider = org(session, clock, "provider", "FR")
    notice = _order(session, clock, settings, issuer, provider)
    # Intake requires a deadline; an order stored without one (imported, or from before) falls back to the default.
    notice.details = {**notice.details, "redress": {"body": "Tribunal administratif", "deadline_days": None}}
    settings = settings.model_copy(update={"redress_default_days": 10})
    assert finality.redress_deadline(notice, settings) == notice.received_at + timedelta(days=10)
    clock.advance(days=10, seconds=1)
    assert reviews.finalise_orders(session, clock, settings) == 1


def test_a_pending_appeal_keeps_the_order_from_becoming_final(session: Session, clock: FrozenClock,
                                                              settings: Settings) -> None:
    _, issuer = org(session, clock, "authority", "FR")
    _, provider = org(session, clock, "provider", "FR")
    notice = _order(session, clock, settings, issuer, provider)
    review = reviews.record_review(session, clock, settings, provider, notice.id, brought_by="provider",
                                   body="Tribunal administratif de Paris", filed_on=clock.now())
    clock.advance(days=60)
    assert reviews.finalise_orders(session, clock, settings) == 0
    assert reviews.finality_of(session, settings, issuer, notice.id).state == "appeal_pending"
    reviews.decide_review(session, clock, settings, issuer, notice.id, review.id, outcome="amended",
                          reasons="Narrowed to one URL.")
    assert notice.final_at == clock.now()
    assert reviews.finality_of(session, settings, provider, notice.id).state == "final"


def test_referrals_never_become_final_orders(session: Session, clock: FrozenClock, settings: Settings) -> None:
    _, issuer = org(session, clock, "authority", "FR")
    _, provider = org(session, clock, "provider", "FR")
    referral = service.receive(session, clock, settings, issuer, payload("referral", provider.org_id))
    clock.advance(days=400)
    reviews.finalise_orders(session, clock, settings)
    assert referral.final_at is None
    assert reviews.finality_of(session, settings, provider, referral.id).state == "not_an_order"
