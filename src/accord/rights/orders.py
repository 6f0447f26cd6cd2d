"""What follows when a removal order loses its legal effect: the provider must reinstate at once.

Two findings end an order: the host Member State's authority finds on scrutiny that it infringes the Regulation
or the Charter (TCO Art. 4(6)-(7)), or a court annuls it on review (Art. 9). Either way the provider receives a
reinstatement instruction (an item in its inbox, webhook ``notice.reinstate``) and the reinstatement is recorded
(``rights.reinstatement.reinstate``: the content is restored from the preservation store when it was kept, webhook
``content.reinstate``, event ``rights:content:reinstate``, which the Art. 7(3)(f) report counts). The provider
confirms in its inbox when the content is back online.

``reinstate_order`` is the one function every door calls for that consequence.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.models import AuditEvent
from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.db import get_owned, new_id
from accord.errors import Conflict, InvalidInput
from accord.identity.service import Principal
from accord.jobs.webhooks import emit
from accord.notices import crossborder
from accord.notices.models import Notice, ReinstatementInstruction
from accord.notices.service import notices_of_case
from accord.rights import reinstatement, user_notices
from accord.rights.decisions import DECISION_TAG
from accord.settings import Settings

EXECUTED: Final = ("removed", "disabled")
_EXECUTING_ACTIONS: Final = ("remove", "disable")
_WHY: Final = {
    "scrutiny": "the host Member State's authority found that the order infringes the Regulation or the Charter "
                "(TCO Art. 4(7)): reinstate the content or access to it at once",
    "review": "a court annulled the order on review (TCO Art. 9): reinstate the content or access to it",
}


def executing_decision_id(session: Session, notice: Notice) -> str | None:
    """The provider's latest decision that removed or disabled the order's content, read from the audit trail."""
    if notice.case_id is None:
        return None
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.tag == DECISION_TAG, AuditEvent.payload["case_id"].as_string()
                                 == notice.case_id).order_by(AuditEvent.seq.desc()))
    for event in events:
        if event.payload.get("action") in _EXECUTING_ACTIONS:
            return event.subject
    return None


def reinstate_order(session: Session, clock: Clock, settings: Settings, actor: Actor, notice: Notice, *,
                    reason: str) -> ReinstatementInstruction | None:
    """Instruct the provider to reinstate what it removed under ``notice`` and record the reinstatement.

    Nothing happens for an order that was never executed (nothing is down to put back)."""
    if reason not in _WHY:
        raise InvalidInput(f"reason is one of {', '.join(_WHY)}", field="reason")
    if notice.outcome not in EXECUTED:
        return None
    decision_id = executing_decision_id(session, notice)
    instruction = ReinstatementInstruction(
        id=new_id("rin"), notice_id=notice.id, provider_id=notice.provider_id, reason=reason,
        decision_id=decision_id, text=f"Order {notice.reference}: {_WHY[reason]}.", issued_at=clock.now())
    session.add(instruction)
    record(session, clock, actor, Event.RIGHTS_REINSTATEMENT_INSTRUCT, subject=instruction.id,
           org_id=notice.provider_id, payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id,
                                               "notice_id": notice.id, "reason": reason, "decision_id": decision_id})
    emit(session, clock, org_id=notice.provider_id, event="notice.reinstate",
         data={"instruction_id": instruction.id, "notice_id": notice.id, "reference": notice.reference,
               "urls": notice.urls, "reason": reason, "decision_id": decision_id})
    # The subject is the decision that removed the content; an order answered without one names the order.
    reinstatement.reinstate(session, clock, settings, actor, provider_id=notice.provider_id,
                            decision_id=decision_id or notice.id, reason=reason)
    return instruction


def decide_scrutiny(session: Session, clock: Clock, settings: Settings, principal: Principal, notice_id: str, *,
                    infringement: bool, reasons: str) -> Notice:
    """The host authority's Art. 4 finding with its consequence: an infringement reinstates the content."""
    notice = crossborder.decide_scrutiny(session, clock, principal, notice_id, infringement=infringement,
                                         reasons=reasons)
    if infringement:
        instruction = reinstate_order(session, clock, settings, principal.actor, notice, reason="scrutiny")
        if instruction is not None:
            notice.scrutiny = {**notice.scrutiny, "reinstatement_instruction_id": instruction.id}
    return notice


def request_scrutiny_as_content_provider(session: Session, clock: Clock, *, token: str, reason: str) -> list[str]:
    """The content provider asks for scrutiny from its notice page, within 48 hours of receiving it (Art. 4(4)).

    The user notice is the Art. 11(2) information (the reasons and how to contest); returns the order ids the
    request reached."""
    notice = user_notices.by_token(session, token)
    assert notice.sent_at is not None  # by_token opens sent notices only
    if clock.now() > as_utc(notice.sent_at) + crossborder.REQUEST_WINDOW:
        raise Conflict("the 48-hour window to ask for scrutiny (from receipt of this notice) has closed",
                       field="reason")
    orders = [o for o in _orders_of_decision(session, notice.decision_id) if o.cross_border and o.scrutiny]
    if not orders:
        raise Conflict("this removal was not made under a cross-border removal order; there is no scrutiny to ask "
                       "for (contest it with the complaint form)", field="reason")
    actor = Actor(f"content_provider:{notice.id}", None)
    for order in orders:
        crossborder.file_request(session, clock, actor, crossborder.check_scrutinisable(order),
                                 by="content_provider", reason=reason)
    return [o.id for o in orders]


def _orders_of_decision(session: Session, decision_id: str) -> list[Notice]:
    event = session.scalar(select(AuditEvent).where(AuditEvent.tag == DECISION_TAG,
                                                    AuditEvent.subject == decision_id).limit(1))
    if event is None:
        return []
    case_id = str(event.payload.get("case_id") or "")
    return [n for n in notices_of_case(session, case_id) if n.kind == "removal_order"]


def instructions_for(session: Session, principal: Principal, *,
                     open_only: bool = True) -> list[ReinstatementInstruction]:
    """The provider's reinstatement instructions (its inbox), oldest first."""
    query = select(ReinstatementInstruction).where(ReinstatementInstruction.provider_id == principal.org_id)
    if open_only:
        query = query.where(ReinstatementInstruction.confirmed_at.is_(None))
    return list(session.scalars(query.order_by(ReinstatementInstruction.issued_at)))


def confirm_instruction(session: Session, clock: Clock, principal: Principal,
                        instruction_id: str) -> ReinstatementInstruction:
    """The provider says the content is back online; records how long that took."""
    instruction = get_owned(session, ReinstatementInstruction, instruction_id, principal.org_id,
                            what="reinstatement instruction", by="provider_id")
    if instruction.confirmed_at is not None:
        return instruction
    instruction.confirmed_at = clock.now()
    seconds = (instruction.confirmed_at - as_utc(instruction.issued_at)) // timedelta(seconds=1)
    record(session, clock, principal.actor, Event.RIGHTS_REINSTATEMENT_CONFIRM, subject=instruction.id,
           payload={"provider_id": instruction.provider_id, "notice_id": instruction.notice_id,
                    "reason": instruction.reason, "seconds_to_reinstate": seconds})
    return instruction
