"""European Production and Preservation Orders (Regulation (EU) 2023/1543): issue, the enforcing authority's
notification and answer, the provider's answers, and what the issuing authority does after.

The law behind each step: who may issue what (Art. 4, ``rules``); for which offences (Art. 5); the notification
of the enforcing authority for traffic and content data of a person not resident in the issuing State (Art. 8),
which may raise grounds for refusal within 10 days, 96 hours in an emergency (Art. 10(2), (4), Art. 12), and
without which production of such data waits for the 10 days outside an emergency (Art. 10(2)); production within
10 days, 8 hours in an emergency (Art. 10(1), (4)); preservation for 60 days, extendable by 30 (Art. 11(1)); the
impossibility form (Annex III; Art. 10(5)-(8), 11(4)-(6)) and the review on conflicting third-country law
(Art. 17). Produced data is sealed for the issuing authority's public key at once (``sealing``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.db import new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.evidence import rules, sealing
from accord.evidence.models import EvidenceKey, EvidenceOrder, EvidencePackage
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.identity.signing import sign_document
from accord.jobs.webhooks import emit
from accord.settings import Settings

PRODUCTION_WINDOW = timedelta(days=10)  # Art. 10(1)
EMERGENCY_WINDOW = timedelta(hours=8)  # Art. 10(4)
PRESERVATION_PERIOD = timedelta(days=60)  # Art. 11(1)
PRESERVATION_EXTENSION = timedelta(days=30)  # Art. 11(1)
NOTIFICATION_ANSWER = timedelta(days=10)  # Art. 10(2), 12(1)
EMERGENCY_NOTIFICATION_ANSWER = timedelta(hours=96)  # Art. 10(4), 12(1)
VALIDATION_WINDOW = timedelta(hours=96)  # Art. 4(5)
PACKAGE_RETENTION = timedelta(days=30)  # a sealed package is purged this long after it was produced
MAX_TARGETS = 200

# Annex III: why the provider cannot execute, and the article that says what follows.
IMPOSSIBILITY_GROUNDS = {
    "incomplete_or_manifest_error": "Art. 10(6), 11(4)",  # the clock stops until the issuer clarifies
    "force_majeure": "Art. 10(7), 11(5)",
    "de_facto_impossibility": "Art. 10(7), 11(5)",
    "data_not_held": "Art. 10(7), 11(5)",
    "immunities_or_privileges": "Art. 10(5)",
    "third_country_conflict": "Art. 17",  # opens the review procedure (production orders)
}
# Art. 12(1): the grounds on which the notified enforcing authority may refuse.
REFUSAL_GROUNDS = ("immunities_or_privileges", "press_freedom", "ne_bis_in_idem", "dual_criminality",
                   "fundamental_rights")
REVIEW_DECISIONS = ("withdraw", "refer_to_court", "court_upheld", "court_lifted")
OUTCOMES = ("produce", "preserve", "impossible")
# received: the provider's clock runs; clarification: stopped for the issuer (Art. 10(6)); review: Art. 17.
OPEN_STATUSES = ("received", "clarification", "review", "preserved")
CLOSED_STATUSES = ("produced", "impossible", "refused", "withdrawn", "expired")


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment else None


# ---- keys ---------------------------------------------------------------------------------------------------


def register_key(session: Session, clock: Clock, principal: Principal, public_key: str) -> EvidenceKey:
    """The authority's public key; the previous one stops being used for new packages."""
    principal.require_kind("authority")
    refuse_nul(public_key=public_key)
    sealing.decode_public_key(public_key)
    now = clock.now()
    for old in session.scalars(select(EvidenceKey).where(EvidenceKey.org_id == principal.org_id,
                                                         EvidenceKey.revoked_at.is_(None))):
        old.revoked_at = now
    key = EvidenceKey(id=new_id("evk"), org_id=principal.org_id, public_key=public_key.strip(),
                      fingerprint=sealing.fingerprint(public_key.strip()), created_at=now, revoked_at=None)
    session.add(key)
    session.flush()
    record(session, clock, principal.actor, Event.EVIDENCE_KEY_REGISTER, subject=key.id, org_id=principal.org_id,
           payload={"fingerprint": key.fingerprint})
    return key


def active_key(session: Session, org_id: str) -> EvidenceKey | None:
    query = select(EvidenceKey).where(EvidenceKey.org_id == org_id, EvidenceKey.revoked_at.is_(None))
    return session.scalars(query.order_by(EvidenceKey.created_at.desc()).limit(1)).first()


