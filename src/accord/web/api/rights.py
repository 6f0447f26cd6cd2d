"""/v1/complaints, /v1/user-notices, /v1/preservation, /v1/reinstatements and /v1/rights/profile."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends

from accord.identity.service import Principal
from accord.rights import complaints, delivery, preservation, profile, reinstatement, user_notices
from accord.rights.models import Complaint, UserNotice
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep
from accord.web.schemas.rights import (
    AccessIn,
    ComplaintDecisionIn,
    ComplaintIn,
    ComplaintOut,
    HoldIn,
    PreservedContentOut,
    PreservedItemOut,
    ProfileIn,
    ProfileOut,
    ReinstateIn,
    ReinstatementOut,
    UserNoticeIn,
    UserNoticeIssuedOut,
    UserNoticeOut,
)

router = APIRouter(prefix="/v1", tags=["rights"])
Reader = Annotated[Principal, Depends(Scoped("rights:read"))]
Writer = Annotated[Principal, Depends(Scoped("rights:write"))]


def _complaint(complaint: Complaint, clock: ClockDep) -> ComplaintOut:
    out = ComplaintOut.model_validate(complaint)
    out.overdue = complaint.state == "pending" and complaints.is_overdue(complaint, clock.now())
    return out


@router.post("/complaints", status_code=201)
def file_complaint(body: ComplaintIn, principal: Writer, session: SessionDep, clock: ClockDep,
                   settings: SettingsDep) -> ComplaintOut:
    """Contest a decision: the provider for its uploader, or a notifier after a decision to take no action.

    A removal that executed a removal order is refused (409 ``contest-before-courts``) with the order's redress:
    it is contested before the issuing Member State's courts (TCO Art. 9)."""
    filed = complaints.file_as(session, clock, settings, principal.actor, org_id=principal.org_id,
                               decision_id=body.decision_id, by=body.by, statement=body.statement,
                               contact=body.contact)
    out = _complaint(filed.complaint, clock)
    out.status_url = delivery.status_url(settings, filed.status_token)
    return out


@router.get("/complaints")
def list_complaints(principal: Reader, session: SessionDep, clock: ClockDep,
                    state: str | None = "pending") -> list[ComplaintOut]:
    """The complaint queue, nearest two-week deadline first (TCO Art. 10)."""
    found = complaints.visible_to(session, org_id=principal.org_id, state=state or None)
    return [_complaint(c, clock) for c in found]


@router.get("/complaints/{complaint_id}")
def get_complaint(complaint_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> ComplaintOut:
    return _complaint(complaints.get_visible(session, org_id=principal.org_id, complaint_id=complaint_id), clock)


@router.post("/complaints/{complaint_id}/decision")
def decide_complaint(complaint_id: str, body: ComplaintDecisionIn, principal: Writer, session: SessionDep,
                     clock: ClockDep, settings: SettingsDep) -> ComplaintOut:
    """Uphold (reasons mandatory) or reverse (reinstates, tells the issuer); a named human reviewer decides."""
    complaint = complaints.decide_complaint(
        session, clock, settings, principal.actor, provider_id=principal.org_id, complaint_id=complaint_id,
        outcome=body.outcome, reasons=body.reasons, reviewer_id=body.reviewer_id)
    return _complaint(complaint, clock)


@router.post("/user-notices", status_code=201)
def issue_user_notice(body: UserNoticeIn, principal: Writer, session: SessionDep, clock: ClockDep,
                      settings: SettingsDep) -> UserNoticeIssuedOut:
    """Inform the uploader (TCO Art. 11, DSA Art. 17), e-mailed when the contact is an address, or hold the
    notice during non-disclosure."""
    issued = user_notices.issue_user_notice(
        session, clock, principal.actor, provider_id=principal.org_id, decision_id=body.decision_id,
        uploader_contact=body.uploader_contact, facts=body.facts, nondisclosure_until=body.nondisclosure_until,
        settings=settings)
    out = UserNoticeIssuedOut.model_validate(issued.notice)
    out.complaint_path = user_notices.NOTICE_PATH + issued.token if issued.token else None
    return out


@router.get("/user-notices")
def list_user_notices(principal: Reader, session: SessionDep, state: str | None = None) -> list[UserNoticeOut]:
    found: list[UserNotice] = user_notices.list_notices(session, provider_id=principal.org_id, state=state)
    return [UserNoticeOut.model_validate(n) for n in found]


@router.get("/preservation")
def list_preserved(principal: Reader, session: SessionDep) -> list[PreservedItemOut]:
    return [PreservedItemOut.model_validate(i) for i in preservation.list_items(session, provider_id=principal.org_id)]


@router.get("/preservation/{item_id}")
def get_preserved(item_id: str, principal: Reader, session: SessionDep) -> PreservedItemOut:
    return PreservedItemOut.model_validate(preservation.get_item(session, provider_id=principal.org_id,
                                                                 item_id=item_id))


@router.post("/preservation/{item_id}/access")
def access_preserved(item_id: str, body: AccessIn, principal: Writer, session: SessionDep, clock: ClockDep,
                     settings: SettingsDep) -> PreservedContentOut:
    """Read preserved content for a stated purpose (TCO Art. 6(1)); the access is logged."""
    read = preservation.access(session, clock, settings, principal.actor, provider_id=principal.org_id,
                               item_id=item_id, purpose=body.purpose, note=body.note)
    return PreservedContentOut(item=PreservedItemOut.model_validate(read.item), purpose=str(body.purpose),
                               content_base64=base64.b64encode(read.content).decode(), metadata=read.metadata)


@router.post("/preservation/{item_id}/hold")
def hold_preserved(item_id: str, body: HoldIn, principal: Writer, session: SessionDep,
                   clock: ClockDep) -> PreservedItemOut:
    """Keep an item beyond six months at a court's or authority's request (TCO Art. 6(2))."""
    item = preservation.extend_hold(session, clock, principal.actor, provider_id=principal.org_id,
                                    item_id=item_id, until=body.until, requested_by=body.requested_by)
    return PreservedItemOut.model_validate(item)


@router.post("/reinstatements", status_code=201)
def reinstate(body: ReinstateIn, principal: Writer, session: SessionDep, clock: ClockDep,
              settings: SettingsDep) -> ReinstatementOut:
    """Reinstate content after a scrutiny finding or a review (a complaint reversal does it by itself)."""
    item_id = reinstatement.reinstate(session, clock, settings, principal.actor, provider_id=principal.org_id,
                                      decision_id=body.decision_id, reason=body.reason)
    return ReinstatementOut(decision_id=body.decision_id, preserved_item_id=item_id)


@router.get("/rights/profile")
def get_profile(principal: Reader, session: SessionDep) -> ProfileOut:
    small = profile.is_micro_small(session, principal.org_id)
    return ProfileOut.model_validate({"micro_small": small, "duties": profile.duties(small)})


@router.put("/rights/profile")
def set_profile(body: ProfileIn, principal: Writer, session: SessionDep, clock: ClockDep) -> ProfileOut:
    """The micro/small provider switch: turns off what DSA Art. 15(2) and 19 spare, never notices or SoRs."""
    principal.require_kind("provider")
    profile.set_micro_small(session, clock, principal.actor, org_id=principal.org_id, micro_small=body.micro_small)
    return ProfileOut.model_validate({"micro_small": body.micro_small, "duties": profile.duties(body.micro_small)})
