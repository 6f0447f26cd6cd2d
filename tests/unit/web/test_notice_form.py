"""The send-a-notice form names every problem at once, in words, beside the field it is about."""

from __future__ import annotations

from accord.errors import Conflict, InvalidInput
from accord.notices import kinds
from accord.web.ui import notice_form

ORDER = {"provider_id": "org_1", "reference": "FR-1", "urls": "https://video.example.org/v/1",
         "tco_types": ["incitement"], "reasons": "Glorifies an attack.", "legal_basis": "TCO Art. 3",
         "redress_body": "Tribunal", "redress_days": "30"}


def test_an_empty_removal_order_lists_every_missing_field() -> None:
    errors = notice_form.check("removal_order", {"redress_days": ""})
    assert set(errors) == {"provider_id", "reference", "urls", "tco_types", "reasons", "legal_basis",
                           "redress_body", "redress_days"}
    assert all("_" not in message for message in errors.values()), errors  # no internal names


def test_a_complete_order_passes_and_becomes_the_api_document() -> None:
    assert notice_form.check("removal_order", ORDER) == {}
    data = notice_form.data("removal_order", ORDER)
    assert data["redress"] == {"body": "Tribunal", "deadline_days": 30} and data["urls"] == [ORDER["urls"]]


def test_urls_without_a_scheme_and_bad_days_are_named_by_line() -> None:
    errors = notice_form.check("removal_order", {**ORDER, "urls": "https://a.example/1\nb.example/2",
                                                 "redress_days": "0"})
    assert errors["urls"].startswith("Line 2:") and "redress_days" in errors


def test_a_referral_needs_no_order_fields() -> None:
    referral = {"provider_id": "org_1", "urls": "https://a.example/1", "reasons": "r", "clause": "Terms 4.2"}
    assert notice_form.check("referral", referral) == {}
    assert "legal_basis" not in {f.name for f in notice_form.fields_for("trusted_flag")}


def test_service_errors_land_on_the_form_field() -> None:
    assert notice_form.field_of(InvalidInput("bad host", field="urls[2]")) == ("urls", "Line 3: bad host")
    assert notice_form.field_of(InvalidInput("redress needs the body that hears a challenge",
                                             field="redress.body"))[0] == "redress_body"
    assert notice_form.field_of(Conflict("first order", field="emergency"))[0] == "emergency_reason"


def test_every_type_of_terrorist_content_has_words() -> None:
    assert set(notice_form.TCO_TYPE_LABELS) == set(kinds.TCO_TYPES)