def list_keys(session: Session, principal: Principal) -> list[EvidenceKey]:
    query = select(EvidenceKey).where(EvidenceKey.org_id == principal.org_id)
    return list(session.scalars(query.order_by(EvidenceKey.created_at.desc())))


# ---- reading ------------------------------------------------------------------------------------------------


def visible_to(order: EvidenceOrder, org_id: str) -> bool:
    return org_id in (order.issuer_id, order.provider_id, order.enforcing_authority_id)


def get_order(session: Session, principal: Principal, order_id: str) -> EvidenceOrder:
    """One order the caller issued, received or was notified of; anyone else's is NotFound."""
    order = session.get(EvidenceOrder, order_id)
    if order is None or not visible_to(order, principal.org_id):
        raise NotFound(f"no evidence order {order_id!r}")
    return order


def list_orders(session: Session, principal: Principal, *, status: str | None = None,
                limit: int = 100) -> list[EvidenceOrder]:
    org = principal.org_id
    query = select(EvidenceOrder).where(or_(EvidenceOrder.issuer_id == org, EvidenceOrder.provider_id == org,
                                            EvidenceOrder.enforcing_authority_id == org))
    if status:
        query = query.where(EvidenceOrder.status == status)
    query = query.order_by(EvidenceOrder.created_at.desc(), EvidenceOrder.id).limit(max(1, min(limit, 1000)))
    return list(session.scalars(query))


def packages_of(session: Session, order_id: str) -> list[EvidencePackage]:
    query = select(EvidencePackage).where(EvidencePackage.order_id == order_id)
    return list(session.scalars(query.order_by(EvidencePackage.created_at)))


def production_gate(order: EvidenceOrder, now: datetime) -> str | None:
    """Why the provider may not transmit yet (None: it may). Art. 10(2): where the enforcing authority is
    notified, outside an emergency the data is transmitted once it says it raises no ground for refusal, or at
    the end of the 10 days; in an emergency at once (Art. 10(4))."""
    note = order.notification
    if order.kind != "production" or not note.get("required") or order.emergency:
        return None
    if note.get("answer") == "no_grounds":
        return None
    due = datetime.fromisoformat(note["answer_due_at"])
    if now >= due:
        return None
    return (f"Art. 10(2): the enforcing authority was notified; the data is transmitted once it raises no ground "
            f"for refusal, or at the end of the 10 days ({due.isoformat()})")


# ---- issue --------------------------------------------------------------------------------------------------


@dataclass
class OrderRequest:
    """An EPOC or EPOC-PR as the issuing authority fills it in (Annex I, II)."""

    kind: str
    provider_id: str
    data_categories: Sequence[str]
    targets: Sequence[str]
    issuer_type: str
    offences: Sequence[str]
    legal_basis: str
    validated_by: str | None = None
    emergency: bool = False
    emergency_reason: str = ""
    max_sentence_years: int | None = None
    listed_offence: str | None = None
    resides_in_issuing_state: bool = False
    enforcing_authority_id: str | None = None
    reference: str = ""


def _provider(session: Session, provider_id: str) -> Organisation:
    org = session.get(Organisation, provider_id)
    if org is None or org.kind != "provider":
        raise InvalidInput(f"no provider {provider_id!r}", field="provider_id")
    return org


def _enforcing_authority(session: Session, wanted: str | None, state: str | None, issuer_id: str) -> str | None:
    """The named authority of the enforcing State, or the first one of that State on the instance (None: the
    notification goes outside Accord, and its answer is recorded by the issuer)."""
    if wanted is not None:
        org = session.get(Organisation, wanted)
        if org is None or org.kind != "authority" or org.id == issuer_id:
            raise InvalidInput(f"no enforcing authority {wanted!r}", field="enforcing_authority_id")
        if state is not None and org.country != state:
            raise InvalidInput(f"Art. 8(1): the enforcing authority is that of {state}, where the provider is "
                               "established", field="enforcing_authority_id")
        return org.id
    if state is None:
        return None
    query = select(Organisation.id).where(Organisation.kind == "authority", Organisation.country == state,
                                          Organisation.id != issuer_id)
    found: str | None = session.scalars(query.order_by(Organisation.created_at).limit(1)).first()
    return found


def _clean_targets(targets: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(t.strip() for t in targets if t.strip()))
    if not cleaned:
        raise InvalidInput("name the accounts or URLs the order is about (Annex I, section D)", field="targets")
    if len(cleaned) > MAX_TARGETS or any(len(t) > 2048 for t in cleaned):
        raise InvalidInput(f"at most {MAX_TARGETS} targets of 2048 characters", field="targets")
    return cleaned


