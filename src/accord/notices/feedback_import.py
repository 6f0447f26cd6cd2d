"""Annex II/III feedback made in another system, imported onto the order it answers (TCO Art. 3(6)-(8); EUR-03).

An authority whose order reached the provider through another channel (PERCI, e-mail, the provider's own tool)
brings the provider's feedback in as the Annex II or III document the other side produced (``feedback``'s
schemas: ``accord:tco-annex-ii:v1``, ``accord:tco-annex-iii:v1``). The order is found among the caller's own
orders by the document's reference; a signed document must verify and be signed as a hosting service provider;
the answer is then recorded as if the provider had given it here, at the time the document states it acted, so
that the one-hour clock, the Art. 8 report and the order's feedback read the same as for an answer given in
Accord. Only the order's record changes: the provider's decision, statement of reasons and preservation belong to
the system in which it acted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.clock import Clock
from accord.errors import Conflict, InvalidInput, NotFound
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.notices import service
from accord.notices.annex import provenance
from accord.notices.feedback import SCHEMAS
from accord.notices.models import Notice
from accord.settings import Settings

SIGNER_ROLE: Final = "hosting_service_provider"
MEASURES: Final = ("removed", "disabled")


def _mapping(doc: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = doc.get(name)
    if not isinstance(value, dict):
        raise InvalidInput(f"an Annex {doc.get('annex')} document needs {name}", field=name)
    return value


def _annex(doc: Mapping[str, Any]) -> str:
    annex = doc.get("annex")
    if annex not in ("II", "III") or doc.get("schema") != SCHEMAS[annex]:
        raise InvalidInput(f"not an Annex II or III document (schema {SCHEMAS['II']!r} or {SCHEMAS['III']!r})",
                           field="schema")
    return str(annex)


def _order(session: Session, principal: Principal, doc: Mapping[str, Any]) -> Notice:
    """The caller's own removal order that the document answers, by its reference and addressee."""
    reference = doc.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise InvalidInput("the document names no order reference", field="reference")
    query = select(Notice).where(Notice.issuer_id == principal.org_id, Notice.kind == "removal_order",
                                 Notice.reference == reference.strip())
    found = [n for n in session.scalars(query) if _addressed_to(session, n, doc)]
    if not found:
        raise NotFound(f"no removal order {reference!r} of yours to that provider")
    if len(found) > 1:
        raise Conflict(f"several of your orders carry reference {reference!r}", field="reference")
    return found[0]


def _addressed_to(session: Session, notice: Notice, doc: Mapping[str, Any]) -> bool:
    named = doc.get("provider")
    provider: Mapping[str, Any] = named if isinstance(named, dict) else {}
    org = session.get(Organisation, notice.provider_id)
    return provider.get("id") == notice.provider_id or (org is not None and provider.get("name") == org.name)


def _origin(doc: Mapping[str, Any]) -> dict[str, Any]:
    origin = provenance(doc)
    if origin["signed"] and origin["signer"].get("role") != SIGNER_ROLE:
        raise InvalidInput("feedback is signed by the hosting service provider", field="signature")
    return origin


def _acted_at(clock: Clock, notice: Notice, value: Any) -> datetime:
    """When the provider acted, as the document says: after the order's receipt and not in the future."""
    try:
        acted = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        acted = None
    if acted is None or acted.tzinfo is None:
        raise InvalidInput("the time of action is an ISO 8601 timestamp with a time zone", field="action_at")
    if (notice.received_at and acted < notice.received_at) or acted > clock.now() + service.ISSUE_SKEW:
        raise InvalidInput("the time of action falls before the order's receipt or in the future",
                           field="action_at")
    return acted


def _answer(doc: Mapping[str, Any], annex: str) -> dict[str, Any]:
    """The answer the document gives, as ``service.record_outcome``'s arguments (validated there)."""
    b = _mapping(doc, "section_b")
    if annex == "II":
        if b.get("measure") not in MEASURES:
            raise InvalidInput(f"section_b.measure is one of {', '.join(MEASURES)}", field="section_b.measure")
        countries = b.get("countries") or []
        return {"outcome": b["measure"], "countries": countries if isinstance(countries, list) else [],
                "ground": None, "explanation": ""}
    return {"outcome": "cannot_comply", "countries": (), "ground": b.get("ground"),
            "explanation": str(b.get("explanation") or "")}


def import_feedback(session: Session, clock: Clock, settings: Settings, principal: Principal,
                    doc: Mapping[str, Any]) -> Notice:
    """Record on the caller's order the Annex II or III feedback the provider gave in another system."""
    principal.require_scope("notices:write")
    principal.require_kind("authority")
    annex = _annex(doc)
    notice = _order(session, principal, doc)
    origin = _origin(doc)
    acted = _acted_at(clock, notice, _mapping(doc, "section_b").get("action_at") if annex == "II"
                      else doc.get("outcome_at"))
    service.record_outcome(session, clock, principal.actor, notice, reasons="", automated=False, at=acted,
                           **_answer(doc, annex))
    imported = {**origin, "annex": annex, "imported_at": clock.now().isoformat()}
    notice.details = {**notice.details, "imported_feedback": imported}
    record(session, clock, principal.actor, Event.NOTICES_FEEDBACK_IMPORT, subject=notice.id, org_id=principal.org_id,
           payload={"provider_id": notice.provider_id, "reference": notice.reference, "annex": annex,
                    "outcome": notice.outcome, "acted_at": acted.isoformat(), "signed": origin["signed"],
                    "fingerprint": origin.get("fingerprint")})
    return notice
