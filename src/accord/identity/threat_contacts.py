"""Who is told of terrorist content involving an imminent threat to life (TCO Art. 14(5), DSA Art. 18(2)).

The authorities of the Member State concerned; where that state cannot be identified, those of the Member State
where the provider is established and Europol. Europol (its EU Internet Referral Unit) is an authority
organisation whose country is ``EU`` (the code ISO 3166-1 reserves for the Union): Accord has no other notion
of a Union body, and any Union-level authority admitted that way is told too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.identity.models import Organisation

UNION = "EU"


@dataclass(frozen=True)
class Contact:
    org_id: str
    name: str
    country: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class ThreatRoute:
    """``member_state`` is the state concerned (or the establishment state); ``identified`` says which."""

    member_state: str | None
    identified: bool
    contacts: list[Contact]

    @property
    def europol(self) -> bool:
        return any(c.country == UNION for c in self.contacts)


def threat_route(session: Session, concerned: str | None, established: str | None) -> ThreatRoute:
    """The authorities to tell: of ``concerned`` if known, else of ``established`` plus Europol."""
    state = (concerned or established or "").upper() or None
    countries = [state] if concerned else [c for c in (state, UNION) if c]
    query = (select(Organisation)
             .where(Organisation.kind == "authority", Organisation.country.in_(countries))
             .order_by(Organisation.created_at, Organisation.id))
    contacts = [Contact(o.id, o.name, o.country, o.contact_email, o.contact_phone) for o in session.scalars(query)]
    return ThreatRoute(state, bool(concerned), contacts)
