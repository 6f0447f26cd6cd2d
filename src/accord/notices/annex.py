"""A removal order as the document of TCO Annex I, signed by the issuing authority; and the way back, an Annex I
document from another system (the same schema) made into an order here.

Sections as in the Annex: **A** issuing Member State, addressee and legal representative, contact point, Member
State of main establishment, time of issue, reference; **B** URLs and identifying information, the Art. 2(7)
boxes and reasons; **C** information to the content provider (non-disclosure, or how to contest); **D** the copy
to the host Member State's authority (Art. 4); **E** the issuing authority (type, name, representative, file
number, contact) and its signature; **F** follow-up contacts; **G** redress (body or court, deadline, national
law). The JSON is the contract (``SCHEMA``); the PDF (``annex_pdf``) prints the same document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.clock import Clock
from accord.errors import InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Organisation
from accord.identity.service import Principal, get_organisation
from accord.identity.signing import sign_document, verify_document
from accord.notices import service
from accord.notices.annex_pdf import Printable, render, signature_rows, text, tick
from accord.notices.models import Notice
from accord.settings import Settings

SCHEMA: Final = "accord:tco-annex-i:v1"
TITLE: Final = "Removal order (Article 3 of Regulation (EU) 2021/784)"
# Annex I section B: the boxes of TCO Art. 2(7), in the Annex's order and words.
TCO_BOXES: Final = {
    "incitement": "incites others to commit terrorist offences, such as by the glorification of terrorist acts, "
                  "advocating the commission of such offences (Art. 2(7)(a))",
    "solicitation_commit": "solicits others to commit or to contribute to terrorist offences (Art. 2(7)(b))",
    "solicitation_group": "solicits others to participate in the activities of a terrorist group (Art. 2(7)(c))",
    "instruction": "provides instruction on the making or use of explosives, firearms or other weapons or noxious "
                   "or hazardous substances, or on other specific methods or techniques for the purpose of "
                   "committing or contributing to terrorist offences (Art. 2(7)(d))",
    "threat": "constitutes a threat to commit one of the terrorist offences (Art. 2(7)(e))",
}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _org(session: Session, org_id: str | None) -> Organisation | None:
    return session.get(Organisation, org_id) if org_id else None


def _contact(org: Organisation | None) -> dict[str, Any] | None:
    if org is None:
        return None
    return {"organisation_id": org.id, "name": org.name, "email": org.contact_email, "phone": org.contact_phone,
            "languages": list(org.contact_languages or [])}


def _section_a(notice: Notice, provider: Organisation | None) -> dict[str, Any]:
    details = notice.details
    representative = details.get("legal_representative")
    establishment = details.get("establishment_member_state") or (
        representative.get("member_state") if representative else None) or (provider.country if provider else None)
    return {
        "issuing_member_state": notice.member_state,
        "addressee": {"organisation_id": notice.provider_id, "name": provider.name if provider else None,
                      "legal_representative": representative},
        "contact_point": _contact(provider), "establishment_member_state": establishment,
        "issued_at": details.get("issued_at") or _iso(notice.created_at), "reference": notice.reference,
    }


def _section_b(notice: Notice) -> dict[str, Any]:
    details = notice.details
    return {
        "urls": list(notice.urls), "identifying_info": details.get("identifying_info", ""),
        "tco_types": list(notice.tco_types), "tco_boxes": [TCO_BOXES[t] for t in notice.tco_types if t in TCO_BOXES],
        "reasons": details.get("reasons", ""), "legal_basis": details.get("legal_basis", ""),
        "emergency": notice.emergency, "emergency_reason": details.get("emergency_reason", ""),
    }


def _section_c(notice: Notice) -> dict[str, Any]:
    days = notice.details.get("nondisclosure_days")
    return {"nondisclosure": days is not None, "nondisclosure_days": days,
            "nondisclosure_until": _iso(notice.nondisclosure_until),
            "note": ("For reasons of public security the addressee must not inform the content provider before "
                     "the end of the period (Art. 11(3))." if days is not None else
                     "The content provider may contest the order: see section G.")}


def _section_d(notice: Notice, host: Organisation | None) -> dict[str, Any]:
    return {"cross_border": notice.cross_border, "copy_sent_to": _contact(host) if notice.cross_border else None,
            "host_member_state": host.country if host and notice.cross_border else None}


def _section_e(notice: Notice, issuer: Organisation | None) -> dict[str, Any]:
    details = notice.details
    return {
        "authority_type": details.get("authority_type"),
        "authority": {"organisation_id": notice.issuer_id, "name": issuer.name if issuer else None,
                      "member_state": issuer.country if issuer else None},
        "signatory": details.get("signatory"), "file_number": details.get("file_number") or notice.reference,
        "email": issuer.contact_email if issuer else None, "telephone": issuer.contact_phone if issuer else None,
        "date": (details.get("issued_at") or _iso(notice.created_at) or "")[:10],
    }


def _section_f(notice: Notice, issuer: Organisation | None, host: Organisation | None) -> dict[str, Any]:
    given = notice.details.get("follow_up_contact")
    issuer_contact = _contact(issuer) or {}
    if given:
        issuer_contact = {**issuer_contact, **{k: v for k, v in given.items() if v}}
    return {"issuing_authority": issuer_contact or None,
            "host_authority": _contact(host) if notice.cross_border else None}


def _section_g(notice: Notice) -> dict[str, Any]:
    redress = notice.details.get("redress") or {}
    return {"body": redress.get("body"), "deadline_days": redress.get("deadline_days"),
            "national_law": redress.get("national_law"),
            "starting_from": "the receipt of the removal order"}


def document(session: Session, notice: Notice) -> dict[str, Any]:
    """The unsigned Annex I document of a removal order."""
    if notice.kind != "removal_order":
        raise InvalidInput("only a removal order has an Annex I document", field="kind")
    issuer, provider = _org(session, notice.issuer_id), _org(session, notice.provider_id)
    host = _org(session, notice.host_authority_id)
    body = {
        "annex": "I", "schema": SCHEMA, "title": TITLE, "notice_id": notice.id,
        "section_a": _section_a(notice, provider), "section_b": _section_b(notice),
        "section_c": _section_c(notice), "section_d": _section_d(notice, host),
        "section_e": _section_e(notice, issuer), "section_f": _section_f(notice, issuer, host),
        "section_g": _section_g(notice),
    }
    if notice.details.get("imported"):
        body["imported_from"] = notice.details["imported"]
    # Through JSON once, so that what is signed is exactly what is served (no datetime or tuple left).
    loaded: dict[str, Any] = json.loads(json.dumps(body))
    return loaded


def annex_i(session: Session, clock: Clock, settings: Settings, principal: Principal,
            notice_id: str) -> dict[str, Any]:
    """The signed Annex I of an order, for its issuer, its addressee, the host authority that got a copy, or
    Europol when the issuer sent it one (TCO Art. 14(4))."""
    notice = service.get_notice(session, principal, notice_id)
    body = document(session, notice)
    if notice.issuer_id is None:  # pragma: no cover - removal orders always have an issuing authority
        raise InvalidInput("the order has no issuing authority", field="issuer_id")
    return sign_document(session, clock, settings, notice.issuer_id, "issuing_authority", body)


# ---- import ---------------------------------------------------------------------------------------------------


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"an Annex I document needs {name}", field=name)
    return value


def _addressee(session: Session, section_a: Mapping[str, Any]) -> str:
    """The addressee here: by organisation id when this instance knows it, else by name."""
    addressee = _mapping(section_a.get("addressee"), "section_a.addressee")
    for ref in (addressee.get("organisation_id"), addressee.get("name")):
        if isinstance(ref, str) and ref:
            try:
                return get_organisation(session, ref).id
            except NotFound:
                continue
    raise InvalidInput("the addressee of the order is not a provider on this instance",
                       field="section_a.addressee")


def _optional(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value not in (None, "", [], {})}


def order_fields(session: Session, doc: Mapping[str, Any]) -> dict[str, Any]:
    """An Annex I document as the fields of a removal order, for ``service.receive`` to validate as any other."""
    _check_schema(doc)
    a, b = _mapping(doc.get("section_a"), "section_a"), _mapping(doc.get("section_b"), "section_b")
    c, d = _mapping(doc.get("section_c"), "section_c"), _mapping(doc.get("section_d"), "section_d")
    e, f = _mapping(doc.get("section_e"), "section_e"), _mapping(doc.get("section_f"), "section_f")
    g = _mapping(doc.get("section_g"), "section_g")
    representative = _mapping(a.get("addressee"), "section_a.addressee").get("legal_representative")
    contact = f.get("issuing_authority") or {}
    return {"kind": "removal_order", "provider_id": _addressee(session, a), "reference": a.get("reference"),
            "urls": b.get("urls"), "tco_types": b.get("tco_types"), "reasons": b.get("reasons"),
            "legal_basis": b.get("legal_basis"), "issued_at": a.get("issued_at"),
            "redress": _optional(body=g.get("body"), deadline_days=g.get("deadline_days"),
                                 national_law=g.get("national_law")),
            **_optional(identifying_info=b.get("identifying_info"), emergency=b.get("emergency") or None,
                        emergency_reason=b.get("emergency_reason"), nondisclosure_days=c.get("nondisclosure_days"),
                        cross_border=d.get("cross_border"), legal_representative=representative,
                        establishment_member_state=a.get("establishment_member_state"),
                        authority_type=e.get("authority_type"), file_number=e.get("file_number"),
                        signatory=e.get("signatory"),
                        follow_up_contact=_optional(email=contact.get("email"), name=contact.get("name"),
                                                    phone=contact.get("phone")) if contact.get("email") else None)}


def _check_schema(doc: Mapping[str, Any]) -> None:
    if doc.get("annex") != "I" or doc.get("schema") != SCHEMA:
        raise InvalidInput(f"not an Annex I document (annex 'I', schema {SCHEMA!r})", field="schema")


def provenance(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Where an imported document came from; a signed document must verify, or nothing is taken in."""
    origin = {"notice_id": doc.get("notice_id"), "signed": "signature" in doc}
    if "signature" in doc:
        verified = verify_document(doc)
        origin.update(signer=verified.signer, fingerprint=verified.fingerprint, public_key=verified.public_key)
    return origin


