"""The one-hour clock, the first-order rule, pause and fresh window, non-disclosure, deconfliction and holds,
with a FrozenClock (nothing sleeps)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.cases.models import Case
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited
from accord.flows import decisions as flows
from accord.identity.service import Principal
from accord.jobs.models import Job
from accord.notices import feedback, service
from accord.notices.deadlines import check_deadlines
from accord.notices.models import Notice
from accord.settings import Settings
from tests.unit.notices.helpers import org, payload

pytestmark = pytest.mark.usefixtures("session")


def answer(session: Session, clock: FrozenClock, principal: Principal, notice_id: str, **given: str) -> Notice:
    """The provider's direct answer, through the one decision flow (as the API, the inbox and the CLI)."""
    return flows.answer_notice(session, clock, principal, notice_id, flows.Answer(**given))  # type: ignore[arg-type]


def _events(session: Session, tag: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.tag == tag).order_by(AuditEvent.seq)))


@pytest.fixture
def parties(session: Session, clock: FrozenClock) -> tuple[Principal, Principal]:
    _, authority = org(session, clock, "authority", "FR")
    _, provider = org(session, clock, "provider", "FR")
    return authority, provider


def _order(session: Session, clock: FrozenClock, settings: Settings, authority: Principal, provider: Principal,
           **extra: object) -> str:
    return service.receive(session, clock, settings, authority, payload("removal_order", provider.org_id,
                                                                         **extra)).id


def test_acted_at_59_minutes_is_within_the_hour(session: Session, clock: FrozenClock, settings: Settings,
                                                parties: tuple[Principal, Principal]) -> None:
    authority, provider = parties
    notice_id = _order(session, clock, settings, authority, provider)
    clock.advance(minutes=59)
    assert check_deadlines(session, clock) == 3  # escalations at 15, 30 and 45; no breach
    notice = answer(session, clock, provider, notice_id, outcome="removed")
    assert notice.breached_at is None and notice.status == "answered"
    [event] = _events(session, "notices:notice:outcome")
    assert event.payload["breach"] is False and event.payload["seconds_to_act"] == 59 * 60
    assert [e.payload["minutes"] for e in _events(session, "notices:notice:escalate")] == [15, 30, 45]
    clock.advance(minutes=5)
    assert check_deadlines(session, clock) == 0
    assert feedback.feedback(session, clock, settings, authority, notice_id)["breach"] is False


def test_acted_at_61_minutes_is_a_breach_with_its_length(session: Session, clock: FrozenClock, settings: Settings,
                                                         parties: tuple[Principal, Principal]) -> None:
    authority, provider = parties
    notice_id = _order(session, clock, settings, authority, provider)
    clock.advance(minutes=61)
    notice = answer(session, clock, provider, notice_id, outcome="removed")
    assert notice.breach_seconds == 60
    [breach] = _events(session, "notices:notice:breach")
    assert breach.payload["seconds_late"] == 60
    assert _events(session, "notices:notice:outcome")[0].payload["breach"] is True


def test_the_duty_records_a_breach_once_and_escalates_once(session: Session, clock: FrozenClock, settings: Settings,
                                                           parties: tuple[Principal, Principal]) -> None:
    authority, provider = parties
    _order(session, clock, settings, authority, provider)
    clock.advance(minutes=16)
    assert check_deadlines(session, clock) == 1
    assert check_deadlines(session, clock) == 0
    clock.advance(minutes=45)
    assert check_deadlines(session, clock) == 3  # 30, 45, and the breach
    assert check_deadlines(session, clock) == 0
    [breach] = _events(session, "notices:notice:breach")
    assert breach.payload["seconds_late"] == 60


def test_referrals_are_never_breaches(session: Session, clock: FrozenClock, settings: Settings,
                                      parties: tuple[Principal, Principal]) -> None:
    authority, provider = parties
    notice = service.receive(session, clock, settings, authority, payload("referral", provider.org_id))
    assert notice.deadline_at == clock.now() + timedelta(hours=24)  # the provider's service target
    clock.advance(days=3)
    assert check_deadlines(session, clock) == 0
    assert answer(session, clock, provider, notice.id, outcome="removed").breached_at is None


def test_first_order_needs_an_information_notice_twelve_hours_earlier(
    session: Session, clock: FrozenClock, settings: Settings, parties: tuple[Principal, Principal]
) -> None:
    authority, provider = parties
    plain = {"emergency": False, "emergency_reason": None}
    service.send_information_notice(session, clock, authority, provider_id=provider.org_id, text="Procedures.")
    clock.advance(hours=11)
    with pytest.raises(Conflict) as refused:
        service.receive(session, clock, settings, authority,
                        {k: v for k, v in payload("removal_order", provider.org_id).items() if k not in plain})
    assert refused.value.field == "emergency"
    clock.advance(hours=1)
    first = service.receive(session, clock, settings, authority,
                            {k: v for k, v in payload("removal_order", provider.org_id).items() if k not in plain})
    assert first.status == "received" and not first.emergency


