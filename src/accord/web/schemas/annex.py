"""The Annex I/II/III documents on the wire (OpenAPI documentation of ``notices.annex`` and ``notices.feedback``).

The routes serve the signed dictionaries exactly as signed; these models describe them for the contract and
are not used to re-serialise them (a re-serialised document could differ from the bytes that were signed)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Signature(BaseModel):
    algorithm: str = Field(description="Ed25519")
    key_id: str
    public_key: str = Field(description="Raw 32-byte Ed25519 public key, base64")
    fingerprint: str = Field(description="First 16 hex digits of SHA-256 of the public key")
    canonicalisation: str = Field(description="What the signature covers: the document without 'signature', "
                                              "JSON with sorted keys, no whitespace, UTF-8")
    signer: dict[str, Any] = Field(description="{organisation_id, name, role}")
    value: str = Field(description="The signature, base64")


class AnnexISectionA(BaseModel):
    issuing_member_state: str | None
    addressee: dict[str, Any] = Field(description="{organisation_id, name, legal_representative}")
    contact_point: dict[str, Any] | None
    establishment_member_state: str | None
    issued_at: str = Field(description="ISO 8601 with time zone")
    reference: str


class AnnexISectionB(BaseModel):
    urls: list[str]
    identifying_info: str
    tco_types: list[str] = Field(description="TCO Art. 2(7) boxes ticked")
    tco_boxes: list[str]
    reasons: str
    legal_basis: str
    emergency: bool
    emergency_reason: str


class AnnexIDocument(BaseModel):
    """TCO Annex I: a removal order, sections A-G, signed by the issuing authority."""

    annex: str = Field(description="I")
    schema_: str = Field(alias="schema", description="accord:tco-annex-i:v1")
    title: str
    notice_id: str | None = None
    section_a: AnnexISectionA
    section_b: AnnexISectionB
    section_c: dict[str, Any] = Field(description="{nondisclosure, nondisclosure_days, nondisclosure_until, note}")
    section_d: dict[str, Any] = Field(description="{cross_border, copy_sent_to, host_member_state}")
    section_e: dict[str, Any] = Field(description="{authority_type, authority, signatory, file_number, email, "
                                                  "telephone, date}")
    section_f: dict[str, Any] = Field(description="{issuing_authority, host_authority}: follow-up contacts")
    section_g: dict[str, Any] = Field(description="{body, deadline_days, national_law, starting_from}")
    imported_from: dict[str, Any] | None = None
    signature: Signature | None = None


class FeedbackDocument(BaseModel):
    """TCO Annex II (measure taken) or III (not executed), sections A-C, signed by the hosting provider."""

    annex: str | None = Field(description="II | III | null for a voluntary notice")
    schema_: str = Field(alias="schema")
    notice_id: str
    reference: str
    outcome: str
    outcome_at: str
    section_a: dict[str, Any] = Field(description="{addressee, issuing_authority, authority_file_reference, "
                                                  "addressee_file_reference, received_at}")
    section_b: dict[str, Any] = Field(description="II: {measure, removed, disabled_in_all_member_states, "
                                                  "action_at}; III: {grounds, ground, explanation}")
    section_c: dict[str, Any] = Field(description="{provider, legal_representative, establishment_member_state, "
                                                  "authorised_person, contact_email, date}")
    signature: Signature


class SigningKeyOut(BaseModel):
    organisation_id: str
    algorithm: str
    key_id: str
    public_key: str
    fingerprint: str
    created_at: Any