def _check_issuer(session: Session, principal: Principal, doc: Mapping[str, Any]) -> None:
    """An authority imports the orders it issued elsewhere: one naming another issuing Member State is refused."""
    if principal.org_kind != "authority":
        raise PermissionDenied("only authorities import removal orders")
    issuer = session.get(Organisation, principal.org_id)
    state = _mapping(doc.get("section_a"), "section_a").get("issuing_member_state")
    if issuer is not None and state and issuer.country and state != issuer.country:
        raise InvalidInput(f"the order was issued in {state}; the caller is an authority of {issuer.country}",
                           field="section_a.issuing_member_state")


def import_order(session: Session, clock: Clock, settings: Settings, principal: Principal,
                 doc: Mapping[str, Any]) -> Notice:
    """Take in an Annex I document from another system: checked as any order sent here (same fields, same intake
    rules), its signature verified when it carries one; the order is then issued from the caller."""
    principal.require_scope("notices:write")
    _check_schema(doc)
    _check_issuer(session, principal, doc)
    origin = provenance(doc)
    notice = service.receive(session, clock, settings, principal, order_fields(session, doc))
    notice.details = {**notice.details, "imported": origin}
    record(session, clock, principal.actor, Event.NOTICES_NOTICE_IMPORT, subject=notice.id, org_id=principal.org_id,
           payload={"provider_id": notice.provider_id, "reference": notice.reference, **{
               k: origin[k] for k in ("notice_id", "signed")}, "fingerprint": origin.get("fingerprint")})
    return notice


