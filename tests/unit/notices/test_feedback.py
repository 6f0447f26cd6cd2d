"""TCO Annex II and III: sections A-C complete and signed by the provider's own key, verifiable offline."""

from __future__ import annotations

import copy
import io

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput
from accord.flows import decisions as flows
from accord.identity import service as identity
from accord.identity.signing import verify_document
from accord.notices import feedback, service
from accord.settings import Settings
from tests.unit.notices.helpers import URL, org, payload


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_annex_ii_is_signed_by_the_provider(session: Session, clock: FrozenClock, settings: Settings) -> None:
    _, authority = org(session, clock, "authority")
    provider, video = org(session, clock, "provider", country="IE")
    identity.set_annex_profile(session, clock, video, legal_representative={"name": "EU Rep BV",
                                                                             "member_state": "nl"},
                               authorised_person={"name": "J. Doe", "post": "Trust & Safety lead"})
    notice = service.receive(session, clock, settings, authority,
                             payload("removal_order", provider.id, file_number="OCL/2026/9"))
    with pytest.raises(Conflict):
        feedback.feedback(session, clock, settings, authority, notice.id)
    clock.advance(minutes=12)
    flows.answer_notice(session, clock, video, notice.id, flows.Answer(outcome="removed"))
    record = feedback.feedback(session, clock, settings, authority, notice.id)
    assert record["annex"] == "II" and record["schema"] == "accord:tco-annex-ii:v1"
    a, b, c = record["section_a"], record["section_b"], record["section_c"]
    assert a["authority_file_reference"] == "OCL/2026/9" and a["addressee_file_reference"] == notice.case_id
    assert a["received_at"] == notice.received_at.isoformat()
    assert b["removed"] is True and b["action_at"] == clock.now().isoformat()
    assert c["legal_representative"] == {"name": "EU Rep BV", "member_state": "NL"}
    assert c["establishment_member_state"] == "NL" and c["authorised_person"]["name"] == "J. Doe"
    verified = verify_document(record)
    assert verified.signer == {"organisation_id": provider.id, "name": provider.name,
                               "role": "hosting_service_provider"}
    forged = copy.deepcopy(record)
    forged["section_b"]["action_at"] = "2026-03-02T10:01:00+00:00"  # "we acted within the minute"
    with pytest.raises(InvalidInput, match="altered"):
        verify_document(forged, record["signature"]["public_key"])
    text = _pdf_text(feedback.feedback_pdf(session, clock, settings, authority, notice.id))
    for needle in ("ANNEX II", "[x] terrorist content removed", "OCL/2026/9", "J. Doe", "EU Rep BV", URL):
        assert needle in text, needle


def test_annex_iii_ticks_the_ground(session: Session, clock: FrozenClock, settings: Settings) -> None:
    _, authority = org(session, clock, "authority")
    provider, video = org(session, clock, "provider")
    notice = service.receive(session, clock, settings, authority, payload("removal_order", provider.id))
    flows.answer_notice(session, clock, video, notice.id, flows.Answer(
        outcome="cannot_comply", ground="de_facto_impossibility",
        explanation="The storage node is offline after a fire."))
    record = feedback.feedback(session, clock, settings, video, notice.id)
    assert record["annex"] == "III" and record["section_b"]["ground"] == "de_facto_impossibility"
    assert record["section_b"]["grounds"][0].startswith("force majeure or de facto impossibility")
    assert verify_document(record).signer["organisation_id"] == provider.id
    text = _pdf_text(feedback.feedback_pdf(session, clock, settings, authority, notice.id))
    assert "ANNEX III" in text and "[x] force majeure" in text and "[ ] the removal order contains manifest" in text
    assert "The storage node is offline after a fire." in text


def test_the_profile_refuses_unknown_fields(session: Session, clock: FrozenClock) -> None:
    _, video = org(session, clock, "provider")
    with pytest.raises(InvalidInput) as refused:
        identity.set_annex_profile(session, clock, video, legal_representative=None,
                                   authorised_person={"name": "J. Doe", "salary": "1"})
    assert refused.value.field == "authorised_person.salary"
    with pytest.raises(InvalidInput):
        identity.set_annex_profile(session, clock, video, legal_representative={"member_state": "FR"},
                                   authorised_person=None)
