"""TCO Art. 15: the contact point's languages include one of the establishment state's, and an order in a
language the contact point does not accept is flagged at intake (still received, its hour still running)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.errors import InvalidInput, NotFound
from accord.identity import service as identity
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.notices import contact, service
from accord.settings import Settings
from tests.unit.notices.helpers import org, payload

pytestmark = pytest.mark.usefixtures("session")


def _declare(session: Session, clock: FrozenClock, provider: Principal, *languages: str) -> Organisation:
    return identity.update_contact_point(session, clock, provider, email="orders@video.example",
                                         phone="+33 1 23 45 67 89", languages=languages)


def _language_events(session: Session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.tag == "notices:order:language_not_accepted")
    return list(session.scalars(query))


def test_the_languages_must_include_one_of_the_establishment_state(session: Session, clock: FrozenClock) -> None:
    _, provider = org(session, clock, "provider", "DE")
    with pytest.raises(InvalidInput) as refused:
        _declare(session, clock, provider, "en", "fr")
    assert refused.value.field == "languages" and "DE" in refused.value.detail
    assert _declare(session, clock, provider, "en", "de").contact_languages == ["en", "de"]
    point = contact.contact_point(session, provider.org_id)
    assert point.languages == ["en", "de"] and point.establishment_languages == ["de"]
    assert point.includes_establishment_language is True and point.email == "orders@video.example"
    _, belgian = org(session, clock, "provider", "BE")
    assert _declare(session, clock, belgian, "fr").contact_languages == ["fr"]  # one of nl, fr, de suffices
    _, swiss = org(session, clock, "provider", "CH")  # outside the Union: through a legal representative
    assert _declare(session, clock, swiss, "en").contact_languages == ["en"]
    assert contact.contact_point(session, swiss.org_id).includes_establishment_language is None


def test_only_providers_have_a_public_contact_point(session: Session, clock: FrozenClock) -> None:
    _, authority = org(session, clock, "authority", "FR")
    with pytest.raises(NotFound):
        contact.contact_point(session, authority.org_id)
    with pytest.raises(NotFound):
        contact.contact_point(session, "org_missing")


def test_an_order_in_a_language_the_contact_point_does_not_accept_is_flagged(
        session: Session, clock: FrozenClock, settings: Settings) -> None:
    _, authority = org(session, clock, "authority", "FR")
    _, provider = org(session, clock, "provider", "DE")
    _declare(session, clock, provider, "de", "en")
    notice = service.receive(session, clock, settings, authority,
                             payload("removal_order", provider.org_id, language="FR"))
    assert notice.details["language"] == "fr" and notice.details["language_accepted"] is False
    assert notice.status == "received" and notice.deadline_at is not None  # the hour runs all the same
    [event] = _language_events(session)
    assert event.subject == notice.id
    assert event.payload == {"issuer_id": authority.org_id, "provider_id": provider.org_id, "language": "fr",
                             "accepted": ["de", "en"]}


def test_an_order_in_an_accepted_language_is_not_flagged(session: Session, clock: FrozenClock,
                                                         settings: Settings) -> None:
    _, authority = org(session, clock, "authority", "FR")
    _, provider = org(session, clock, "provider", "DE")
    _declare(session, clock, provider, "de", "en")
    accepted = service.receive(session, clock, settings, authority,
                               payload("removal_order", provider.org_id, language="de"))
    unstated = service.receive(session, clock, settings, authority,
                               payload("removal_order", provider.org_id, url="https://video.example.org/watch/9"))
    assert accepted.details["language_accepted"] is True
    assert "language_accepted" not in unstated.details and unstated.details["language"] is None
    assert _language_events(session) == []


def test_a_language_that_is_not_a_code_is_refused_by_name(session: Session, clock: FrozenClock,
                                                          settings: Settings) -> None:
    _, authority = org(session, clock, "authority", "FR")
    _, provider = org(session, clock, "provider", "FR")
    with pytest.raises(InvalidInput) as refused:
        service.receive(session, clock, settings, authority,
                        payload("removal_order", provider.org_id, language="French"))
    assert refused.value.field == "language"
