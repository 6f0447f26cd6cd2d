"""TCO Annex I as a document: the order's fields (issued_at a real timestamp, sections A/E/F), the signed JSON
with sections A-G, its PDF text, offline verification, and import of a document made elsewhere."""

from __future__ import annotations

import copy
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.errors import InvalidInput, NotFound, PermissionDenied
from accord.identity.signing import sign_document, verify_document
from accord.models import metadata
from accord.notices import annex, kinds, service
from accord.notices.models import Notice
from accord.settings import Settings
from tests.factories import make_org
from tests.unit.notices.helpers import org, payload, principal

URLS = ["https://video.example.org/watch/123", "https://video.example.org/watch/124?t=5"]
ANNEX_FIELDS: dict[str, Any] = {
    "issued_at": "2026-03-02T10:58:00+01:00", "authority_type": "law_enforcement", "file_number": "OCL/2026/7",
    "signatory": {"name": "Cdt. C. Martin", "post": "Head of unit"},
    "follow_up_contact": {"email": "duty@iru.example.fr", "phone": "+33 1 00"},
    "legal_representative": {"name": "Rep Ltd", "member_state": "ie"}, "identifying_info": "At 00:35 in the video",
    "nondisclosure_days": 28, "redress": {"body": "Tribunal administratif de Paris", "deadline_days": 60,
                                          "national_law": "CJA R. 421-1"},
}


def _order(session: Session, clock: FrozenClock, settings: Settings, **extra: Any) -> tuple[Notice, Any, Any]:
    authority, issuer = org(session, clock, "authority")
    provider, _ = org(session, clock, "provider")
    data = payload("removal_order", provider.id, urls=URLS, **{**ANNEX_FIELDS, **extra})
    return service.receive(session, clock, settings, issuer, data), authority, provider


# ---- the order's fields -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["this morning", "2026-03-02", "2026-03-02T10:00:00", "02/03/2026 10:00",
                                   "2026-03-02 10:00:00+01:00", 1772441880])