# ---- print ----------------------------------------------------------------------------------------------------

_INTRO: Final = (
    "Under Article 3 of Regulation (EU) 2021/784 (the 'Regulation') the addressee shall remove the terrorist "
    "content or disable access to it in all Member States as soon as possible and in any event within one hour "
    "of receipt of this removal order.",
    "Under Article 6 of the Regulation the addressee shall preserve the content and related data that were "
    "removed or to which access was disabled for six months, or longer on request of the competent authorities "
    "or courts.",
    "Under Article 15(2) of the Regulation this removal order is sent in one of the languages designated by the "
    "addressee.",
)
_AUTHORITY_TYPES: Final = {"judicial": "judge, court or investigating judge", "law_enforcement":
                           "law enforcement authority", "other": "other competent authority (complete section F)"}


def _rows_a(a: Mapping[str, Any]) -> list[tuple[str, str]]:
    addressee = a.get("addressee") or {}
    return [("Member State of the issuing competent authority", text(a.get("issuing_member_state"))),
            ("Addressee", f"{text(addressee.get('name'))} ({text(addressee.get('organisation_id'))})"),
            ("Legal representative, where relevant", text(addressee.get("legal_representative"))),
            ("Contact point", text(a.get("contact_point"))),
            ("Member State of main establishment or of the legal representative",
             text(a.get("establishment_member_state"))),
            ("Time and date of issuing", text(a.get("issued_at"))), ("Reference number", text(a.get("reference")))]


