"""Imminent threat to life (TCO Art. 14(5), DSA Art. 18): one step from any notice escalates to the
law-enforcement contact of the Member State concerned, at once, logged, and outside every review queue."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.service import record
from accord.clock import Clock
from accord.errors import InvalidInput
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.jobs.webhooks import emit
from accord.notices.service import get_notice

_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Contact:
    org_id: str
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class ThreatEscalation:
    notice_id: str
    member_state: str
    contacts: list[Contact]
    at: str


def escalate_threat(session: Session, clock: Clock, principal: Principal, notice_id: str, *,
                    details: str, member_state: str | None = None) -> ThreatEscalation:
    """Tell the authorities of ``member_state`` (default: where the order came from, else the provider's)."""
    notice = get_notice(session, principal, notice_id)
    if not details.strip():
        raise InvalidInput("say what the threat is", field="details")
    provider = session.get(Organisation, notice.provider_id)
    country = (member_state or notice.member_state or (provider.country if provider else None) or "").upper()
    if not _COUNTRY.match(country):
        raise InvalidInput("member_state must be an ISO 3166-1 alpha-2 code", field="member_state")
    query = select(Organisation).where(Organisation.kind == "authority", Organisation.country == country)
    contacts = [Contact(o.id, o.name, o.contact_email, o.contact_phone) for o in session.scalars(query)]
    data = {"notice_id": notice.id, "urls": notice.urls, "details": details.strip(), "member_state": country,
            "from": principal.org_id}
    for contact in contacts:
        emit(session, clock, org_id=contact.org_id, event="threat.imminent", data=data)
    record(session, clock, principal.actor, "notices:threat:escalate", subject=notice.id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id, "member_state": country,
                    "contacts": [c.org_id for c in contacts]})
    return ThreatEscalation(notice.id, country, contacts, clock.now().isoformat())