def test_issued_at_must_be_a_timestamp_with_its_time_zone(value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        kinds.validate(payload("removal_order", "org_x", issued_at=value))
    assert refused.value.field == "issued_at"


def test_issued_at_is_kept_in_utc() -> None:
    clean = kinds.validate(payload("removal_order", "org_x", issued_at="2026-03-02T10:58:00+01:00"))
    assert clean.details["issued_at"] == "2026-03-02T09:58:00+00:00"
    assert kinds.validate(payload("removal_order", "org_x", issued_at="2026-03-02T09:58:00Z")).details[
        "issued_at"] == "2026-03-02T09:58:00+00:00"


@pytest.mark.parametrize(("extra", "field"), [
    ({"authority_type": "police"}, "authority_type"),
    ({"signatory": {"post": "Head"}}, "signatory.name"),
    ({"signatory": "C. Martin"}, "signatory"),
    ({"signatory": {"name": "C. Martin", "rank": "3"}}, "signatory.rank"),
    ({"follow_up_contact": {"email": "not an address"}}, "follow_up_contact.email"),
    ({"legal_representative": {"name": "Rep", "member_state": "Ireland"}}, "legal_representative.member_state"),
    ({"establishment_member_state": "EU1"}, "establishment_member_state"),
])
def test_annex_fields_are_checked_by_name(extra: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        kinds.validate(payload("removal_order", "org_x", **extra))
    assert refused.value.field == field


def test_annex_fields_belong_to_removal_orders_only() -> None:
    with pytest.raises(InvalidInput) as refused:
        kinds.validate(payload("referral", "org_x", file_number="F-1"))
    assert refused.value.field == "file_number"


# ---- the document -------------------------------------------------------------------------------------------


def test_annex_i_has_sections_a_to_g(session: Session, clock: FrozenClock, settings: Settings) -> None:
    notice, authority, provider = _order(session, clock, settings)
    doc = annex.annex_i(session, clock, settings, principal(provider), notice.id)
    a, b, c, d, e, f, g = (doc[f"section_{s}"] for s in "abcdefg")
    assert a["issuing_member_state"] == "FR" and a["addressee"]["organisation_id"] == provider.id
    assert a["addressee"]["legal_representative"] == {"name": "Rep Ltd", "member_state": "IE", "address": ""}
    assert a["establishment_member_state"] == "IE" and a["issued_at"] == "2026-03-02T09:58:00+00:00"
    assert a["reference"] == "FR-IRU-2026-0042" and a["contact_point"]["languages"] == ["en"]
    assert b["urls"] == URLS and b["tco_types"] == ["incitement"] and b["identifying_info"] == "At 00:35 in the video"
    assert b["tco_boxes"][0].startswith("incites others") and b["legal_basis"] == "TCO Art. 3"
    assert c["nondisclosure"] is True and c["nondisclosure_days"] == 28
    assert d["cross_border"] is False
    assert e["authority_type"] == "law_enforcement" and e["file_number"] == "OCL/2026/7"
    assert e["authority"] == {"organisation_id": authority.id, "name": authority.name, "member_state": "FR"}
    assert e["signatory"] == {"name": "Cdt. C. Martin", "post": "Head of unit"} and e["date"] == "2026-03-02"
    assert f["issuing_authority"]["email"] == "duty@iru.example.fr"
    assert g == {"body": "Tribunal administratif de Paris", "deadline_days": 60, "national_law": "CJA R. 421-1",
                 "starting_from": "the receipt of the removal order"}
    assert doc["signature"]["signer"] == {"organisation_id": authority.id, "name": authority.name,
                                          "role": "issuing_authority"}


def test_the_signature_verifies_offline_and_refuses_a_tampered_field(session: Session, clock: FrozenClock,
                                                                      settings: Settings) -> None:
    notice, authority, provider = _order(session, clock, settings)
    doc = annex.annex_i(session, clock, settings, principal(authority), notice.id)
    assert verify_document(doc, doc["signature"]["public_key"]).signer["organisation_id"] == authority.id
    for path in (("section_b", "urls"), ("section_a", "reference"), ("section_g", "deadline_days")):
        tampered = copy.deepcopy(doc)
        tampered[path[0]][path[1]] = ["https://elsewhere.example/"] if path[1] == "urls" else 999
        with pytest.raises(InvalidInput, match="altered"):
            verify_document(tampered)
    other = annex.annex_i(session, clock, settings, principal(provider), notice.id)
    assert other["signature"]["value"] == doc["signature"]["value"]  # one key per authority, deterministic
    provider_key = sign_document(session, clock, settings, provider.id, "x", {})["signature"]["public_key"]
    with pytest.raises(InvalidInput, match="another key"):
        verify_document(doc, provider_key)
    unsigned = {k: v for k, v in doc.items() if k != "signature"}
    with pytest.raises(InvalidInput, match="not signed"):
        verify_document(unsigned)


def test_only_the_issuer_the_addressee_and_a_copied_authority_read_it(session: Session, clock: FrozenClock,
                                                                     settings: Settings) -> None:
    notice, _, _ = _order(session, clock, settings)
    _, stranger = org(session, clock, "provider")
    _, other_authority = org(session, clock, "authority")
    for outsider in (stranger, other_authority):
        with pytest.raises(NotFound):
            annex.annex_i(session, clock, settings, outsider, notice.id)


def test_referrals_have_no_annex_i(session: Session, clock: FrozenClock, settings: Settings) -> None:
    _, issuer = org(session, clock, "authority")
    provider, _ = org(session, clock, "provider")
    notice = service.receive(session, clock, settings, issuer, payload("referral", provider.id))
    with pytest.raises(InvalidInput):
        annex.annex_i(session, clock, settings, issuer, notice.id)


def test_the_pdf_text_names_the_reference_every_url_and_section(session: Session, clock: FrozenClock,
                                                                  settings: Settings) -> None:
    notice, authority, _ = _order(session, clock, settings)
    pdf = annex.annex_i_pdf(session, clock, settings, principal(authority), notice.id)
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    for needle in ("FR-IRU-2026-0042", *URLS, "SECTION A", "SECTION G", "OCL/2026/7", "Cdt. C. Martin",
                   "Tribunal administratif de Paris", "[x] law enforcement authority", "[x] incites others",
                   "2026-03-02T09:58:00+00:00", "Rep Ltd"):
        assert needle in flat or needle.replace(" ", "") in flat.replace(" ", ""), needle
    doc = annex.annex_i(session, clock, settings, principal(authority), notice.id)
    assert doc["signature"]["fingerprint"] in flat


# ---- import ---------------------------------------------------------------------------------------------------


def _fresh(tmp_path: Path, names: dict[str, str]) -> tuple[Session, dict[str, Any]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    metadata.create_all(engine)
    clock = FrozenClock()
    with unit_of_work(make_sessionmaker(engine)) as session:
        handles = {role: make_org(session, clock, kind, name=names[role])
                   for role, kind in (("authority", "authority"), ("provider", "provider"))}
    return make_sessionmaker(engine)(), handles


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """The fields an order carries, without ids and signatures that belong to one instance."""
    a, e, f = dict(doc["section_a"]), dict(doc["section_e"]), dict(doc["section_f"]["issuing_authority"])
    a["addressee"] = {k: v for k, v in a["addressee"].items() if k != "organisation_id"}
    a.pop("contact_point")
    e["authority"] = {k: v for k, v in e["authority"].items() if k != "organisation_id"}
    f.pop("organisation_id")
    return {"a": a, "b": doc["section_b"], "c": doc["section_c"]["nondisclosure_days"], "e": e, "f": f,
            "g": doc["section_g"]}


def test_an_annex_i_document_round_trips_into_a_fresh_database(session: Session, clock: FrozenClock,
                                                                settings: Settings, tmp_path: Path) -> None:
    notice, authority, provider = _order(session, clock, settings)
    doc = annex.annex_i(session, clock, settings, principal(authority), notice.id)
    other, handles = _fresh(tmp_path, {"authority": authority.name, "provider": provider.name})
    with other:
        imported = annex.import_order(other, clock, settings, principal(handles["authority"]), doc)
        assert imported.provider_id == handles["provider"].id and imported.status == "received"
        assert imported.details["imported"]["signed"] is True
        assert imported.details["imported"]["fingerprint"] == doc["signature"]["fingerprint"]
        again = annex.annex_i(other, clock, settings, principal(handles["authority"]), imported.id)
        assert _comparable(again) == _comparable(doc)
        assert again["imported_from"]["notice_id"] == notice.id
        [event] = other.scalars(select(AuditEvent).where(AuditEvent.tag == "notices:notice:import"))
        assert event.payload["signed"] is True and event.subject == imported.id
        other.rollback()


def test_import_applies_the_rules_of_any_order(session: Session, clock: FrozenClock, settings: Settings) -> None:
    notice, authority, provider = _order(session, clock, settings)
    doc = annex.annex_i(session, clock, settings, principal(authority), notice.id)
    tampered = copy.deepcopy(doc)
    tampered["section_b"]["urls"].append("https://video.example.org/watch/999")
    with pytest.raises(InvalidInput, match="altered"):
        annex.import_order(session, clock, settings, principal(authority), tampered)
    unsigned = {k: v for k, v in copy.deepcopy(doc).items() if k != "signature"}
    unsigned["section_b"]["reasons"] = ""
    with pytest.raises(InvalidInput) as no_reasons:
        annex.import_order(session, clock, settings, principal(authority), unsigned)
    assert no_reasons.value.field == "reasons"
    unsigned["section_b"]["reasons"], unsigned["section_a"]["issued_at"] = "Glorifies.", "yesterday"
    with pytest.raises(InvalidInput) as bad_time:
        annex.import_order(session, clock, settings, principal(authority), unsigned)
    assert bad_time.value.field == "issued_at"
    with pytest.raises(PermissionDenied):
        annex.import_order(session, clock, settings, principal(provider), doc)
    stranger = {**unsigned, "section_a": {**unsigned["section_a"], "issued_at": None,
                                          "addressee": {"organisation_id": "org_nope", "name": "Nobody"}}}
    with pytest.raises(InvalidInput) as unknown:
        annex.import_order(session, clock, settings, principal(authority), stranger)
    assert unknown.value.field == "section_a.addressee"
    german, _ = org(session, clock, "authority", country="DE")
    with pytest.raises(InvalidInput) as state:
        annex.import_order(session, clock, settings, principal(german), doc)
    assert state.value.field == "section_a.issuing_member_state"
    with pytest.raises(InvalidInput) as not_annex:
        annex.import_order(session, clock, settings, principal(authority), {**doc, "annex": "II"})
    assert not_annex.value.field == "schema"


def test_an_order_is_not_issued_in_the_future(session: Session, clock: FrozenClock, settings: Settings) -> None:
    _, issuer = org(session, clock, "authority")
    provider, _ = org(session, clock, "provider")
    later = (clock.now() + timedelta(minutes=6)).isoformat()
    with pytest.raises(InvalidInput) as refused:
        service.receive(session, clock, settings, issuer, payload("removal_order", provider.id, issued_at=later))
    assert refused.value.field == "issued_at"
    skewed = (clock.now() + timedelta(minutes=4)).isoformat()
    assert service.receive(session, clock, settings, issuer,
                           payload("removal_order", provider.id, issued_at=skewed)).details["issued_at"]
