"""One decision, whatever the door: acting on content always produces the same legal record.

Every way a provider acts on content goes through ``decide``: the review console, a direct answer on a notice
(API, inbox, ``accord notice answer``; ``answer_notice``), an automatic action under the provider's policy
(``accord.matching.lookup``, handed ``decide``) and the demo. In the caller's transaction it writes:

- the decision, answering every open notice of its case (TCO Annex II feedback; DSA Art. 16(5);
  ``answer_from_decision``: what each action answers, and what a removal order in the case forbids);
- its statement of reasons (DSA Art. 17), with the Transparency Database body (Art. 24(5)) or the documented
  reason none is due (an order under DSA Art. 9, Art. 17(5));
- the ``cases:decision:create`` audit event, which opens the complaint window (TCO Art. 10, DSA Art. 20: six
  months, ``accord.rights.complaints``) and feeds the reports;
- for a removal or a disabling, the preservation job (TCO Art. 6), run by the worker;
- for a restriction of a known uploader's content, the user notice (TCO Art. 11, DSA Art. 17), held while an
  order's non-disclosure period runs (Art. 11(3)).

A drill's case (``accord.readiness``) is answered the same way but concluded by ``conclude_drill``: no decision
is kept and none of the legal record above is written, so reports, exports and strikes never see it.

``cannot_comply`` (TCO Annex III) is not a decision on the content: nothing was restricted, so it has no
statement, preservation or user notice; ``accord.notices.service.decline`` records it and the reports count the
order as not executed.

A reinstatement (a complaint reversed, TCO Art. 10; a scrutiny finding an infringement, Art. 4(7)) goes through
``reinstate``, which restores the preserved content and records the fact beside the decision it undoes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from accord.audit.service import Actor
from accord.cases import decisions as review
from accord.cases.models import Case, Decision
from accord.cases.priority import NOTICE_SOURCES
from accord.cases.service import annotate
from accord.clock import Clock
from accord.errors import Conflict, InvalidInput
from accord.identity.service import Principal
from accord.jobs.service import enqueue
from accord.notices import service as notices
from accord.notices.models import Notice
from accord.rights import orders, reinstatement, user_notices
from accord.rights.decisions import orders_answered
from accord.settings import Settings

PRESERVE_JOB = "rights.after_decision"  # preserves (TCO Art. 6); tells the uploader when this flow could not
PRESERVED_ACTIONS = frozenset({"remove", "disable"})
NOTIFIED_ACTIONS = frozenset({"remove", "disable", "restrict"})
_ACTIONS = {"removed": "remove", "disabled": "disable", "no_action": "no_action"}


def decide(session: Session, clock: Clock, principal: Principal, case_id: str, data: review.DecisionInput, *,
           claim_check: bool = True, settings: Settings | None = None) -> Decision:
    """Decide a case and produce its legal record (see the module's docstring). ``claim_check=False`` for a
    direct answer on a notice, which does not wait for a reviewer's claim. With ``settings``, a user notice
    sent at once is also e-mailed when the uploader's contact is an address."""
    taken = review.draft(session, clock, principal, case_id, data, claim_check=claim_check)
    taken.decision.notice_ids = _answer_notices(session, clock, principal.actor, taken)
    if review.is_drill(taken.case):  # a practice order: answered, never a legal record (returned unsaved)
        review.conclude_drill(session, clock, principal.actor, taken)
        return taken.decision
    review.conclude(session, clock, principal.actor, taken)
    _legal_record(session, clock, principal.actor, taken.case, taken.decision, settings)
    return taken.decision


def _answer_notices(session: Session, clock: Clock, actor: Actor, taken: review.Draft) -> list[str]:
    """Answer every open notice of the case (Annex II/III feedback); refuses what an order does not allow."""
    case, decision = taken.case, taken.decision
    if not NOTICE_SOURCES & set(case.sources):
        return []
    reasons = f"{decision.ground_ref}: {decision.ground_explanation or decision.facts}"
    return answer_from_decision(session, clock, actor, case_id=case.id, action=decision.action,
                                countries=list(decision.countries), reasons=reasons,
                                automated=decision.automated_decision)


# What each decision answers on the case's notices (the reverse of ``_ACTIONS``).
DECISION_OUTCOMES = {"remove": "removed", "disable": "disabled", "no_action": "no_action", "restrict": "no_action"}


def answer_from_decision(session: Session, clock: Clock, actor: Actor, *, case_id: str, action: str,
                         countries: list[str], reasons: str, automated: bool) -> list[str]:
    """A case decision answers every unanswered notice in the case (TCO Annex II feedback follows).

    ``restrict`` is recorded as ``no_action`` with reasons noting the restriction; a case holding a removal
    order cannot be decided ``no_action`` or ``restrict`` (``check_order_answer``). Returns the notice ids."""
    if action not in DECISION_OUTCOMES:
        raise InvalidInput(f"action is one of {', '.join(DECISION_OUTCOMES)}", field="action")
    if action == "restrict":
        reasons = f"restricted, not removed: {reasons}".strip()
    found = notices.notices_of_case(session, case_id)
    for notice in found:  # every notice checked before any is answered: a refusal leaves them all as they were
        if notice.status in (*notices.OPEN_STATUSES, "paused"):  # an order awaiting clarification binds it too
            _check_decision_on(notice, action)
    answered: list[str] = []
    for notice in found:
        if notice.status in notices.OPEN_STATUSES:
            notices.record_outcome(session, clock, actor, notice, outcome=DECISION_OUTCOMES[action],
                                   countries=countries, reasons=reasons or action, ground=None, explanation="",
                                   automated=automated)
            answered.append(notice.id)
    return answered


def _check_decision_on(notice: Notice, action: str) -> None:
    try:
        notices.check_order_answer(notice, DECISION_OUTCOMES[action])
    except InvalidInput as exc:  # the reviewer chose an action: say so in the reviewer's field
        raise InvalidInput(f"the case holds removal order {notice.reference or notice.id}: {exc.detail}",
                           field="action") from exc


def _legal_record(session: Session, clock: Clock, actor: Actor, case: Case, decision: Decision,
                  settings: Settings | None) -> None:
    if decision.action in NOTIFIED_ACTIONS and case.uploader_ref:
        _tell_uploader(session, clock, actor, case, decision, settings)
    if decision.action in PRESERVED_ACTIONS:
        payload = {**review.decision_payload(case, decision), "decision_id": decision.id,
                   "case": review.case_snapshot(case)}
        enqueue(session, clock, PRESERVE_JOB, payload, org_id=case.provider_id)


def _tell_uploader(session: Session, clock: Clock, actor: Actor, case: Case, decision: Decision,
                   settings: Settings | None) -> None:
    assert case.uploader_ref is not None  # checked by the caller
    user_notices.issue_user_notice(
        session, clock, actor, provider_id=case.provider_id, decision_id=decision.id,
        uploader_contact=case.uploader_ref, facts=_user_facts(session, case, decision),
        nondisclosure_until=notices.nondisclosure_until_for_case(session, case.id), settings=settings)


def _user_facts(session: Session, case: Case, decision: Decision) -> dict[str, Any]:
    what = case.title or ", ".join(case.urls) or f"the content of case {case.id}"
    facts: dict[str, Any] = {"what": what, "why": decision.facts, "ground": decision.ground_ref,
                             "automated": decision.automated_decision, "action": decision.action}
    orders = orders_answered(session, decision.action, list(decision.notice_ids))
    if orders:  # TCO Art. 9 and 11(2): the uploader learns where the order is contested
        facts["order_reference"] = ", ".join(o.reference for o in orders)
        facts["order_redress"] = "; ".join(o.sentence() for o in orders)
    return facts


# ---- a direct answer on a notice ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A provider's answer on one notice: ``outcome`` removed | disabled (countries) | no_action (reasons) |
    cannot_comply (Annex III ``ground`` and ``explanation``). ``ground`` otherwise names the clause or law
    relied on; ``uploader`` names who posted the content, so that they are told."""

    outcome: str
    countries: tuple[str, ...] = ()
    reasons: str = ""
    ground: str | None = None
    explanation: str = ""
    automated: bool = False
    uploader: str | None = None


def answer_notice(session: Session, clock: Clock, principal: Principal, notice_id: str, answer: Answer, *,
                  settings: Settings | None = None) -> Notice:
    """The provider answers a notice in its inbox. removed, disabled or no_action is a decision on the case,
    with the same legal record as one taken in the review console; cannot_comply is not (Annex III)."""
    notice = notices.for_provider(session, principal, notice_id)
    if answer.outcome == "cannot_comply":
        return notices.decline(session, clock, principal, notice_id, ground=answer.ground,
                               explanation=answer.explanation, automated=answer.automated)
    # Refused before anything is written: an unknown outcome, a subset of Member States or no_action on an order.
    countries = notices.check_answer(notice, answer.outcome, answer.countries, answer.reasons)
    if notice.status not in notices.OPEN_STATUSES:
        raise Conflict(f"the notice is {notice.status}; it cannot take an outcome now", field="status")
    case = _case_of(session, notice)
    if answer.uploader:
        annotate(session, clock, case, uploader_ref=answer.uploader.strip())
    decide(session, clock, principal, case.id, _decision_input(notice, answer, countries), claim_check=False,
           settings=settings)
    return notice


def _case_of(session: Session, notice: Notice) -> Case:
    case = session.get(Case, notice.case_id) if notice.case_id else None
    if case is None:
        raise Conflict("the notice has no case to decide yet", field="status")
    return case


def _decision_input(notice: Notice, answer: Answer, countries: list[str]) -> review.DecisionInput:
    """The decision a direct answer takes. For a removal order the order is the ground (TCO Art. 3, its
    reference) and its reasons are the facts; otherwise the clause or law the provider names, else the one the
    notice cites, else the provider's terms."""
    action = _ACTIONS[answer.outcome]
    reasons = answer.reasons.strip()
    if notice.binding:
        order = notice.reference or notice.id
        facts = f"Removal order {order} ({notice.member_state or 'issuing Member State'}): " \
                f"{notice.details.get('reasons', '')}"
        return review.DecisionInput(
            action=action, ground=f"TCO Art. 3 (Regulation (EU) 2021/784), removal order {order}",
            ground_kind="legal", facts=f"{facts} {reasons}".strip(), countries=countries,
            ground_explanation=str(notice.details.get("legal_basis") or ""), automated_decision=answer.automated)
    ground = (answer.ground or notice.details.get("clause") or notice.details.get("legal_basis")
              or "the provider's terms of service")
    facts = reasons or f"{notice.kind.replace('_', ' ')} {notice.reference or notice.id}: " \
                       f"{notice.details.get('reasons', '')}"
    return review.DecisionInput(action=action, ground=str(ground), facts=facts, countries=countries,
                                automated_decision=answer.automated)


def decision_of(session: Session, notice: Notice) -> Decision | None:
    """The decision that answered the notice; None for an unanswered notice or an Annex III answer."""
    found = review.case_decisions(session, notice.case_id) if notice.case_id else []
    return next((d for d in reversed(found) if notice.id in d.notice_ids), None)


# ---- undoing a decision -------------------------------------------------------------------------------------


def reinstate(session: Session, clock: Clock, settings: Settings, actor: Actor, *, provider_id: str,
              decision_id: str, reason: str) -> str | None:
    """Put back what a decision removed (a complaint reversed, TCO Art. 10; a scrutiny finding, Art. 4(7); a
    review, Art. 7(3)(f)): restored from the preserved copy, with ``rights:content:reinstate`` beside the
    decision it undoes, so that the reports count it. Returns the preserved item's id (None if none was kept)."""
    return reinstatement.reinstate(session, clock, settings, actor, provider_id=provider_id,
                                   decision_id=decision_id, reason=reason)


def decide_scrutiny(session: Session, clock: Clock, settings: Settings, principal: Principal, notice_id: str, *,
                    infringement: bool, reasons: str) -> Notice:
    """The host authority's Art. 4 finding. An infringement voids the order and, where the order was executed,
    the provider "shall immediately reinstate" (Art. 4(7)): an instruction to the provider (webhook, inbox) and
    the reinstatement of the decision that executed it, from the preserved copy, in the same transaction
    (``accord.rights.orders``)."""
    return orders.decide_scrutiny(session, clock, settings, principal, notice_id, infringement=infringement,
                                  reasons=reasons)