def refuse_nul(**fields: object) -> None:
    """Text with a NUL character cannot be stored (PostgreSQL); refuse it by field, whatever the door."""
    for name, value in fields.items():
        values = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise InvalidInput(f"{name} contains a NUL character", field=name)


def issue(session: Session, clock: Clock, principal: Principal, request: OrderRequest) -> EvidenceOrder:
    """Check the order against Art. 4, 5 and 8, then deliver it to the provider with its clock running."""
    principal.require_kind("authority")
    refuse_nul(**vars(request))
    categories = rules.check_categories(request.kind, request.data_categories)
    needs_validation = rules.check_issuer(request.kind, categories, request.issuer_type, request.validated_by,
                                          emergency=request.emergency)
    rules.check_offences(request.kind, categories, request.offences, max_sentence_years=request.max_sentence_years,
                         listed_offence=request.listed_offence)
    if request.emergency and not request.emergency_reason.strip():
        raise InvalidInput("say why this is an emergency (Art. 3(18): an imminent threat to life, physical "
                           "integrity or safety, or to critical infrastructure)", field="emergency_reason")
    if not request.legal_basis.strip():
        raise InvalidInput("state the legal basis of the order", field="legal_basis")
    targets = _clean_targets(request.targets)
    provider = _provider(session, request.provider_id)
    issuer = session.get(Organisation, principal.org_id)
    issuing_state = issuer.country if issuer else None
    if request.kind == "production" and active_key(session, principal.org_id) is None:
        raise InvalidInput("register a public key first (POST /v1/evidence-keys): produced data is sealed for it",
                           field="kind")
    now = clock.now()
    notify = rules.needs_notification(request.kind, categories,
                                      resides_in_issuing_state=request.resides_in_issuing_state,
                                      issuing_state=issuing_state, enforcing_state=provider.country)
    enforcing = _enforcing_authority(session, request.enforcing_authority_id, provider.country,
                                     principal.org_id) if notify else None
    order = EvidenceOrder(
        id=new_id("epo"), kind=request.kind, issuer_id=principal.org_id, provider_id=provider.id,
        enforcing_authority_id=enforcing, reference=request.reference.strip()[:200], issuing_state=issuing_state,
        enforcing_state=provider.country, data_categories=categories, targets=targets,
        issuer_type=request.issuer_type, validated_by=request.validated_by,
        validation=({"required": True, "due_at": _iso(now + VALIDATION_WINDOW)} if needs_validation else {}),
        emergency=request.emergency, emergency_reason=request.emergency_reason.strip(),
        offences=[o.strip() for o in request.offences if o.strip()], max_sentence_years=request.max_sentence_years,
        listed_offence=request.listed_offence, legal_basis=request.legal_basis.strip(),
        resides_in_issuing_state=request.resides_in_issuing_state, notification={"required": notify},
        status="received", received_at=now, window_started_at=now, escalated=[], history=[], extensions=0,
        review={}, answer={}, created_at=now,
    )
    if request.kind == "production":
        order.deadline_at = now + (EMERGENCY_WINDOW if request.emergency else PRODUCTION_WINDOW)
    else:
        order.preserve_until = order.deadline_at = now + PRESERVATION_PERIOD
    if notify:
        answer_window = EMERGENCY_NOTIFICATION_ANSWER if request.emergency else NOTIFICATION_ANSWER
        order.notification = {"required": True, "enforcing_authority_id": enforcing, "notified_at": _iso(now),
                              "answer_due_at": _iso(now + answer_window), "answer": None}
    session.add(order)
    session.flush()
    record(session, clock, principal.actor, Event.EVIDENCE_ORDER_ISSUE, subject=order.id, org_id=principal.org_id,
           payload={**_facts(order), "issuer_type": order.issuer_type, "validated_by": order.validated_by,
                    "validation_required": needs_validation, "received_at": _iso(now),
                    "deadline_at": _iso(order.deadline_at)})
    emit(session, clock, org_id=provider.id, event="evidence.order",
         data={"order_id": order.id, "kind": order.kind, "emergency": order.emergency,
               "deadline_at": _iso(order.deadline_at)})
    if notify and enforcing is not None:
        record(session, clock, principal.actor, Event.EVIDENCE_ORDER_NOTIFY, subject=order.id, org_id=principal.org_id,
               payload={**_facts(order), "answer_due_at": order.notification["answer_due_at"]})
        emit(session, clock, org_id=enforcing, event="evidence.notification",
             data={"order_id": order.id, "answer_due_at": order.notification["answer_due_at"]})
    return order


