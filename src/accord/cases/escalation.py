"""Escalation: to the senior queue for a hard call, or of an imminent threat to law enforcement.

TCO Art. 14(5) and DSA Art. 18: content involving an imminent threat to life is reported promptly to the
competent authorities of the Member State concerned (or where the provider is established, plus Europol).
Both escalations are audited and sent to the provider's on-call system as the webhook ``case.escalated``.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.cases import claims, queues
from accord.cases.models import Case
from accord.clock import Clock
from accord.errors import Conflict, InvalidInput
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.identity.threat_contacts import threat_route
from accord.jobs import webhooks

TARGETS: Final = ("senior", "law_enforcement")


def escalate(session: Session, clock: Clock, principal: Principal, case_id: str, *, to: str,
             reason: str) -> Case:
    """Escalate an open case; a law-enforcement escalation also marks it an imminent threat."""
    if to not in TARGETS:
        raise InvalidInput("escalate to 'senior' or 'law_enforcement'", field="to")
    if not reason.strip():
        raise InvalidInput("say why the case is escalated", field="reason")
    case = claims.get_case(session, principal.org_id, case_id)
    if case.state != "open":
        raise Conflict(f"case {case_id} is {case.state}")
    payload = _to_senior(session, clock, case) if to == "senior" else _to_law_enforcement(session, clock, case)
    payload.update({"provider_id": case.provider_id, "to": to, "reason": reason.strip(), "case_id": case.id})
    session.flush()
    record(session, clock, principal.actor, Event.CASES_CASE_ESCALATE, subject=case.id, org_id=case.provider_id,
           payload=payload)
    webhooks.emit(session, clock, org_id=case.provider_id, event="case.escalated", data=payload)
    return case


def _to_senior(session: Session, clock: Clock, case: Case) -> dict[str, Any]:
    queue = queues.senior_queue(session, case.provider_id, clock.now())
    claims.end_claim(session, case, "escalated", clock.now())
    case.escalation, case.queue_id, case.updated_at = "senior", queue.id, clock.now()
    return {"queue_id": queue.id}


def _to_law_enforcement(session: Session, clock: Clock, case: Case) -> dict[str, Any]:
    """Tell the authorities at once, whatever the queue: those of the Member State concerned (the case's
    jurisdiction), else those where the provider is established and Europol (``threat_contacts``)."""
    provider = session.get(Organisation, case.provider_id)
    route = threat_route(session, case.jurisdiction, provider.country if provider else None)
    if "imminent_threat" not in case.labels:
        case.labels = [*case.labels, "imminent_threat"]
    case.escalation = case.escalation or "law_enforcement"
    queues.triage(session, clock, case)
    data = {"case_id": case.id, "urls": list(case.urls), "member_state": route.member_state,
            "identified": route.identified, "from": case.provider_id}
    for contact in route.contacts:
        webhooks.emit(session, clock, org_id=contact.org_id, event="threat.imminent", data=data)
    return {"member_state": route.member_state, "identified": route.identified, "urls": list(case.urls),
            "europol": route.europol, "contacts": [c.org_id for c in route.contacts]}
