"""Penalties (TCO Art. 18) and the signal of systematic or persistent failure to meet the hour (Art. 18(4)).

An authority records each penalty it imposed on a provider (amount, the infringed provision, date); its Art. 8(1)
report counts them. Systematic or persistent failure to remove within one hour (Art. 3(3)) can be fined up to 4 %
of the provider's global turnover (Art. 18(4)); Accord shows an authority, per provider, the orders and breaches of
the last ``ACCORD_BREACH_SIGNAL_WINDOW_DAYS`` and flags a provider at ``ACCORD_BREACH_SIGNAL_THRESHOLD`` breaches.
The signal informs the authority; the finding of systematic failure is the authority's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.authorities.exposure import host_provider
from accord.authorities.models import Penalty
from accord.clock import Clock, as_utc
from accord.db import new_id
from accord.errors import InvalidInput
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.jobs.webhooks import emit
from accord.notices.models import Notice
from accord.settings import Settings


@dataclass(frozen=True)
class BreachSignal:
    provider_id: str
    provider_name: str
    orders: int
    breaches: int
    threshold: int
    window_days: int

    @property
    def systematic(self) -> bool:
        return self.breaches >= self.threshold


def _cents(amount: str) -> int:
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise InvalidInput("amount is a decimal number, e.g. 25000.00", field="amount") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidInput("amount is positive with at most two decimals", field="amount")
    return int(value * 100)


def impose(session: Session, clock: Clock, principal: Principal, *, provider_id: str, amount: str, currency: str,
           ground: str, imposed_on: datetime, description: str = "") -> Penalty:
    """Record a penalty the authority imposed on a provider established in its Member State (Art. 16(1)
    gives that Member State jurisdiction for Art. 18)."""
    provider = host_provider(session, principal, provider_id)
    if len(currency.strip()) != 3 or not currency.strip().isalpha():
        raise InvalidInput("currency is an ISO 4217 code such as EUR", field="currency")
    if not ground.strip():
        raise InvalidInput("name the infringed provision, e.g. Art. 3(3)", field="ground")
    if as_utc(imposed_on) > clock.now():
        raise InvalidInput("imposed_on cannot be in the future", field="imposed_on")
    penalty = Penalty(id=new_id("pen"), authority_id=principal.org_id, provider_id=provider.id,
                      amount_cents=_cents(amount), currency=currency.strip().upper(), ground=ground.strip(),
                      description=description.strip(), imposed_on=as_utc(imposed_on), created_at=clock.now())
    session.add(penalty)
    record(session, clock, principal.actor, Event.AUTHORITIES_PENALTY_IMPOSE, subject=penalty.id,
           payload={"authority_id": principal.org_id, "provider_id": provider.id, "ground": penalty.ground,
                    "amount_cents": penalty.amount_cents, "currency": penalty.currency})
    emit(session, clock, org_id=provider.id, event="penalty.imposed",
         data={"penalty_id": penalty.id, "ground": penalty.ground, "amount_cents": penalty.amount_cents,
               "currency": penalty.currency})
    return penalty


def list_penalties(session: Session, principal: Principal) -> list[Penalty]:
    """Penalties the authority imposed, or those imposed on the provider; newest first."""
    column = Penalty.authority_id if principal.org_kind == "authority" else Penalty.provider_id
    return list(session.scalars(select(Penalty).where(column == principal.org_id)
                                .order_by(Penalty.imposed_on.desc())))


def breach_signals(session: Session, clock: Clock, settings: Settings, principal: Principal) -> list[BreachSignal]:
    """Per provider, removal orders received and one-hour breaches in the window, worst first.

    An authority sees the orders it issued and, as the host Member State's authority, every order to a provider
    established in its country."""
    principal.require_kind("authority")
    authority = session.get(Organisation, principal.org_id)
    since = clock.now() - timedelta(days=settings.breach_signal_window_days)
    hosted = select(Organisation.id).where(Organisation.kind == "provider",
                                           Organisation.country == (authority.country if authority else None))
    breached = func.sum(case((Notice.breached_at.is_not(None), 1), else_=0))
    query = (select(Notice.provider_id, Organisation.name, func.count(), breached)
             .join(Organisation, Organisation.id == Notice.provider_id)
             .where(Notice.kind == "removal_order", Notice.drill.is_(False), Notice.received_at >= since,
                    or_(Notice.issuer_id == principal.org_id, Notice.provider_id.in_(hosted)))
             .group_by(Notice.provider_id, Organisation.name))
    signals = [BreachSignal(str(pid), str(name), int(n), int(b or 0), settings.breach_signal_threshold,
                            settings.breach_signal_window_days) for pid, name, n, b in session.execute(query)]
    return sorted(signals, key=lambda s: (-s.breaches, s.provider_name))
