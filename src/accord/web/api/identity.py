"""/v1/me, the organisation directory, members, API keys and webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from accord.identity import service, signing
from accord.identity.service import Principal
from accord.jobs import webhooks
from accord.web.deps import ClockDep, PrincipalDep, Scoped, SessionDep, SettingsDep
from accord.web.schemas.annex import SigningKeyOut
from accord.web.schemas.identity import (
    AnnexProfileIn,
    ContactPointIn,
    KeyCreatedOut,
    KeyIn,
    KeyOut,
    MemberIn,
    MemberOut,
    MeOut,
    OrganisationOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
)

router = APIRouter(prefix="/v1", tags=["identity"])
Reader = Annotated[Principal, Depends(Scoped("org:read"))]
Admin = Annotated[Principal, Depends(Scoped("org:admin"))]


@router.get("/me")
def me(principal: PrincipalDep, session: SessionDep) -> MeOut:
    org = service.get_organisation(session, principal.org_id)
    return MeOut(organisation=OrganisationOut.model_validate(org), actor=principal.ref,
                 scopes=sorted(principal.scopes))


@router.get("/organisations")
def directory(principal: Reader, session: SessionDep, kind: str | None = None) -> list[OrganisationOut]:
    """The directory every member organisation sees: who exists, of which kind, and their contact point."""
    return [OrganisationOut.model_validate(o) for o in service.list_organisations(session, kind)]


@router.put("/organisation/contact-point")
def set_contact_point(body: ContactPointIn, principal: Admin, session: SessionDep,
                      clock: ClockDep) -> OrganisationOut:
    org = service.update_contact_point(session, clock, principal, email=body.email, phone=body.phone,
                                       languages=body.languages)
    return OrganisationOut.model_validate(org)


@router.get("/members")
def members(principal: Reader, session: SessionDep) -> list[MemberOut]:
    return [MemberOut.model_validate(m) for m in service.list_members(session, principal.org_id)]


@router.post("/members", status_code=201)
def add_member(body: MemberIn, principal: Admin, session: SessionDep, clock: ClockDep) -> MemberOut:
    member = service.add_member(session, clock, principal.actor, org_id=principal.org_id, email=body.email,
                                name=body.name, role=body.role, password=body.password)
    return MemberOut.model_validate(member)


@router.get("/keys")
def keys(principal: Reader, session: SessionDep) -> list[KeyOut]:
    return [KeyOut.model_validate(k) for k in service.list_keys(session, principal.org_id)]


@router.post("/keys", status_code=201)
def create_key(body: KeyIn, principal: Admin, session: SessionDep, clock: ClockDep) -> KeyCreatedOut:
    key, plain = service.create_key(session, clock, principal.actor, org_id=principal.org_id,
                                    name=body.name, scopes=body.scopes)
    return KeyCreatedOut.model_validate({**KeyOut.model_validate(key).model_dump(), "key": plain})


@router.post("/keys/{key_id}/revoke")
def revoke_key(key_id: str, principal: Admin, session: SessionDep, clock: ClockDep,
               confirm: Annotated[bool, Query(description="Needed when a key revokes itself")] = False) -> KeyOut:
    """Revoke a key of the organisation. A key revoking itself must send ``confirm=true`` (409 otherwise)."""
    key = service.revoke_key(session, clock, principal.actor, key_ref=key_id, org_id=principal.org_id,
                             confirm=confirm)
    return KeyOut.model_validate(key)


@router.get("/webhooks")
def list_webhooks(principal: Reader, session: SessionDep) -> list[WebhookOut]:
    return [WebhookOut.model_validate(w) for w in webhooks.list_endpoints(session, principal.org_id)]


@router.post("/webhooks", status_code=201)
def create_webhook(body: WebhookIn, principal: Admin, session: SessionDep, clock: ClockDep,
                   settings: SettingsDep) -> WebhookCreatedOut:
    endpoint, secret = webhooks.create_endpoint(session, clock, settings, principal.actor,
                                                org_id=principal.org_id, url=body.url, events=body.events)
    return WebhookCreatedOut.model_validate({**WebhookOut.model_validate(endpoint).model_dump(),
                                             "secret": secret})


@router.delete("/webhooks/{endpoint_id}", status_code=204)
def delete_webhook(endpoint_id: str, principal: Admin, session: SessionDep, clock: ClockDep) -> None:
    webhooks.delete_endpoint(session, clock, principal.actor, org_id=principal.org_id, endpoint_id=endpoint_id)


@router.get("/organisations/{org_id}/signing-key")
def signing_key(org_id: str, principal: Reader, session: SessionDep, clock: ClockDep,
                settings: SettingsDep) -> SigningKeyOut:
    """The organisation's Ed25519 public key, which signs its Annex I orders or Annex II/III feedback: pin it
    (or compare its fingerprint out of band) and verify documents with ``accord notice verify``."""
    return SigningKeyOut.model_validate(signing.public_key_of(session, clock, settings, org_id))


@router.put("/organisation/annex-profile")
def set_annex_profile(body: AnnexProfileIn, principal: Admin, session: SessionDep,
                      clock: ClockDep) -> OrganisationOut:
    """A provider's legal representative and authorised person, printed in section C of TCO Annex II/III."""
    org = service.set_annex_profile(session, clock, principal, legal_representative=body.legal_representative,
                                    authorised_person=body.authorised_person)
    return OrganisationOut.model_validate(org)