def _rows_b(b: Mapping[str, Any]) -> list[tuple[str, str]]:
    chosen = set(b.get("tco_types") or [])
    boxes = [tick(name in chosen, label) for name, label in TCO_BOXES.items()]
    return [("URL(s) and information identifying the exact location of the content", text(b.get("urls"))),
            ("Additional identifying information", text(b.get("identifying_info"))),
            ("Reasons (Art. 2(7)): the material", "\n".join(boxes)),
            ("Additional information on the reasons", text(b.get("reasons"))),
            ("Legal basis", text(b.get("legal_basis"))),
            ("Emergency (Art. 3(2))", f"{text(b.get('emergency'))} {text(b.get('emergency_reason'))}")]


def _rows_c_d(c: Mapping[str, Any], d: Mapping[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    days = c.get("nondisclosure_days")
    rows_c = [("", tick(bool(c.get("nondisclosure")), f"for reasons of public security the addressee must refrain "
                        f"from informing the content provider (Art. 11(3)) for {text(days)} days")),
              ("", text(c.get("note")))]
    rows_d = [("", tick(bool(d.get("cross_border")), "the Member State of main establishment or legal "
                        "representative is not the issuing Member State; a copy of this order is sent to its "
                        "competent authority (Art. 4)")), ("Copy sent to", text(d.get("copy_sent_to")))]
    return rows_c, rows_d


def _rows_e(e: Mapping[str, Any], signature: Any) -> list[tuple[str, str]]:
    kind = e.get("authority_type")
    boxes = [tick(kind == name, label) for name, label in _AUTHORITY_TYPES.items()]
    return [("Type of authority", "\n".join(boxes)), ("Issuing competent authority", text(e.get("authority"))),
            ("Representative certifying the order (name, post)", text(e.get("signatory"))),
            ("File number", text(e.get("file_number"))), ("E-mail", text(e.get("email"))),
            ("Telephone", text(e.get("telephone"))), ("Date", text(e.get("date"))), *signature_rows(signature)]


def printable(doc: Mapping[str, Any]) -> Printable:
    """The Annex I document laid out for print."""
    a, b, c, d = (_mapping(doc.get(f"section_{s}"), f"section_{s}") for s in "abcd")
    e, f, g = (_mapping(doc.get(f"section_{s}"), f"section_{s}") for s in "efg")
    rows_c, rows_d = _rows_c_d(c, d)
    sections = [
        ("SECTION A", _rows_a(a)),
        ("SECTION B: content to be removed or disabled in all Member States within one hour", _rows_b(b)),
        ("SECTION C: information to the content provider", rows_c),
        ("SECTION D: information to the authority of the Member State of main establishment", rows_d),
        ("SECTION E: details of the authority that issued the removal order", _rows_e(e, doc.get("signature"))),
        ("SECTION F: contact details for follow-up",
         [("Issuing authority (time of removal, clarification)", text(f.get("issuing_authority"))),
          ("Authority of the Member State of main establishment", text(f.get("host_authority")))]),
        ("SECTION G: information about redress",
         [("Competent body or court", text(g.get("body"))),
          ("Deadline for contesting the order", f"{text(g.get('deadline_days'))} days from "
                                                f"{text(g.get('starting_from'))}"),
          ("Provisions of national law", text(g.get("national_law")))]),
    ]
    return Printable(title=f"ANNEX I - {TITLE}", intro=_INTRO, sections=sections, created=a.get("issued_at"),
                     footer=(f"Accord notice {doc.get('notice_id')} - schema {doc.get('schema')}",), attachment=doc)


def annex_i_pdf(session: Session, clock: Clock, settings: Settings, principal: Principal, notice_id: str) -> bytes:
    """The signed Annex I printed as PDF."""
    return render(printable(annex_i(session, clock, settings, principal, notice_id)))