def test_first_order_without_notice_passes_as_an_emergency_and_is_logged(
    session: Session, clock: FrozenClock, settings: Settings, parties: tuple[Principal, Principal]
) -> None:
    authority, provider = parties
    _order(session, clock, settings, authority, provider)
    [event] = _events(session, "notices:notice:receive")
    assert event.payload["emergency"] is True
    second = {k: v for k, v in payload("removal_order", provider.org_id, url="https://v.example/2").items()
              if k not in ("emergency", "emergency_reason")}
    assert service.receive(session, clock, settings, authority, second).status == "received"  # not the first


def test_cannot_comply_pauses_and_a_clarification_starts_a_fresh_hour(
    session: Session, clock: FrozenClock, settings: Settings, parties: tuple[Principal, Principal]
) -> None:
    authority, provider = parties
    notice_id = _order(session, clock, settings, authority, provider)
    clock.advance(minutes=40)
    with pytest.raises(InvalidInput) as no_ground:
        answer(session, clock, provider, notice_id, outcome="cannot_comply", explanation="?")
    assert no_ground.value.field == "ground"
    paused = answer(session, clock, provider, notice_id, outcome="cannot_comply",
                            ground="insufficient_information", explanation="The URL points to a deleted channel.")
    assert paused.status == "paused" and paused.deadline_at is None
    assert feedback.feedback(session, clock, settings, authority, notice_id)["annex"] == "III"
    clock.advance(hours=5)
    assert check_deadlines(session, clock) == 0  # paused: no escalation, no breach
    clarified = service.clarify(session, clock, authority, notice_id, text="The video is at /watch/123?t=5.")
    assert clarified.deadline_at == clock.now() + timedelta(hours=1)
    clock.advance(minutes=59)
    assert answer(session, clock, provider, notice_id, outcome="removed").breached_at is None
    assert feedback.feedback(session, clock, settings, authority, notice_id)["annex"] == "II"


def test_a_fresh_window_breaches_after_its_own_hour(session: Session, clock: FrozenClock, settings: Settings,
                                                    parties: tuple[Principal, Principal]) -> None:
    authority, provider = parties
    notice_id = _order(session, clock, settings, authority, provider)
    answer(session, clock, provider, notice_id, outcome="cannot_comply", ground="force_majeure",
                   explanation="Data centre flooded.")
    clock.advance(hours=2)
    service.clarify(session, clock, provider, notice_id, text="The ground has ceased.")
    clock.advance(minutes=61)
    check_deadlines(session, clock)
    [breach] = _events(session, "notices:notice:breach")
    assert breach.payload["seconds_late"] == 60


def test_nondisclosure_ends_after_the_period_and_extends_once(
    session: Session, clock: FrozenClock, settings: Settings, parties: tuple[Principal, Principal]
) -> None:
    authority, provider = parties
    notice_id = _order(session, clock, settings, authority, provider, nondisclosure_days=42)
    notice = service.get_notice(session, provider, notice_id)
    start = clock.now()
    assert notice.nondisclosure_until == start + timedelta(weeks=6)
    assert service.nondisclosure_until_for_case(session, notice.case_id or "") == start + timedelta(weeks=6)
    with pytest.raises(PermissionDenied):
        service.extend_nondisclosure(session, clock, provider, notice_id, days=7)
    with pytest.raises(InvalidInput):
        service.extend_nondisclosure(session, clock, authority, notice_id, days=43)
    service.extend_nondisclosure(session, clock, authority, notice_id, days=42)
    assert notice.nondisclosure_until == start + timedelta(weeks=12)
    with pytest.raises(Conflict):
        service.extend_nondisclosure(session, clock, authority, notice_id, days=1)


def test_a_refused_decision_answers_none_of_the_case_notices(session: Session, clock: FrozenClock,
                                                             settings: Settings,
                                                             parties: tuple[Principal, Principal]) -> None:
    """The referral first, the order a minute later: ``restrict`` is refused because of the order, and the
    referral it could have answered is left open (every notice is checked before any is answered)."""
    first, provider = parties
    _, second = org(session, clock, "authority", "DE")
    referral = service.receive(session, clock, settings, second, payload("referral", provider.org_id))
    clock.advance(minutes=1)
    order = service.receive(session, clock, settings, first, payload("removal_order", provider.org_id))
    assert order.case_id == referral.case_id
    with pytest.raises(InvalidInput):
        flows.answer_from_decision(session, clock, Actor("test:reviewer", provider.org_id), case_id=order.case_id or "",
                                   action="restrict", countries=[], reasons="age-gated", automated=False)
    assert referral.outcome is None and referral.status in service.OPEN_STATUSES


