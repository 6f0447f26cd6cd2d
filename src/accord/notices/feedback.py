"""Feedback to the issuer: TCO Annex II (the measure and its time) or Annex III (why an order was not executed),
and for voluntary notices the decision (DSA Art. 16(5)).

Each record is laid out in the Annex's sections (A: the order and its receipt; B: the measure, or the grounds
for not executing it; C: the provider, its main establishment or legal representative, the authorised person
and a contact e-mail) and signed with the provider's own Ed25519 key (``identity.signing``), so that the issuing
authority verifies it without trusting the instance that carried it (``accord notice verify FILE``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.errors import Conflict
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.identity.signing import sign_document
from accord.notices.annex_pdf import Printable, render, signature_rows, text, tick
from accord.notices.models import Notice
from accord.notices.service import executes_order, get_notice
from accord.settings import Settings

SCHEMAS: Final = {"II": "accord:tco-annex-ii:v1", "III": "accord:tco-annex-iii:v1", None: "accord:feedback:v1"}
TITLES: Final = {
    "II": "ANNEX II - Feedback following removal of terrorist content or disabling of access thereto "
          "(Article 3(6) of Regulation (EU) 2021/784)",
    "III": "ANNEX III - Information on the impossibility to execute the removal order "
           "(Article 3(7) and (8) of Regulation (EU) 2021/784)",
    None: "Feedback on a notice (DSA Art. 16(5))",
}
# Annex III section B: force majeure and de facto impossibility share one box in the Annex.
_GROUND_BOXES: Final = (
    (("force_majeure", "de_facto_impossibility"), "force majeure or de facto impossibility not attributable to "
                                                  "the hosting service provider, including objectively "
                                                  "justifiable technical or operational reasons"),
    (("manifest_error",), "the removal order contains manifest errors"),
    (("insufficient_information",), "the removal order does not contain sufficient information"),
)


def _annex(notice: Notice) -> str | None:
    if not notice.binding:
        return None
    if executes_order(notice.outcome, notice.outcome_detail.get("countries", [])):
        return "II"
    # Only Annex III grounds excuse not executing an order (TCO Art. 3(7)-(8)); anything else (a disabling in
    # some Member States only, recorded before Accord refused it) is neither feedback form.
    return "III" if notice.outcome == "cannot_comply" else None


def _ref(org: Organisation | None, org_id: str | None) -> dict[str, Any]:
    return {"id": org_id, "name": org.name if org else None}


def _section_a(notice: Notice, issuer: Organisation | None, provider: Organisation | None) -> dict[str, Any]:
    details = notice.details
    return {"addressee": _ref(provider, notice.provider_id), "issuing_authority": _ref(issuer, notice.issuer_id),
            "authority_file_reference": details.get("file_number") or notice.reference,
            "addressee_file_reference": notice.case_id or notice.id, "received_at": notice.received_at}


def _section_b(notice: Notice) -> dict[str, Any]:
    detail = notice.outcome_detail
    if _annex(notice) == "III":
        ground = detail.get("ground")
        return {"grounds": [label for names, label in _GROUND_BOXES if ground in names], "ground": ground,
                "explanation": detail.get("explanation", "")}
    return {"measure": notice.outcome, "removed": notice.outcome == "removed",
            "disabled_in_all_member_states": notice.outcome == "disabled" and not detail.get("countries"),
            "countries": detail.get("countries", []), "action_at": notice.outcome_at}


def _section_c(notice: Notice, provider: Organisation | None) -> dict[str, Any]:
    """The provider's own details: from its profile (``settings["annex"]``), else what the order said."""
    profile: Mapping[str, Any] = (provider.settings or {}).get("annex", {}) if provider else {}
    representative = profile.get("legal_representative") or notice.details.get("legal_representative")
    establishment = (representative or {}).get("member_state") or (provider.country if provider else None)
    return {"provider": _ref(provider, notice.provider_id), "legal_representative": representative,
            "establishment_member_state": establishment, "authorised_person": profile.get("authorised_person"),
            "contact_email": provider.contact_email if provider else None,
            "date": notice.outcome_at.date().isoformat() if notice.outcome_at else None}


