"""A provider's contact point for removal orders (TCO Art. 15), as the public sees it, and the check of an
order's language against it at intake.

Art. 15(1) makes the contact point public; Art. 15(2) makes it state the Union languages it can be addressed in,
one of them an official language of the provider's Member State. An order written in a language the contact
point does not accept is still received and its hour still runs (the provider cannot set an order aside for
its language); it is flagged, so that the provider can ask for a translation or answer under Annex III
(insufficient information, TCO Art. 3(8)), and the flag is in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.errors import NotFound
from accord.identity.languages import establishment_languages, includes_establishment_language
from accord.identity.models import Organisation
from accord.notices.models import Notice


@dataclass(frozen=True)
class ContactPoint:
    provider_id: str
    name: str
    country: str | None
    email: str | None
    phone: str | None
    languages: list[str]
    establishment_languages: list[str]
    includes_establishment_language: bool | None


def contact_point(session: Session, provider_id: str) -> ContactPoint:
    """The public contact point of a provider; any other organisation (or none) is NotFound."""
    org = session.get(Organisation, provider_id)
    if org is None or org.kind != "provider":
        raise NotFound(f"no provider {provider_id!r}")
    languages = list(org.contact_languages)
    return ContactPoint(org.id, org.name, org.country, org.contact_email, org.contact_phone, languages,
                        list(establishment_languages(org.country)),
                        includes_establishment_language(org.country, languages))


def order_language_accepted(notice: Notice, provider: Organisation) -> bool | None:
    """None when there is nothing to check: not an order, no language given, or no languages declared."""
    language = notice.details.get("language")
    if not notice.binding or not language or not provider.contact_languages:
        return None
    return language in provider.contact_languages


def flag_order_language(session: Session, clock: Clock, actor: Actor, notice: Notice,
                        provider: Organisation) -> None:
    """Mark a removal order's language against the contact point; record the ones it does not accept."""
    accepted = order_language_accepted(notice, provider)
    if accepted is None:
        return
    notice.details = {**notice.details, "language_accepted": accepted}
    if not accepted:
        record(session, clock, actor, Event.NOTICES_ORDER_LANGUAGE_NOT_ACCEPTED, subject=notice.id,
               org_id=actor.org_id,
               payload={"issuer_id": notice.issuer_id, "provider_id": notice.provider_id,
                        "language": notice.details["language"], "accepted": list(provider.contact_languages)})
