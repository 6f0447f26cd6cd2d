"""Request and response models for European Production and Preservation Orders (Regulation (EU) 2023/1543)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from accord.web.schemas.common import In, Out


class EvidenceIn(In):
    """Refuses NUL characters in any text (PostgreSQL cannot store them): a 422, not a server error."""

    @model_validator(mode="after")
    def _no_nul(self) -> Self:
        for name, value in self:
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, str) and "\x00" in v for v in values):
                raise ValueError(f"{name} contains a NUL character")
        return self


Category = Literal["subscriber", "ip_identification", "traffic", "content"]
IssuerType = Literal["judge", "court", "investigating_judge", "prosecutor", "other"]


class KeyIn(EvidenceIn):
    public_key: str = Field(description="base64 of the authority's 32-byte X25519 public key "
                                        "(`accord evidence keygen` makes a pair)", max_length=64)


class KeyOut(Out):
    id: str
    org_id: str
    public_key: str
    fingerprint: str
    created_at: datetime
    revoked_at: datetime | None


class OrderIn(EvidenceIn):
    kind: Literal["production", "preservation"]
    provider_id: str
    data_categories: list[Category] = Field(min_length=1)
    targets: list[str] = Field(min_length=1, max_length=200, description="account identifiers, URLs")
    issuer_type: IssuerType
    validated_by: IssuerType | None = Field(None, description="required when issuer_type is other (Art. 4), "
                                            "except in an emergency (Art. 4(5))")
    emergency: bool = False
    emergency_reason: str = Field("", max_length=5000)
    offences: list[str] = Field(min_length=1, max_length=50)
    max_sentence_years: int | None = Field(None, ge=0, le=1000,
                                           description="the maximum custodial sentence in the issuing State")
    listed_offence: Literal["terrorism", "child_sexual_abuse", "non_cash_payment_fraud"] | None = None
    legal_basis: str = Field(max_length=5000)
    resides_in_issuing_state: bool = Field(False, description="Art. 8(2): reasonable grounds to believe the person"
                                           " resides in the issuing State (then no notification)")
    enforcing_authority_id: str | None = None
    reference: str = Field("", max_length=200)


class AnswerIn(EvidenceIn):
    outcome: Literal["produce", "preserve", "impossible"]
    data_base64: str | None = Field(None, description="the data to produce; sealed at once for the issuer's key")
    filename: str = Field("evidence.bin", max_length=200)
    media_type: str = Field("application/octet-stream", max_length=100)
    grounds: list[Literal["incomplete_or_manifest_error", "force_majeure", "de_facto_impossibility",
                          "data_not_held", "immunities_or_privileges", "third_country_conflict"]] = []
    explanation: str = Field("", max_length=10000)
    preserved_item_id: str | None = Field(None, max_length=40)


class NotificationAnswerIn(EvidenceIn):
    answer: Literal["no_grounds", "grounds_raised"]
    grounds: list[Literal["immunities_or_privileges", "press_freedom", "ne_bis_in_idem", "dual_criminality",
                          "fundamental_rights"]] = []
    explanation: str = Field("", max_length=10000)


class TextIn(EvidenceIn):
    text: str = Field(max_length=10000)


class ReasonIn(EvidenceIn):
    reason: str = Field("", max_length=5000)


class ValidationIn(EvidenceIn):
    validated_by: IssuerType
    granted: bool


class ReviewIn(EvidenceIn):
    decision: Literal["withdraw", "refer_to_court", "court_upheld", "court_lifted"]
    reasons: str = Field("", max_length=10000)


class PackageOut(Out):
    id: str
    order_id: str | None
    provider_id: str
    authority_id: str
    sha256: str
    size: int
    manifest: dict[str, Any]
    voluntary: dict[str, Any]
    downloads: list[Any]
    created_at: datetime
    purge_at: datetime
    purged_at: datetime | None


class SealedPackageOut(PackageOut):
    sealed_base64: str = Field(description="the NaCl sealed box; open it with the authority's private key")


class OrderOut(Out):
    id: str
    kind: str
    status: str
    issuer_id: str
    provider_id: str
    enforcing_authority_id: str | None
    reference: str
    issuing_state: str | None
    enforcing_state: str | None
    data_categories: list[str]
    targets: list[str]
    issuer_type: str
    validated_by: str | None
    validation: dict[str, Any]
    emergency: bool
    emergency_reason: str
    offences: list[str]
    max_sentence_years: int | None
    listed_offence: str | None
    legal_basis: str
    resides_in_issuing_state: bool
    notification: dict[str, Any]
    received_at: datetime
    deadline_at: datetime | None
    breached_at: datetime | None
    breach_seconds: int | None
    answer: dict[str, Any]
    answered_at: datetime | None
    preserve_until: datetime | None
    extensions: int
    review: dict[str, Any]
    history: list[Any]
    production_waits: str | None = Field(None, description="why the provider may not transmit yet (Art. 10(2))")
    packages: list[PackageOut] = []


class DisclosureIn(EvidenceIn):
    authority_id: str
    details: str = Field(max_length=10000, description="the imminent threat to life")
    data_base64: str
    filename: str = Field("evidence.bin", max_length=200)
    media_type: str = Field("application/octet-stream", max_length=100)
    notice_id: str | None = Field(None, description="a notice whose imminent-threat escalation this joins")
