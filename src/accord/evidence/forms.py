"""The Regulation's forms as signed documents and PDF: the EPOC (Annex I) or EPOC-PR (Annex II) signed with the
issuing authority's organisation key, and the information on the impossibility to execute (Annex III) signed with
the provider's. Printed with the same renderer as the removal order's Annex I (``notices.annex_pdf``), the signed
JSON embedded so that the PDF can be checked offline (``accord notice verify``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.clock import Clock, as_utc
from accord.errors import Conflict
from accord.evidence import rules
from accord.evidence.models import EvidenceOrder
from accord.evidence.service import IMPOSSIBILITY_GROUNDS, get_order
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.identity.signing import sign_document
from accord.notices.annex_pdf import Printable, render, signature_rows, text, tick
from accord.settings import Settings

TITLES = {"production": "Annex I — European Production Order Certificate (EPOC)",
          "preservation": "Annex II — European Preservation Order Certificate (EPOC-PR)"}


def _name(session: Session, org_id: str | None) -> str:
    org = session.get(Organisation, org_id) if org_id else None
    return f"{org.name} ({org.country or '-'})" if org else "-"


def order_form(session: Session, clock: Clock, settings: Settings, principal: Principal,
               order_id: str) -> dict[str, Any]:
    """The EPOC or EPOC-PR of the order, for the parties who see it, signed by the issuing authority."""
    order = get_order(session, principal, order_id)
    rule = rules.rule_for(order.kind, order.data_categories)
    document = {
        "form": "EPOC" if order.kind == "production" else "EPOC-PR", "regulation": "Regulation (EU) 2023/1543",
        "order_id": order.id, "reference": order.reference,
        "A_addressee": {"provider": _name(session, order.provider_id), "provider_id": order.provider_id},
        "B_issuing_authority": {"authority": _name(session, order.issuer_id), "issuer_type": order.issuer_type,
                                "issuing_state": order.issuing_state, "article": rule.article},
        "C_validation": {"validated_by": order.validated_by, "ex_post": order.validation or None},
        "D_data": {"categories": order.data_categories, "targets": order.targets},
        "E_offences": {"offences": order.offences, "max_sentence_years": order.max_sentence_years,
                       "listed_offence": rules.LISTED_OFFENCES.get(order.listed_offence or "")},
        "F_emergency": {"emergency": order.emergency, "reason": order.emergency_reason},
        "G_time_limits": {"received_at": as_utc(order.received_at).isoformat(),
                          "deadline_at": as_utc(order.deadline_at).isoformat() if order.deadline_at else None,
                          "preserve_until": (as_utc(order.preserve_until).isoformat()
                                             if order.preserve_until else None)},
        "H_notification": {"required": bool(order.notification.get("required")),
                           "enforcing_state": order.enforcing_state,
                           "enforcing_authority": _name(session, order.enforcing_authority_id)},
        "I_legal_basis": order.legal_basis,
    }
    return sign_document(session, clock, settings, order.issuer_id, "issuing authority", document)


def impossibility_form(session: Session, clock: Clock, settings: Settings, principal: Principal,
                       order_id: str) -> dict[str, Any]:
    """Annex III, once the provider answered that it cannot execute, signed by the provider."""
    order = get_order(session, principal, order_id)
    if order.answer.get("outcome") != "impossible":
        raise Conflict("the provider has not sent the impossibility form for this order", field="answer")
    document = {
        "form": "Annex III — information on the impossibility to execute", "regulation": "Regulation (EU) 2023/1543",
        "order_id": order.id, "reference": order.reference, "provider": _name(session, order.provider_id),
        "issuing_authority": _name(session, order.issuer_id),
        "grounds": order.answer.get("grounds", []), "explanation": order.answer.get("explanation", ""),
        "answered_at": as_utc(order.answered_at).isoformat() if order.answered_at else None,
        "review": order.review or None,
    }
    return sign_document(session, clock, settings, order.provider_id, "addressee", document)


def _order_printable(doc: dict[str, Any], order: EvidenceOrder) -> Printable:
    data = doc["D_data"]
    sections = [
        ("A. Addressee", [("Service provider", doc["A_addressee"]["provider"])]),
        ("B. Issuing authority", [("Authority", doc["B_issuing_authority"]["authority"]),
                                  ("Type", text(doc["B_issuing_authority"]["issuer_type"])),
                                  ("Rule applied", doc["B_issuing_authority"]["article"])]),
        ("C. Validation", [("Validated by", text(doc["C_validation"]["validated_by"])),
                           ("Ex-post validation (Art. 4(5))", text(doc["C_validation"]["ex_post"]))]),
        ("D. Data requested", [("Categories", "\n".join(tick(c in data["categories"], c)
                                                         for c in rules.CATEGORIES)),
                               ("Accounts and URLs", text(data["targets"]))]),
        ("E. Offences", [("Offences", text(doc["E_offences"]["offences"])),
                         ("Maximum custodial sentence (years)", text(doc["E_offences"]["max_sentence_years"])),
                         ("Listed offence (Art. 5(4))", text(doc["E_offences"]["listed_offence"]))]),
        ("F. Emergency", [("", tick(doc["F_emergency"]["emergency"], "emergency case")),
                          ("Reason", text(doc["F_emergency"]["reason"]))]),
        ("G. Time limits", [("Received", text(doc["G_time_limits"]["received_at"])),
                            ("Due" if order.kind == "production" else "Preserve until",
                             text(doc["G_time_limits"]["deadline_at"]))]),
        ("H. Notification of the enforcing authority (Art. 8)",
         [("", tick(doc["H_notification"]["required"], "notified")),
          ("Enforcing State and authority", f"{text(doc['H_notification']['enforcing_state'])}, "
                                            f"{doc['H_notification']['enforcing_authority']}")]),
        ("I. Legal basis", [("", text(doc["I_legal_basis"]))]),
        ("Signature", signature_rows(doc.get("signature"))),
    ]
    return Printable(title=TITLES[order.kind], intro=[f"Order {order.id}  ·  reference {text(order.reference)}"],
                     sections=sections, created=doc["G_time_limits"]["received_at"], attachment=doc)


def order_pdf(session: Session, clock: Clock, settings: Settings, principal: Principal, order_id: str) -> bytes:
    doc = order_form(session, clock, settings, principal, order_id)
    return render(_order_printable(doc, get_order(session, principal, order_id)))


def impossibility_pdf(session: Session, clock: Clock, settings: Settings, principal: Principal,
                      order_id: str) -> bytes:
    doc = impossibility_form(session, clock, settings, principal, order_id)
    grounds = "\n".join(tick(g in doc["grounds"], f"{g} ({article})") for g, article in IMPOSSIBILITY_GROUNDS.items())
    return render(Printable(
        title="Annex III — Information on the impossibility to execute an EPOC / EPOC-PR",
        intro=[f"Order {doc['order_id']}  ·  reference {text(doc['reference'])}"],
        sections=[("Parties", [("Service provider", doc["provider"]),
                               ("Issuing authority", doc["issuing_authority"])]),
                  ("Grounds", [("", grounds), ("Explanation", text(doc["explanation"]))]),
                  ("Signature", signature_rows(doc.get("signature")))],
        created=doc["answered_at"], attachment=doc))
