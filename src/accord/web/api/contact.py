"""/v1/public/providers/{id}/contact-point: a provider's contact point for orders, public by law (TCO Art. 15(1))."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from accord.notices import contact
from accord.web.deps import SessionDep
from accord.web.schemas.contact import ContactPointOut

router = APIRouter(prefix="/v1/public", tags=["notices"])


@router.get("/providers/{provider_id}/contact-point")
def contact_point(provider_id: str, session: SessionDep) -> ContactPointOut:
    """Where and in which languages an authority sends removal orders to this provider; no key needed."""
    return ContactPointOut.model_validate(asdict(contact.contact_point(session, provider_id)))
