"""Organisations, members, keys and webhooks on the wire."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from accord.web.schemas.common import In, Out


class OrganisationOut(Out):
    id: str
    kind: str
    name: str
    country: str | None
    contact_email: str | None
    contact_languages: list[str]


class ContactPointIn(In):
    email: str | None = None
    phone: str | None = Field(None, max_length=40)
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes accepted for orders")


class MeOut(Out):
    organisation: OrganisationOut
    actor: str
    scopes: list[str]


class MemberIn(In):
    email: str = Field(max_length=320)
    name: str = Field("", max_length=200)
    role: str
    password: str = Field(min_length=12, max_length=200)


class MemberOut(Out):
    id: str
    email: str
    name: str
    role: str
    active: bool
    created_at: datetime


class KeyIn(In):
    name: str = Field("", max_length=200)
    scopes: list[str] = Field(default_factory=list, description="empty: every scope")


class KeyOut(Out):
    id: str
    prefix: str
    name: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class KeyCreatedOut(KeyOut):
    key: str = Field(description="The key itself. It is shown this once and never again.")


class WebhookIn(In):
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=lambda: ["*"])


class WebhookOut(Out):
    id: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="The signing secret, shown once.")


class AuditEventOut(Out):
    seq: int
    id: str
    at: datetime
    actor: str
    tag: str
    subject: str | None
    payload: dict[str, object]
    hash: str


class JobOut(Out):
    id: str
    kind: str
    state: str
    attempts: int
    max_attempts: int
    run_after: datetime
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class AnnexProfileIn(In):
    legal_representative: dict[str, str] | None = Field(
        None, description="TCO Art. 17 legal representative {name, member_state, address} (Annex II/III C)")
    authorised_person: dict[str, str] | None = Field(
        None, description="The person authorised to sign feedback {name, post, email} (Annex II/III C)")