def _facts(order: EvidenceOrder) -> dict[str, Any]:
    """What every event about an order carries (reports are computed from these)."""
    return {"kind": order.kind, "issuer_id": order.issuer_id, "provider_id": order.provider_id,
            "enforcing_authority_id": order.enforcing_authority_id, "issuing_state": order.issuing_state,
            "enforcing_state": order.enforcing_state, "data_categories": order.data_categories,
            "emergency": order.emergency, "notification_required": bool(order.notification.get("required"))}


def _note(order: EvidenceOrder, clock: Clock, **entry: Any) -> None:
    order.history = [*order.history, {**entry, "at": _iso(clock.now())}]


# ---- the provider's answers ---------------------------------------------------------------------------------


@dataclass
class Answer:
    outcome: str
    data: bytes | None = None
    filename: str = "evidence.bin"
    media_type: str = "application/octet-stream"
    grounds: Sequence[str] = field(default_factory=tuple)
    explanation: str = ""
    preserved_item_id: str | None = None


def decode_data(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("data_base64 must be base64", field="data_base64") from None


def answer(session: Session, clock: Clock, settings: Settings, principal: Principal, order_id: str,
           reply: Answer) -> EvidenceOrder:
    """The addressee produces (sealed for the issuer), confirms preservation, or says it cannot (Annex III)."""
    order = get_order(session, principal, order_id)
    if principal.org_id != order.provider_id:
        raise PermissionDenied("only the addressed provider answers an evidence order")
    if reply.outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    refuse_nul(explanation=reply.explanation, grounds=list(reply.grounds), filename=reply.filename,
               media_type=reply.media_type, preserved_item_id=reply.preserved_item_id)
    if order.status != "received":
        raise Conflict(f"the order is {order.status}; only a received order is answered", field="status")
    now = clock.now()
    package: EvidencePackage | None = None
    if reply.outcome == "produce":
        package = _produce(session, clock, settings, order, reply)
        order.status = "produced"
    elif reply.outcome == "preserve":
        if order.kind != "preservation":
            raise InvalidInput("a production order is answered by producing the data (Art. 10)", field="outcome")
        order.status = "preserved"
    else:
        order.status = _impossible(order, reply, now)
    late = order.deadline_at is not None and order.kind == "production" and now > as_utc(order.deadline_at)
    order.answer = {"outcome": reply.outcome, "grounds": list(reply.grounds), "explanation": reply.explanation,
                    "preserved_item_id": reply.preserved_item_id, "package_id": package.id if package else None}
    order.answered_at = now
    _note(order, clock, what="answer", outcome=reply.outcome, grounds=list(reply.grounds))
    seconds = int((now - as_utc(order.window_started_at)).total_seconds())
    record(session, clock, principal.actor, Event.EVIDENCE_ORDER_ANSWER, subject=order.id, org_id=principal.org_id,
           payload={**_facts(order), "outcome": reply.outcome, "status": order.status,
                    "grounds": list(reply.grounds), "seconds_to_answer": seconds, "breach": late,
                    "package_id": package.id if package else None})
    told = [order.issuer_id]
    if reply.outcome == "impossible" and order.enforcing_authority_id:  # Art. 10(5)-(7): it is informed too
        told.append(order.enforcing_authority_id)
    for org_id in told:
        emit(session, clock, org_id=org_id, event="evidence.answer",
             data={"order_id": order.id, "outcome": reply.outcome, "status": order.status})
    return order


def _impossible(order: EvidenceOrder, reply: Answer, now: datetime) -> str:
    grounds = list(dict.fromkeys(reply.grounds))
    unknown = sorted(set(grounds) - set(IMPOSSIBILITY_GROUNDS))
    if not grounds or unknown:
        raise InvalidInput(f"grounds (Annex III) must be some of {', '.join(IMPOSSIBILITY_GROUNDS)}",
                           field="grounds")
    if not reply.explanation.strip():
        raise InvalidInput("explain the grounds (Annex III)", field="explanation")
    if "third_country_conflict" in grounds and order.kind == "production":
        order.review = {"opened_at": _iso(now), "objection": reply.explanation.strip(), "state": "open",
                        "decisions": []}
        return "review"
    if "incomplete_or_manifest_error" in grounds:
        return "clarification"
    return "impossible"


def _produce(session: Session, clock: Clock, settings: Settings, order: EvidenceOrder,
             reply: Answer) -> EvidencePackage:
    if order.kind != "production":
        raise InvalidInput("a preservation order is answered by preserving the data (Art. 11)", field="outcome")
    gate = production_gate(order, clock.now())
    if gate is not None:
        raise Conflict(gate, field="outcome")
    if not reply.data:
        raise InvalidInput("send the data to produce (data_base64)", field="data_base64")
    return store_package(session, clock, settings, provider_id=order.provider_id, authority_id=order.issuer_id,
                         order_id=order.id, reply=reply)


def store_package(session: Session, clock: Clock, settings: Settings, *, provider_id: str, authority_id: str,
                  order_id: str | None, reply: Answer, voluntary: Mapping[str, Any] | None = None) -> EvidencePackage:
    """Seal ``reply.data`` for the authority's key at once; only the ciphertext, its hash and a manifest signed by
    the provider are kept."""
    key = active_key(session, authority_id)
    if key is None:
        raise Conflict("the authority has no registered public key to seal the data for", field="authority_id")
    assert reply.data is not None
    sealed = sealing.seal(key.public_key, filename=reply.filename[:200] or "evidence.bin",
                          media_type=reply.media_type[:100] or "application/octet-stream", data=reply.data)
    now = clock.now()
    package = EvidencePackage(id=new_id("evp"), order_id=order_id, provider_id=provider_id,
                              authority_id=authority_id, key_id=key.id, sealed=sealed,
                              sha256=hashlib.sha256(sealed).hexdigest(), size=len(sealed),
                              voluntary=dict(voluntary or {}), downloads=[], created_at=now,
                              purge_at=now + PACKAGE_RETENTION, purged_at=None)
    package.manifest = sign_document(session, clock, settings, provider_id, "provider", {
        "package_id": package.id, "order_id": order_id, "sha256": package.sha256, "size": package.size,
        "sealed_for": {"organisation_id": authority_id, "key_fingerprint": key.fingerprint},
        "algorithm": "NaCl sealed box (X25519, XSalsa20-Poly1305)", "produced_at": _iso(now),
    })
    session.add(package)
    session.flush()
    record(session, clock, Actor.system(), Event.EVIDENCE_PACKAGE_STORE, subject=package.id, org_id=provider_id,
           payload={"order_id": order_id, "provider_id": provider_id, "authority_id": authority_id,
                    "sha256": package.sha256, "size": package.size, "key_fingerprint": key.fingerprint,
                    "purge_at": _iso(package.purge_at)})
    return package


# ---- the enforcing authority --------------------------------------------------------------------------------


def answer_notification(session: Session, clock: Clock, principal: Principal, order_id: str, *, answer: str,
                        grounds: Sequence[str] = (), explanation: str = "") -> EvidenceOrder:
    """Art. 10(2), (4) and 12: the enforcing authority raises grounds for refusal, or says it raises none, within
    10 days (96 hours in an emergency). Where it is not on this instance the issuer records its answer."""
    refuse_nul(explanation=explanation, grounds=list(grounds))
    order = get_order(session, principal, order_id)
    note = dict(order.notification)
    if not note.get("required"):
        raise Conflict("this order was not notified to an enforcing authority (Art. 8)", field="notification")
    answerer = note.get("enforcing_authority_id") or order.issuer_id
    if principal.org_id != answerer:
        raise PermissionDenied("only the notified enforcing authority answers the notification")
    if note.get("answer") is not None:
        raise Conflict("the enforcing authority has already answered", field="answer")
    if answer not in ("no_grounds", "grounds_raised"):
        raise InvalidInput("answer must be no_grounds or grounds_raised", field="answer")
    now = clock.now()
    if now > datetime.fromisoformat(note["answer_due_at"]):
        window = "96 hours" if order.emergency else "10 days"
        raise Conflict(f"Art. 12(1): grounds for refusal are raised within {window} of the notification",
                       field="answer")
    cleaned = list(dict.fromkeys(grounds))
    if answer == "grounds_raised" and (not cleaned or set(cleaned) - set(REFUSAL_GROUNDS)):
        raise InvalidInput(f"grounds (Art. 12(1)) must be some of {', '.join(REFUSAL_GROUNDS)}", field="grounds")
    note.update(answer=answer, grounds=cleaned if answer == "grounds_raised" else [], explanation=explanation,
                answered_at=_iso(now), recorded_by=principal.org_id)
    order.notification = note
    purged = 0
    if answer == "grounds_raised" and order.status not in ("withdrawn", "expired"):
        order.status = "refused"
        purged = _purge_packages(session, clock, order, reason="refusal")  # Art. 10(4): delete what was sent
    _note(order, clock, what="notification_answer", answer=answer, grounds=cleaned)
    record(session, clock, principal.actor, Event.EVIDENCE_NOTIFICATION_ANSWER, subject=order.id,
           org_id=principal.org_id, payload={**_facts(order), "answer": answer, "grounds": cleaned,
                                             "packages_purged": purged})
    for org_id in (order.issuer_id, order.provider_id):
        emit(session, clock, org_id=org_id, event="evidence.notification_answer",
             data={"order_id": order.id, "answer": answer})
    return order


# ---- the issuing authority ----------------------------------------------------------------------------------


def _issuer_order(session: Session, principal: Principal, order_id: str) -> EvidenceOrder:
    order = get_order(session, principal, order_id)
    if principal.org_id != order.issuer_id:
        raise PermissionDenied("only the issuing authority does this")
    return order


def _restart(order: EvidenceOrder, now: datetime) -> None:
    order.status, order.window_started_at, order.escalated = "received", now, []
    order.breached_at = order.breach_seconds = None
    if order.kind == "production":
        order.deadline_at = now + (EMERGENCY_WINDOW if order.emergency else PRODUCTION_WINDOW)


def clarify(session: Session, clock: Clock, principal: Principal, order_id: str, *, text: str) -> EvidenceOrder:
    """Art. 10(6), 11(4): the issuer's clarification of an incomplete order starts the time limit afresh."""
    refuse_nul(text=text)
    order = _issuer_order(session, principal, order_id)
    if order.status != "clarification":
        raise Conflict("only an order the provider found incomplete awaits a clarification", field="status")
    if not text.strip():
        raise InvalidInput("the clarification needs its text", field="text")
    _restart(order, clock.now())
    _note(order, clock, what="clarification", text=text.strip())
    record(session, clock, principal.actor, Event.EVIDENCE_ORDER_CLARIFY, subject=order.id, org_id=principal.org_id,
           payload={**_facts(order), "deadline_at": _iso(order.deadline_at)})
    emit(session, clock, org_id=order.provider_id, event="evidence.clarified",
         data={"order_id": order.id, "deadline_at": _iso(order.deadline_at)})
    return order


def extend(session: Session, clock: Clock, principal: Principal, order_id: str, *, reason: str) -> EvidenceOrder:
    """Art. 11(1): the issuing authority extends a preservation by 30 days, once, to issue the production."""
    refuse_nul(reason=reason)
    order = _issuer_order(session, principal, order_id)
    if order.kind != "preservation":
        raise InvalidInput("Art. 11(1): only a preservation order is extended", field="kind")
    if order.status not in ("received", "preserved"):
        raise Conflict(f"the order is {order.status}", field="status")
    if order.extensions >= 1:
        raise Conflict("Art. 11(1): a preservation is extended by 30 days once", field="extensions")
    assert order.preserve_until is not None
    order.preserve_until = order.deadline_at = as_utc(order.preserve_until) + PRESERVATION_EXTENSION
    order.extensions += 1
    _note(order, clock, what="extension", reason=reason.strip(), until=_iso(order.preserve_until))
    record(session, clock, principal.actor, Event.EVIDENCE_ORDER_EXTEND, subject=order.id, org_id=principal.org_id,
           payload={**_facts(order), "preserve_until": _iso(order.preserve_until)})
    emit(session, clock, org_id=order.provider_id, event="evidence.extended",
         data={"order_id": order.id, "preserve_until": _iso(order.preserve_until)})
    return order


def withdraw(session: Session, clock: Clock, principal: Principal, order_id: str, *, reason: str) -> EvidenceOrder:
    refuse_nul(reason=reason)
    order = _issuer_order(session, principal, order_id)
    if order.status in CLOSED_STATUSES:
        raise Conflict(f"the order is already {order.status}", field="status")
    _close(session, clock, principal.actor, order, "withdrawn", reason=reason)
    return order


def _close(session: Session, clock: Clock, actor: Actor, order: EvidenceOrder, status: str, *,
           reason: str, purge: bool = False) -> None:
    order.status = status
    purged = _purge_packages(session, clock, order, reason=reason) if purge else 0
    _note(order, clock, what=status, reason=reason)
    record(session, clock, actor, Event.EVIDENCE_ORDER_WITHDRAW, subject=order.id, org_id=order.issuer_id,
           payload={**_facts(order), "reason": reason, "packages_purged": purged})
    emit(session, clock, org_id=order.provider_id, event="evidence.withdrawn", data={"order_id": order.id})


def validate(session: Session, clock: Clock, principal: Principal, order_id: str, *, validated_by: str,
             granted: bool) -> EvidenceOrder:
    """Art. 4(5): the ex-post validation of an emergency order another authority issued without one. Refused: the
    order is withdrawn and whatever was produced is deleted."""
    order = _issuer_order(session, principal, order_id)
    if not order.validation.get("required") or "granted" in order.validation:
        raise Conflict("this order awaits no validation (Art. 4(5))", field="validation")
    rule = rules.rule_for(order.kind, order.data_categories)
    if validated_by not in rule.may_validate:
        raise InvalidInput(f"{rule.article}: validated only by a {', '.join(sorted(rule.may_validate))}",
                           field="validated_by")
    order.validation = {**order.validation, "granted": granted, "by": validated_by, "at": _iso(clock.now())}
    if granted:
        order.validated_by = validated_by
    record(session, clock, principal.actor, Event.EVIDENCE_ORDER_VALIDATE, subject=order.id, org_id=principal.org_id,
           payload={**_facts(order), "validated_by": validated_by, "granted": granted})
    if not granted:
        _close(session, clock, principal.actor, order, "withdrawn", reason="validation refused (Art. 4(5))",
               purge=True)
    return order


def decide_review(session: Session, clock: Clock, principal: Principal, order_id: str, *, decision: str,
                  reasons: str = "") -> EvidenceOrder:
    """Art. 17: after the provider's reasoned objection the issuer withdraws, or maintains the order and asks its
    court to review it; the court upholds it (the provider executes, with a fresh time limit) or lifts it."""
    refuse_nul(reasons=reasons)
    order = _issuer_order(session, principal, order_id)
    if decision not in REVIEW_DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(REVIEW_DECISIONS)}", field="decision")
    state = order.review.get("state")
    expected = {"withdraw": ("open",), "refer_to_court": ("open",), "court_upheld": ("referred",),
                "court_lifted": ("referred",)}[decision]
    if order.status != "review" or state not in expected:
        raise Conflict("Art. 17: this decision does not follow the review's current step", field="decision")
    now = clock.now()
    review = {**order.review, "decisions": [*order.review.get("decisions", []),
                                            {"decision": decision, "reasons": reasons, "at": _iso(now)}]}
    review["state"] = {"withdraw": "withdrawn", "refer_to_court": "referred", "court_upheld": "upheld",
                       "court_lifted": "lifted"}[decision]
    order.review = review
    record(session, clock, principal.actor, Event.EVIDENCE_ORDER_REVIEW, subject=order.id, org_id=principal.org_id,
           payload={**_facts(order), "decision": decision})
    if decision in ("withdraw", "court_lifted"):
        _close(session, clock, principal.actor, order, "withdrawn", reason=f"Art. 17: {decision}")
    elif decision == "court_upheld":
        _restart(order, now)
        emit(session, clock, org_id=order.provider_id, event="evidence.review_upheld",
             data={"order_id": order.id, "deadline_at": _iso(order.deadline_at)})
    return order


