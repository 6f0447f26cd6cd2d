"""Complaints, user notices, preserved items and the provider profile on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from accord.web.schemas.common import In, Out


class ComplaintIn(In):
    decision_id: str = Field(max_length=40)
    by: Literal["uploader", "notifier"] = Field(
        "uploader", description="`uploader` (filed by the provider on the uploader's behalf) or `notifier` "
                                "(the caller's organisation sent a notice and the decision took no action)")
    statement: str = Field(min_length=1, max_length=10_000, description="Why the decision is wrong")
    contact: str | None = Field(None, max_length=320, description="Where to send the answer")


class ComplaintDecisionIn(In):
    outcome: Literal["upheld", "reversed"]
    reasons: str = Field(max_length=10_000, description="Mandatory: the reasons given to the complainant")
    reviewer_id: str = Field(max_length=40, description="The member (reviewer or admin) who decided")


class ComplaintOut(Out):
    id: str
    provider_id: str
    decision_id: str
    by: str
    statement: str
    state: str
    outcome: str | None
    reasons: str | None
    reviewer_id: str | None
    filed_at: datetime
    deadline_at: datetime
    decided_at: datetime | None
    overdue: bool = False
    status_url: str | None = Field(None, description="The complainant's status page (capability link); given "
                                                     "once, in the answer that files the complaint")


class UserNoticeIn(In):
    decision_id: str = Field(max_length=40)
    uploader_contact: str = Field(max_length=320)
    facts: dict[str, Any] = Field(description="`what`, `why`, `ground`, `automated`, optional `action`, "
                                              "`order_reference`")
    nondisclosure_until: datetime | None = Field(None, description="End of the non-disclosure period, "
                                                                   "at most 12 weeks ahead (TCO Art. 11(3))")


class UserNoticeOut(Out):
    id: str
    provider_id: str
    decision_id: str
    state: str
    text: str
    nondisclosure_until: datetime | None
    created_at: datetime
    sent_at: datetime | None


class UserNoticeIssuedOut(UserNoticeOut):
    complaint_path: str | None = Field(None, description="The notice's link (shown once; only its hash is kept)")


class PreservedItemOut(Out):
    id: str
    provider_id: str
    decision_id: str
    size: int
    stored_at: datetime
    retain_until: datetime
    hold_until: datetime | None
    hold_reason: str | None
    reinstated_at: datetime | None
    purged_at: datetime | None


class PreservedContentOut(Out):
    item: PreservedItemOut
    purpose: str
    content_base64: str
    metadata: dict[str, Any]


class AccessIn(In):
    purpose: str | None = Field(None, description="complaint, review, scrutiny, investigation or reinstatement")
    note: str = Field("", max_length=1000)


class HoldIn(In):
    until: datetime
    requested_by: str = Field(max_length=500, description="The court or authority that asked for the hold")


class ReinstateIn(In):
    decision_id: str = Field(max_length=40)
    reason: Literal["complaint", "scrutiny", "review"]


class ProfileIn(In):
    micro_small: bool = Field(description="A micro or small enterprise (DSA Art. 15(2), 19)")


class DutyOut(Out):
    name: str
    source: str
    applies: bool


class ProfileOut(Out):
    micro_small: bool
    duties: list[DutyOut]


class ReinstatementOut(Out):
    decision_id: str
    preserved_item_id: str | None = Field(description="The preserved copy the content was restored from")
