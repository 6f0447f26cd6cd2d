"""/v1 routes for what follows an order: finality (TCO Art. 3(9)), Art. 9 reviews, reinstatement instructions,
Art. 5 exposure decisions, Art. 18 penalties and the one-hour breach signal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from accord.authorities import exposure, penalties
from accord.authorities.models import ExposureDecision
from accord.identity.service import Principal
from accord.rights import orders, reviews
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep
from accord.web.schemas.authorities import (
    BreachSignalOut,
    ExposureIn,
    ExposureOut,
    ExposureReportIn,
    ExposureReviewDecisionIn,
    ExposureReviewIn,
    ExposureTextIn,
    FinalityOut,
    InstructionOut,
    PenaltyIn,
    PenaltyOut,
    ReviewIn,
    ReviewOut,
    ReviewOutcomeIn,
)

router = APIRouter(prefix="/v1", tags=["authorities"])
Reader = Annotated[Principal, Depends(Scoped("notices:read"))]
Writer = Annotated[Principal, Depends(Scoped("notices:write"))]


@router.get("/notices/{notice_id}/finality")
def finality(notice_id: str, principal: Reader, session: SessionDep, settings: SettingsDep) -> FinalityOut:
    """TCO Art. 3(9): when the order became final, or when it will if nobody appeals."""
    return FinalityOut.model_validate(reviews.finality_of(session, settings, principal, notice_id))


@router.get("/notices/{notice_id}/reviews")
def list_reviews(notice_id: str, principal: Reader, session: SessionDep) -> list[ReviewOut]:
    """TCO Art. 9: the administrative or judicial reviews of the order."""
    return [ReviewOut.model_validate(r) for r in reviews.reviews_of(session, principal, notice_id)]


@router.post("/notices/{notice_id}/reviews", status_code=201)
def record_review(notice_id: str, body: ReviewIn, principal: Writer, session: SessionDep, clock: ClockDep,
                  settings: SettingsDep) -> ReviewOut:
    """The provider or the issuer records a review of the order; an annulment reinstates the content."""
    review = reviews.record_review(session, clock, settings, principal, notice_id, brought_by=body.brought_by,
                                   body=body.body, filed_on=body.filed_on, case_reference=body.case_reference,
                                   outcome=body.outcome, reasons=body.reasons)
    return ReviewOut.model_validate(review)


@router.post("/notices/{notice_id}/reviews/{review_id}/outcome")
def review_outcome(notice_id: str, review_id: str, body: ReviewOutcomeIn, principal: Writer, session: SessionDep,
                   clock: ClockDep, settings: SettingsDep) -> ReviewOut:
    """The court's outcome: confirmed or amended (the order becomes final) or annulled (reinstatement)."""
    review = reviews.decide_review(session, clock, settings, principal, notice_id, review_id, outcome=body.outcome,
                                   reasons=body.reasons)
    return ReviewOut.model_validate(review)


@router.get("/reinstatement-instructions")
def list_instructions(principal: Reader, session: SessionDep, open_only: bool = True) -> list[InstructionOut]:
    """The provider's instructions to reinstate content after a scrutiny finding or an annulment."""
    return [InstructionOut.model_validate(i) for i in orders.instructions_for(session, principal,
                                                                              open_only=open_only)]


@router.post("/reinstatement-instructions/{instruction_id}/confirm")
def confirm_instruction(instruction_id: str, principal: Writer, session: SessionDep,
                        clock: ClockDep) -> InstructionOut:
    """The provider confirms the content is back online."""
    return InstructionOut.model_validate(orders.confirm_instruction(session, clock, principal, instruction_id))


def _exposure_out(decision: ExposureDecision, clock: ClockDep) -> ExposureOut:
    due = exposure.report_due(decision, clock.now())
    out = ExposureOut.model_validate(decision)
    return out.model_copy(update={"next_report_due": due.next_due, "report_overdue": due.overdue})


@router.post("/exposure-decisions", status_code=201)
def decide_exposure(body: ExposureIn, principal: Writer, session: SessionDep, clock: ClockDep) -> ExposureOut:
    """TCO Art. 5(4): the host authority finds a provider exposed to terrorist content."""
    decision = exposure.decide_exposure(session, clock, principal, provider_id=body.provider_id,
                                        reasons=body.reasons, other_factors=body.other_factors)
    return _exposure_out(decision, clock)


@router.get("/exposure-decisions")
def list_exposure(principal: Reader, session: SessionDep, clock: ClockDep) -> list[ExposureOut]:
    """The decisions an authority took, or those about the calling provider, with report due dates."""
    return [_exposure_out(d, clock) for d in exposure.list_decisions(session, principal)]


@router.get("/exposure-decisions/{decision_id}")
def get_exposure(decision_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> ExposureOut:
    return _exposure_out(exposure.get_decision(session, principal, decision_id), clock)


@router.post("/exposure-decisions/{decision_id}/reports")
def exposure_report(decision_id: str, body: ExposureReportIn, principal: Writer, session: SessionDep,
                    clock: ClockDep) -> ExposureOut:
    """TCO Art. 5(5): the provider reports its specific measures (three months, then yearly)."""
    decision = exposure.submit_report(session, clock, principal, decision_id, measures=body.measures)
    return _exposure_out(decision, clock)


@router.post("/exposure-decisions/{decision_id}/requirements")
def exposure_requirement(decision_id: str, body: ExposureTextIn, principal: Writer, session: SessionDep,
                         clock: ClockDep) -> ExposureOut:
    """TCO Art. 5(6): the authority requires further measures."""
    decision = exposure.require_measures(session, clock, principal, decision_id, text=body.text)
    return _exposure_out(decision, clock)


@router.post("/exposure-decisions/{decision_id}/review")
def exposure_review(decision_id: str, body: ExposureReviewIn, principal: Writer, session: SessionDep,
                    clock: ClockDep) -> ExposureOut:
    """TCO Art. 5(7): the provider asks for a review; the authority decides within three months."""
    return _exposure_out(exposure.request_review(session, clock, principal, decision_id, reason=body.reason), clock)


@router.post("/exposure-decisions/{decision_id}/review-decision")
def exposure_review_decision(decision_id: str, body: ExposureReviewDecisionIn, principal: Writer,
                             session: SessionDep, clock: ClockDep) -> ExposureOut:
    decision = exposure.decide_review(session, clock, principal, decision_id, outcome=body.outcome,
                                      reasons=body.reasons)
    return _exposure_out(decision, clock)


@router.post("/penalties", status_code=201)
def impose_penalty(body: PenaltyIn, principal: Writer, session: SessionDep, clock: ClockDep) -> PenaltyOut:
    """TCO Art. 18: record a penalty the authority imposed on a provider."""
    penalty = penalties.impose(session, clock, principal, provider_id=body.provider_id, amount=body.amount,
                               currency=body.currency, ground=body.ground, imposed_on=body.imposed_on,
                               description=body.description)
    return PenaltyOut.model_validate(penalty)


@router.get("/penalties")
def list_penalties(principal: Reader, session: SessionDep) -> list[PenaltyOut]:
    return [PenaltyOut.model_validate(p) for p in penalties.list_penalties(session, principal)]


@router.get("/breach-signals")
def breach_signals(principal: Reader, session: SessionDep, clock: ClockDep,
                   settings: SettingsDep) -> list[BreachSignalOut]:
    """TCO Art. 18(4): one-hour breaches per provider over the window; ``systematic`` at the threshold."""
    found = penalties.breach_signals(session, clock, settings, principal)
    return [BreachSignalOut.model_validate({**s.__dict__, "systematic": s.systematic}) for s in found]