def _body(session: Session, notice: Notice) -> dict[str, Any]:
    detail = notice.outcome_detail
    issuer = session.get(Organisation, notice.issuer_id) if notice.issuer_id else None
    provider = session.get(Organisation, notice.provider_id)
    annex = _annex(notice)
    return {
        "annex": annex, "schema": SCHEMAS[annex], "title": TITLES[annex], "notice_id": notice.id,
        "kind": notice.kind, "reference": notice.reference,
        "issuer": _ref(issuer, notice.issuer_id), "provider": _ref(provider, notice.provider_id),
        "urls": notice.urls, "received_at": notice.received_at, "acknowledged_at": notice.acknowledged_at,
        "outcome": notice.outcome, "outcome_at": notice.outcome_at, "countries": detail.get("countries", []),
        "reasons": detail.get("reasons", ""), "ground": detail.get("ground"),
        "explanation": detail.get("explanation", ""), "automated": detail.get("automated", False),
        "deadline_at": notice.deadline_at, "breach": notice.breached_at is not None,
        "breach_seconds": notice.breach_seconds,
        "section_a": _section_a(notice, issuer, provider), "section_b": _section_b(notice),
        "section_c": _section_c(notice, provider),
        **({"drill": True} if notice.drill else {}),  # a practice order (accord.readiness)
    }


def feedback_record(session: Session, clock: Clock, settings: Settings, notice: Notice) -> dict[str, Any]:
    """The Annex II/III record of a notice's latest outcome, signed by the provider."""
    if notice.outcome is None or notice.outcome_at is None:
        raise Conflict("the provider has not answered yet", field="outcome")
    body = json.loads(json.dumps(_body(session, notice), default=lambda v: v.isoformat()))
    return sign_document(session, clock, settings, notice.provider_id, "hosting_service_provider", body)


def feedback(session: Session, clock: Clock, settings: Settings, principal: Principal,
             notice_id: str) -> dict[str, Any]:
    return feedback_record(session, clock, settings, get_notice(session, principal, notice_id))


# ---- print ----------------------------------------------------------------------------------------------------


def _rows_b(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    b = record.get("section_b") or {}
    if record.get("annex") == "III":
        chosen = set(b.get("grounds") or [])
        return [("The removal order cannot be executed within the deadline for the following reason(s)",
                 "\n".join(tick(label in chosen, label) for _, label in _GROUND_BOXES)),
                ("Further information on the reasons", text(b.get("explanation")))]
    return [("Measures taken", "\n".join((tick(bool(b.get("removed")), "terrorist content removed"),
                                          tick(bool(b.get("disabled_in_all_member_states")),
                                               "access to terrorist content disabled in all Member States")))),
            ("Time and date of the measure", text(b.get("action_at")))]


def printable(record: Mapping[str, Any]) -> Printable:
    """An Annex II/III record laid out for print."""
    a, c = record.get("section_a") or {}, record.get("section_c") or {}
    rows_a = [("Addressee of the removal order", text(a.get("addressee"))),
              ("Competent authority that issued the removal order", text(a.get("issuing_authority"))),
              ("File reference of the competent authority", text(a.get("authority_file_reference"))),
              ("File reference of the addressee", text(a.get("addressee_file_reference"))),
              ("Time and date of receipt of the removal order", text(a.get("received_at"))),
              ("URL(s)", text(record.get("urls")))]
    rows_c = [("Hosting service provider", text(c.get("provider"))),
              ("Legal representative", text(c.get("legal_representative"))),
              ("Member State of main establishment or of the legal representative",
               text(c.get("establishment_member_state"))),
              ("Name of the authorised person", text(c.get("authorised_person"))),
              ("Contact e-mail", text(c.get("contact_email"))), ("Date", text(c.get("date"))),
              *signature_rows(record.get("signature"))]
    return Printable(title=TITLES.get(record.get("annex"), TITLES[None]), intro=(),
                     sections=[("SECTION A", rows_a), ("SECTION B", _rows_b(record)), ("SECTION C", rows_c)],
                     created=record.get("outcome_at"), footer=(f"Accord notice {record.get('notice_id')} - schema "
                                                                f"{record.get('schema')}",), attachment=record)


def feedback_pdf(session: Session, clock: Clock, settings: Settings, principal: Principal, notice_id: str) -> bytes:
    """The signed Annex II/III record printed as PDF."""
    return render(printable(feedback(session, clock, settings, principal, notice_id)))