# ---- packages -----------------------------------------------------------------------------------------------


def get_package(session: Session, principal: Principal, package_id: str) -> EvidencePackage:
    package = session.get(EvidencePackage, package_id)
    if package is None or principal.org_id not in (package.authority_id, package.provider_id):
        raise NotFound(f"no evidence package {package_id!r}")
    return package


def download(session: Session, clock: Clock, principal: Principal, package_id: str) -> EvidencePackage:
    """The sealed bytes, for the authority they were sealed for; every download is logged."""
    package = get_package(session, principal, package_id)
    if principal.org_id != package.authority_id:
        raise PermissionDenied("only the authority the package is sealed for downloads it")
    if package.sealed is None:
        raise Conflict(f"the package was purged on {_iso(package.purged_at)}", field="package")
    package.downloads = [*package.downloads, {"at": _iso(clock.now()), "by": principal.ref}]
    record(session, clock, principal.actor, Event.EVIDENCE_PACKAGE_DOWNLOAD, subject=package.id,
           org_id=principal.org_id, payload={"order_id": package.order_id, "provider_id": package.provider_id,
                                             "authority_id": package.authority_id, "sha256": package.sha256})
    return package


def _purge_packages(session: Session, clock: Clock, order: EvidenceOrder, *, reason: str) -> int:
    count = 0
    for package in packages_of(session, order.id):
        count += purge_package(session, clock, package, reason=reason)
    return count


