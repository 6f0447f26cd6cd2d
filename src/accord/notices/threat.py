"""Imminent threat to life (TCO Art. 14(5), DSA Art. 18): one step from any notice escalates to the
law-enforcement contact of the Member State concerned, at once, logged, and outside every review queue.

Where the Member State concerned cannot be identified (a public report names none, the caller names none), the
authorities of the state where the provider is established are told, and Europol (``identity.threat_contacts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.clock import Clock
from accord.errors import InvalidInput
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.identity.threat_contacts import Contact, threat_route
from accord.jobs.webhooks import emit
from accord.notices import europol
from accord.notices.service import get_notice

_COUNTRY = re.compile(r"^[A-Z]{2}$")

@dataclass(frozen=True)
class ThreatEscalation:
    notice_id: str
    member_state: str | None
    identified: bool
    europol: bool
    contacts: list[Contact]
    at: str


def escalate_threat(session: Session, clock: Clock, principal: Principal, notice_id: str, *,
                    details: str, member_state: str | None = None) -> ThreatEscalation:
    """Tell the authorities of ``member_state`` (default: where the order came from); when no state is known,
    those where the provider is established and Europol."""
    notice = get_notice(session, principal, notice_id)
    europol.refuse_copy_holder(notice, principal)
    if not details.strip():
        raise InvalidInput("say what the threat is", field="details")
    concerned = (member_state or notice.member_state or "").upper() or None
    if concerned is not None and not _COUNTRY.match(concerned):
        raise InvalidInput("member_state must be an ISO 3166-1 alpha-2 code", field="member_state")
    provider = session.get(Organisation, notice.provider_id)
    route = threat_route(session, concerned, provider.country if provider else None)
    data = {"notice_id": notice.id, "urls": notice.urls, "details": details.strip(),
            "member_state": route.member_state, "identified": route.identified, "from": principal.org_id}
    for contact in route.contacts:
        emit(session, clock, org_id=contact.org_id, event="threat.imminent", data=data)
    record(session, clock, principal.actor, Event.NOTICES_THREAT_ESCALATE, subject=notice.id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id,
                    "member_state": route.member_state, "identified": route.identified, "europol": route.europol,
                    "contacts": [c.org_id for c in route.contacts]})
    return ThreatEscalation(notice.id, route.member_state, route.identified, route.europol, route.contacts,
                            clock.now().isoformat())
