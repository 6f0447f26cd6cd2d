"""/v1/training: golden sets and cases, training answers, accuracy and kappa against gold, the calibration rule."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from accord.identity.service import Principal
from accord.training import practice, sets
from accord.training.models import GoldenCase
from accord.web.deps import ClockDep, Scoped, SessionDep
from accord.web.schemas.training import (
    AgreementOut,
    CalibrationOut,
    FeedbackOut,
    FromDecisionIn,
    GoldenCaseCuratedOut,
    GoldenCaseIn,
    GoldenCaseOut,
    GoldenSetIn,
    GoldenSetOut,
    ReferenceOut,
    RuleIn,
    RuleOut,
    TrainingAnswerIn,
)

router = APIRouter(prefix="/v1/training", tags=["training"])
Reader = Annotated[Principal, Depends(Scoped("cases:read"))]
Writer = Annotated[Principal, Depends(Scoped("cases:write"))]


def calibration_out(status: practice.Calibration) -> CalibrationOut:
    return CalibrationOut.model_validate({**status.__dict__, "passed": status.passed})


@router.get("/sets")
def list_sets(principal: Reader, session: SessionDep) -> list[GoldenSetOut]:
    """Golden sets the organisation may train on: its own, those shared with it, those shared with all."""
    found = sets.visible_sets(session, principal.org_id)
    counts = sets.set_counts(session, found)
    return [GoldenSetOut.model_validate({**_fields(s), "cases": counts[s.id]}) for s in found]


def _fields(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


@router.post("/sets", status_code=201)
def create_set(body: GoldenSetIn, principal: Writer, session: SessionDep, clock: ClockDep) -> GoldenSetOut:
    golden = sets.create_set(session, clock, principal, name=body.name, description=body.description,
                             visibility=body.visibility, shared_with=body.shared_with)
    return GoldenSetOut.model_validate(golden)


@router.get("/sets/{set_id}")
def get_set(set_id: str, principal: Reader, session: SessionDep) -> GoldenSetOut:
    golden = sets.get_set(session, principal.org_id, set_id)
    return GoldenSetOut.model_validate({**_fields(golden), "cases": sets.set_counts(session, [golden])[golden.id]})


@router.get("/sets/{set_id}/cases")
def list_cases(set_id: str, principal: Reader, session: SessionDep) -> list[GoldenCaseOut]:
    """The set's golden cases as a trainee sees them: without the reference."""
    golden = sets.get_set(session, principal.org_id, set_id)
    return [GoldenCaseOut.model_validate(c) for c in sets.cases_of(session, [golden.id])]


@router.post("/sets/{set_id}/cases", status_code=201)
def add_case(set_id: str, body: GoldenCaseIn, principal: Writer, session: SessionDep,
             clock: ClockDep) -> GoldenCaseCuratedOut:
    """A golden case written by the set's owner, with its reference decision and reasons."""
    written = sets.WrittenCase(**body.model_dump())
    return GoldenCaseCuratedOut.model_validate(sets.add_written(session, clock, principal, set_id, written))


@router.post("/sets/{set_id}/cases/from-decision", status_code=201)
def add_from_decision(set_id: str, body: FromDecisionIn, principal: Writer, session: SessionDep,
                      clock: ClockDep) -> GoldenCaseCuratedOut:
    """A golden case from one of the organisation's past decisions, anonymised (no uploader, no sender, no URL)."""
    case = sets.add_from_decision(session, clock, principal, set_id, body.decision_id, title=body.title)
    return GoldenCaseCuratedOut.model_validate(case)


@router.get("/sets/{set_id}/cases/{golden_case_id}")
def get_case(set_id: str, golden_case_id: str, principal: Reader, session: SessionDep) -> GoldenCaseOut:
    return GoldenCaseOut.model_validate(sets.get_case(session, principal.org_id, set_id, golden_case_id))


@router.post("/sets/{set_id}/cases/{golden_case_id}/answers", status_code=201)
def answer(set_id: str, golden_case_id: str, body: TrainingAnswerIn, principal: Writer, session: SessionDep,
           clock: ClockDep) -> FeedbackOut:
    """Decide a golden case in training: the answer comes back with the reference and its reasoning. Nothing
    acts on content; no statement of reasons, strike or report figure follows."""
    given = practice.Answer(action=body.action, ground=body.ground, reasons=body.reasons)
    feedback = practice.answer(session, clock, principal, set_id, golden_case_id, given)
    return _feedback(feedback.answer.id, feedback.case, feedback.answer.action, feedback.answer.correct,
                     feedback.calibration)


def _feedback(answer_id: str, case: GoldenCase, action: str, correct: bool,
              status: practice.Calibration) -> FeedbackOut:
    return FeedbackOut(id=answer_id, golden_case_id=case.id, action=action, correct=correct,
                       reference=_reference(case), calibration=calibration_out(status))


def _reference(case: GoldenCase) -> ReferenceOut:
    return ReferenceOut.model_validate(case)


@router.get("/accuracy")
def accuracy(principal: Reader, session: SessionDep) -> list[AgreementOut]:
    """Per reviewer of the organisation: accuracy and Cohen's kappa of their first answers against gold."""
    return [AgreementOut.model_validate(a.__dict__) for a in practice.agreement(session, principal.org_id)]


@router.get("/calibration")
def calibration(principal: Reader, session: SessionDep) -> CalibrationOut:
    """Where the caller stands against the organisation's calibration rule."""
    return calibration_out(practice.calibration(session, principal.org_id, principal.ref))


@router.get("/rule")
def get_rule(principal: Reader, session: SessionDep) -> RuleOut:
    rule = practice.get_rule(session, principal.org_id)
    if rule is None:
        return RuleOut(required=False, cases=practice.DEFAULT_CASES, min_accuracy=practice.DEFAULT_ACCURACY,
                       min_kappa=None, set_id=None, enabled_at=None)
    return RuleOut.model_validate(rule)


@router.put("/rule")
def put_rule(body: RuleIn, principal: Writer, session: SessionDep, clock: ClockDep) -> RuleOut:
    """Require (or stop requiring) new reviewers to pass a calibration before they claim live cases."""
    rule = practice.set_rule(session, clock, principal, **body.model_dump())
    return RuleOut.model_validate(rule)