def purge_package(session: Session, clock: Clock, package: EvidencePackage, *, reason: str) -> int:
    if package.sealed is None:
        return 0
    package.sealed, package.purged_at = None, clock.now()
    record(session, clock, Actor.system(), Event.EVIDENCE_PACKAGE_PURGE, subject=package.id, org_id=package.provider_id,
           payload={"order_id": package.order_id, "provider_id": package.provider_id,
                    "authority_id": package.authority_id, "reason": reason})
    return 1


# ---- voluntary emergency disclosure -------------------------------------------------------------------------


def disclose(session: Session, clock: Clock, settings: Settings, principal: Principal, *, authority_id: str,
             details: str, reply: Answer, notice_id: str | None = None) -> EvidencePackage:
    """A provider discloses data of its own motion to an authority, for an imminent threat to life; linked to
    the imminent-threat escalation of a notice when ``notice_id`` names one."""
    principal.require_kind("provider")
    refuse_nul(details=details, filename=reply.filename, media_type=reply.media_type)
    authority = session.get(Organisation, authority_id)
    if authority is None or authority.kind != "authority":
        raise InvalidInput(f"no authority {authority_id!r}", field="authority_id")
    if not details.strip():
        raise InvalidInput("say what the imminent threat to life is", field="details")
    if not reply.data:
        raise InvalidInput("send the data to disclose (data_base64)", field="data_base64")
    escalation = None
    if notice_id is not None:
        from accord.notices.threat import escalate_threat

        escalation = escalate_threat(session, clock, principal, notice_id, details=details).member_state
    package = store_package(session, clock, settings, provider_id=principal.org_id, authority_id=authority.id,
                            order_id=None, reply=reply,
                            voluntary={"details": details.strip(), "notice_id": notice_id,
                                       "threat_member_state": escalation})
    record(session, clock, principal.actor, Event.EVIDENCE_DISCLOSURE_SEND, subject=package.id, org_id=principal.org_id,
           payload={"provider_id": principal.org_id, "authority_id": authority.id, "notice_id": notice_id})
    emit(session, clock, org_id=authority.id, event="evidence.disclosure", data={"package_id": package.id})
    return package


