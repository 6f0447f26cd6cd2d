"""TCO Art. 18: penalties recorded by authorities, and the signal of systematic failure to meet the hour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from accord.authorities import penalties
from accord.clock import FrozenClock
from accord.errors import InvalidInput, NotFound, PermissionDenied
from accord.flows import decisions as flows
from accord.notices import service
from accord.notices.deadlines import check_deadlines
from accord.settings import Settings
from tests.unit.notices.helpers import org, payload

pytestmark = pytest.mark.usefixtures("session")


def test_an_authority_records_a_penalty(session: Session, clock: FrozenClock) -> None:
    _, authority = org(session, clock, "authority", "IE")
    _, provider = org(session, clock, "provider", "IE")
    penalty = penalties.impose(session, clock, authority, provider_id=provider.org_id, amount="25000.50",
                               currency="eur", ground="Art. 3(3)", imposed_on=clock.now() - timedelta(days=2))
    assert (penalty.amount_cents, penalty.currency) == (2_500_050, "EUR")
    assert penalties.list_penalties(session, provider) == [penalty]
    assert penalties.list_penalties(session, authority) == [penalty]
    with pytest.raises(PermissionDenied):
        penalties.impose(session, clock, provider, provider_id=provider.org_id, amount="1", currency="EUR",
                         ground="Art. 3(3)", imposed_on=clock.now())
    with pytest.raises(NotFound):
        penalties.impose(session, clock, authority, provider_id=authority.org_id, amount="1", currency="EUR",
                         ground="Art. 3(3)", imposed_on=clock.now())
    _, foreign = org(session, clock, "authority", "FR")
    with pytest.raises(PermissionDenied):  # Art. 16(1): the Member State of establishment has jurisdiction
        penalties.impose(session, clock, foreign, provider_id=provider.org_id, amount="1", currency="EUR",
                         ground="Art. 3(3)", imposed_on=clock.now())


@pytest.mark.parametrize(("field", "values"), [
    ("amount", {"amount": "-5"}), ("amount", {"amount": "ten"}), ("amount", {"amount": "1.005"}),
    ("currency", {"currency": "EURO"}), ("ground", {"ground": " "}),
    ("imposed_on", {"imposed_on": "future"}),
])
def test_bad_penalties_are_refused(session: Session, clock: FrozenClock, field: str, values: dict[str, str]) -> None:
    _, authority = org(session, clock, "authority", "IE")
    _, provider = org(session, clock, "provider", "IE")
    args = {"amount": "100", "currency": "EUR", "ground": "Art. 3(3)", **values}
    when = clock.now() + timedelta(days=1) if args.pop("imposed_on", None) else clock.now()
    with pytest.raises(InvalidInput) as refused:
        penalties.impose(session, clock, authority, provider_id=provider.org_id, imposed_on=when, **args)
    assert refused.value.field == field


def test_repeated_breaches_of_the_hour_raise_the_signal(session: Session, clock: FrozenClock,
                                                        settings: Settings) -> None:
    _, issuer = org(session, clock, "authority", "FR")
    _, host = org(session, clock, "authority", "IE")
    _, outsider = org(session, clock, "authority", "DE")
    _, late = org(session, clock, "provider", "IE")
    _, prompt = org(session, clock, "provider", "IE")
    for n in range(3):
        for provider in (late, prompt):
            notice = service.receive(session, clock, settings, issuer,
                                     payload("removal_order", provider.org_id, url=f"https://v.example/{n}"))
            if provider is prompt:
                flows.answer_notice(session, clock, prompt, notice.id, flows.Answer(outcome="removed"))
        clock.advance(minutes=61)
        check_deadlines(session, clock)
    signals = {s.provider_id: s for s in penalties.breach_signals(session, clock, settings, host)}
    assert (signals[late.org_id].orders, signals[late.org_id].breaches) == (3, 3)
    assert signals[late.org_id].systematic and not signals[prompt.org_id].systematic
    assert {s.provider_id for s in penalties.breach_signals(session, clock, settings, issuer)} == set(signals)
    assert penalties.breach_signals(session, clock, settings, outsider) == []
    clock.advance(days=settings.breach_signal_window_days + 1)
    assert penalties.breach_signals(session, clock, settings, host) == []
    with pytest.raises(PermissionDenied):
        penalties.breach_signals(session, clock, settings, late)