def test_two_authorities_on_one_url_make_one_case(session: Session, clock: FrozenClock, settings: Settings,
                                                  parties: tuple[Principal, Principal]) -> None:
    first, provider = parties
    _, second = org(session, clock, "authority", "DE")
    a = service.receive(session, clock, settings, first, payload("removal_order", provider.org_id))
    b = service.receive(session, clock, settings, second, payload(
        "referral", provider.org_id, url="https://VIDEO.example.org/watch/123?utm_campaign=x"))
    assert a.case_id == b.case_id
    assert session.scalars(select(Case)).all() == [session.get(Case, a.case_id)]
    reviewer = Actor("test:reviewer", provider.org_id)
    with pytest.raises(InvalidInput) as refused:  # the case holds an order: executed, or Annex III (Art. 3(3))
        flows.answer_from_decision(session, clock, reviewer, case_id=a.case_id or "", action="restrict",
                                   countries=[], reasons="age-gated", automated=False)
    assert refused.value.field == "action"
    ids = flows.answer_from_decision(session, clock, reviewer, case_id=a.case_id or "", action="remove",
                                     countries=[], reasons="removed", automated=False)
    assert sorted(ids) == sorted([a.id, b.id])
    assert b.outcome == "removed" and b.acknowledged_at is not None


def test_operational_hold_stops_dispatch_until_lifted(session: Session, clock: FrozenClock, settings: Settings,
                                                      parties: tuple[Principal, Principal]) -> None:
    holder, provider = parties
    _, other = org(session, clock, "trusted_flagger", "NL")
    held = service.receive(session, clock, settings, holder, payload(
        "referral", provider.org_id, operational_hold="Ongoing investigation"))
    flag = service.receive(session, clock, settings, other, payload("trusted_flag", provider.org_id))
    assert held.status == flag.status == "held" and flag.case_id is None
    assert service.public_status(flag, other) == "queued"
    assert service.list_notices(session, provider) == []
    with pytest.raises(NotFound):
        service.get_notice(session, provider, flag.id)
    assert session.scalar(select(Job.id)) is None  # nothing sent to the provider
    with pytest.raises(PermissionDenied):
        service.set_hold(session, clock, other, flag.id, active=True, reason="mine")
    clock.advance(hours=2)
    service.set_hold(session, clock, holder, held.id, active=False)
    assert held.status == flag.status == "received" and flag.received_at == clock.now()
    assert held.case_id == flag.case_id is not None


def test_user_reports_are_rate_limited_per_address(session: Session, clock: FrozenClock, settings: Settings,
                                                   parties: tuple[Principal, Principal]) -> None:
    _, provider = parties
    limit = settings.public_rate_limit_per_minute
    for n in range(limit):
        report = service.receive(session, clock, settings, None, payload(
            "user_report", provider.org_id, url=f"https://f.example/{n}"), address="198.51.100.7")
        assert report.issuer_id is None and report.status == "received"
    with pytest.raises(RateLimited):
        service.receive(session, clock, settings, None, payload("user_report", provider.org_id),
                        address="198.51.100.7")
    service.receive(session, clock, settings, None, payload("user_report", provider.org_id), address="198.51.100.8")
    clock.advance(minutes=1, seconds=1)
    service.receive(session, clock, settings, None, payload("user_report", provider.org_id), address="198.51.100.7")


def test_only_the_right_kind_of_organisation_sends_each_kind(session: Session, clock: FrozenClock,
                                                              settings: Settings,
                                                              parties: tuple[Principal, Principal]) -> None:
    _, provider = parties
    _, flagger = org(session, clock, "trusted_flagger")
    with pytest.raises(PermissionDenied):
        service.receive(session, clock, settings, flagger, payload("removal_order", provider.org_id))
    with pytest.raises(InvalidInput) as not_a_provider:
        service.receive(session, clock, settings, flagger, payload("trusted_flag", flagger.org_id))
    assert not_a_provider.value.field == "provider_id"


def test_cross_border_copy_and_infringement_voids_the_order(session: Session, clock: FrozenClock,
                                                            settings: Settings) -> None:
    from accord.notices import crossborder

    _, issuer = org(session, clock, "authority", "FR")
    _, host = org(session, clock, "authority", "IE")
    _, provider = org(session, clock, "provider", "IE")
    notice = service.receive(session, clock, settings, issuer, payload("removal_order", provider.org_id))
    assert notice.cross_border and notice.host_authority_id == host.org_id
    assert service.get_notice(session, host, notice.id) is notice
    answer(session, clock, provider, notice.id, outcome="removed")
    clock.advance(hours=47)
    crossborder.request_scrutiny(session, clock, provider, notice.id, by="provider", reason="satire")
    clock.advance(hours=70)  # past the first 72 h, inside the 72 h after the request
    with pytest.raises(PermissionDenied):
        crossborder.decide_scrutiny(session, clock, issuer, notice.id, infringement=True, reasons="x")
    crossborder.decide_scrutiny(session, clock, host, notice.id, infringement=True, reasons="Protected speech.")
    assert notice.status == "voided" and notice.scrutiny["reinstate_required"] is True


def test_scrutiny_request_after_48_hours_is_refused(session: Session, clock: FrozenClock, settings: Settings) -> None:
    from accord.notices import crossborder

    _, issuer = org(session, clock, "authority", "FR")
    _, provider = org(session, clock, "provider", "DE")
    notice = service.receive(session, clock, settings, issuer, payload("removal_order", provider.org_id))
    assert notice.cross_border and notice.host_authority_id is None
    clock.advance(hours=49)
    with pytest.raises(Conflict):
        crossborder.request_scrutiny(session, clock, provider, notice.id, by="provider", reason="late")