def disclosures(session: Session, principal: Principal) -> list[EvidencePackage]:
    query = select(EvidencePackage).where(EvidencePackage.order_id.is_(None),
                                          or_(EvidencePackage.authority_id == principal.org_id,
                                              EvidencePackage.provider_id == principal.org_id))
    return list(session.scalars(query.order_by(EvidencePackage.created_at.desc())))


# ---- statistics ---------------------------------------------------------------------------------------------


def statistics(session: Session, principal: Principal, year: int) -> dict[str, Any]:
    """The yearly figures the Regulation's monitoring asks (Art. 28): orders by kind, data category, emergency,
    notification and its refusals, outcome, breaches and the average time to answer; an authority counts the
    orders it issued, a provider those it received."""
    side = EvidenceOrder.issuer_id if principal.org_kind == "authority" else EvidenceOrder.provider_id
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    query = select(EvidenceOrder).where(side == principal.org_id, EvidenceOrder.created_at >= start,
                                        EvidenceOrder.created_at < end)
    orders = list(session.scalars(query))
    answered = [o for o in orders if o.answered_at is not None]
    seconds = [(as_utc(o.answered_at) - as_utc(o.window_started_at)).total_seconds() for o in answered
               if o.answered_at is not None]
    return {
        "year": year, "organisation_id": principal.org_id,
        "role": "issuing authority" if principal.org_kind == "authority" else "service provider",
        "orders": len(orders), "by_kind": dict(Counter(o.kind for o in orders)),
        "by_category": dict(Counter(c for o in orders for c in o.data_categories)),
        "emergency": sum(o.emergency for o in orders),
        "notified": sum(bool(o.notification.get("required")) for o in orders),
        "refused_by_enforcing_state": sum(o.notification.get("answer") == "grounds_raised" for o in orders),
        "by_status": dict(Counter(o.status for o in orders)),
        "impossibility_grounds": dict(Counter(g for o in orders if o.answer.get("outcome") == "impossible"
                                              for g in o.answer.get("grounds", []))),
        "breaches": sum(o.breached_at is not None for o in orders),
        "average_seconds_to_answer": int(sum(seconds) / len(seconds)) if seconds else None,
        "by_counterpart": dict(Counter(o.provider_id if principal.org_kind == "authority" else o.issuer_id
                                       for o in orders)),
    }
