"""Training mode and calibration: a trainee decides a golden case, then sees the reference and its reasons.

A training answer is a row of ``training_answers`` and a ``training:answer:record`` event, nothing else: it
never touches a live case, a notice, a statement of reasons, a strike or a report. Accuracy and Cohen's kappa
against gold are computed over each reviewer's *first* answer to each golden case (a second try after reading
the reference measures memory, not judgement). An organisation may require new reviewers to pass a calibration
(the last N golden cases answered, accuracy and kappa thresholds) before they claim live cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.cases.models import ACTIONS, Claim, Decision
from accord.clock import Clock
from accord.db import new_id
from accord.errors import CalibrationRequired, InvalidInput
from accord.identity.service import Principal
from accord.stats import cohens_kappa
from accord.training import sets
from accord.training.models import CalibrationPass, CalibrationRule, GoldenCase, TrainingAnswer

DEFAULT_CASES, DEFAULT_ACCURACY = 10, 0.8


@dataclass(frozen=True)
class Answer:
    action: str
    ground: str = ""
    reasons: str = ""


@dataclass(frozen=True)
class Agreement:
    """One reviewer against gold: first answers only."""

    reviewer: str
    answered: int
    correct: int
    accuracy: float | None
    kappa: float | None


@dataclass(frozen=True)
class Calibration:
    """Where a reviewer stands against the organisation's rule (``required`` False: no rule in force)."""

    reviewer: str
    required: bool
    cases: int
    min_accuracy: float
    min_kappa: float | None
    set_id: str | None
    answered: int
    correct: int
    accuracy: float | None
    kappa: float | None
    meets: bool
    passed_at: datetime | None

    @property
    def passed(self) -> bool:
        return self.passed_at is not None or self.meets


@dataclass(frozen=True)
class Feedback:
    """What the trainee sees after deciding: their answer, the reference, and their calibration."""

    answer: TrainingAnswer
    case: GoldenCase
    calibration: Calibration


def answer(session: Session, clock: Clock, principal: Principal, set_id: str, golden_case_id: str,
           given: Answer) -> Feedback:
    """Record a training decision on a golden case and return the reference with its reasons."""
    principal.require_role("reviewer")
    case = sets.get_case(session, principal.org_id, set_id, golden_case_id)
    if given.action not in ACTIONS:
        raise InvalidInput(f"the action is one of {', '.join(ACTIONS)}", field="action")
    attempt = 1 + len(answers_of(session, principal.org_id, case.id, principal.ref))
    row = TrainingAnswer(id=new_id("tans"), org_id=principal.org_id, reviewer=principal.ref,
                         golden_case_id=case.id, action=given.action, ground=given.ground.strip()[:500],
                         reasons=given.reasons.strip(), correct=given.action == case.reference_action,
                         attempt=attempt, created_at=clock.now())
    session.add(row)
    record(session, clock, principal.actor, Event.TRAINING_ANSWER_RECORD, subject=row.id, org_id=principal.org_id,
           payload={"golden_case_id": case.id, "reviewer": principal.ref, "action": row.action,
                    "correct": row.correct})
    status = calibration(session, principal.org_id, principal.ref)
    if status.required and status.meets and status.passed_at is None:
        status = _pass(session, clock, principal, status)
    return Feedback(row, case, status)


def _pass(session: Session, clock: Clock, principal: Principal, status: Calibration) -> Calibration:
    now = clock.now()
    session.add(CalibrationPass(org_id=principal.org_id, reviewer=principal.ref, answered=status.answered,
                                accuracy=status.accuracy or 0.0, kappa=status.kappa, passed_at=now))
    record(session, clock, principal.actor, Event.TRAINING_CALIBRATION_PASS, subject=principal.ref,
           org_id=principal.org_id, payload={"reviewer": principal.ref, "answered": status.answered,
                                             "accuracy": status.accuracy or 0.0, "kappa": status.kappa})
    return replace(status, passed_at=now)


def answers_of(session: Session, org_id: str, golden_case_id: str, reviewer: str) -> list[TrainingAnswer]:
    query = select(TrainingAnswer).where(TrainingAnswer.org_id == org_id, TrainingAnswer.reviewer == reviewer,
                                         TrainingAnswer.golden_case_id == golden_case_id)
    return list(session.scalars(query.order_by(TrainingAnswer.created_at, TrainingAnswer.id)))


def answered(session: Session, org_id: str, reviewer: str, golden_case_ids: Sequence[str]) -> dict[str, bool]:
    """golden case id → whether the reviewer's first answer matched the reference, for those answered."""
    query = select(TrainingAnswer).where(TrainingAnswer.org_id == org_id, TrainingAnswer.reviewer == reviewer,
                                         TrainingAnswer.golden_case_id.in_(list(golden_case_ids)),
                                         TrainingAnswer.attempt == 1)
    return {row.golden_case_id: row.correct for row in session.scalars(query)}


def _first_answers(session: Session, org_id: str, reviewer: str | None = None,
                   set_id: str | None = None) -> list[tuple[TrainingAnswer, GoldenCase]]:
    """Each reviewer's first answer to each golden case, oldest first."""
    query = (select(TrainingAnswer, GoldenCase).join(GoldenCase, GoldenCase.id == TrainingAnswer.golden_case_id)
             .where(TrainingAnswer.org_id == org_id, TrainingAnswer.attempt == 1)
             .order_by(TrainingAnswer.created_at, TrainingAnswer.id))
    if reviewer is not None:
        query = query.where(TrainingAnswer.reviewer == reviewer)
    if set_id is not None:
        query = query.where(GoldenCase.set_id == set_id)
    return [(row, case) for row, case in session.execute(query)]


def _agreement(reviewer: str, pairs: Sequence[tuple[str, str]]) -> Agreement:
    correct = sum(1 for given, gold in pairs if given == gold)
    kappa = cohens_kappa(pairs)
    return Agreement(reviewer, len(pairs), correct, round(correct / len(pairs), 4) if pairs else None,
                     round(kappa, 4) if kappa is not None else None)


def agreement(session: Session, org_id: str) -> list[Agreement]:
    """Per reviewer of the organisation: accuracy and Cohen's kappa of their first answers against gold."""
    query = (select(TrainingAnswer.reviewer, TrainingAnswer.action, GoldenCase.reference_action)
             .join(GoldenCase, GoldenCase.id == TrainingAnswer.golden_case_id)
             .where(TrainingAnswer.org_id == org_id, TrainingAnswer.attempt == 1))
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for reviewer, given, gold in session.execute(query):
        grouped[reviewer].append((given, gold))
    return [_agreement(reviewer, pairs) for reviewer, pairs in sorted(grouped.items())]


# ---- the calibration rule ------------------------------------------------------------------------------------

def get_rule(session: Session, org_id: str) -> CalibrationRule | None:
    return session.get(CalibrationRule, org_id)


def set_rule(session: Session, clock: Clock, principal: Principal, *, required: bool, cases: int = DEFAULT_CASES,
             min_accuracy: float = DEFAULT_ACCURACY, min_kappa: float | None = None,
             set_id: str | None = None) -> CalibrationRule:
    """Switch the organisation's calibration rule on or off, or change its thresholds (admins)."""
    principal.require_role("admin")
    _check_rule(cases, min_accuracy, min_kappa)
    if set_id is not None:
        sets.get_set(session, principal.org_id, set_id)
    now = clock.now()
    rule = get_rule(session, principal.org_id)
    if rule is None:
        rule = CalibrationRule(org_id=principal.org_id, updated_at=now)
        session.add(rule)
    if required and not rule.required:
        rule.enabled_at = now  # whoever claimed a live case before now is not a new reviewer
    rule.required, rule.cases, rule.min_accuracy, rule.min_kappa = required, cases, min_accuracy, min_kappa
    rule.set_id, rule.updated_at = set_id, now
    record(session, clock, principal.actor, Event.TRAINING_RULE_UPDATE, subject=principal.org_id,
           org_id=principal.org_id, payload={"required": required, "cases": cases, "min_accuracy": min_accuracy,
                                             "min_kappa": min_kappa, "set_id": set_id})
    return rule


def _check_rule(cases: int, min_accuracy: float, min_kappa: float | None) -> None:
    if not 1 <= cases <= 500:
        raise InvalidInput("a calibration takes 1 to 500 golden cases", field="cases")
    if not 0 <= min_accuracy <= 1:
        raise InvalidInput("the accuracy threshold lies between 0 and 1", field="min_accuracy")
    if min_kappa is not None and not -1 <= min_kappa <= 1:
        raise InvalidInput("the kappa threshold lies between -1 and 1", field="min_kappa")


def calibration(session: Session, org_id: str, reviewer: str) -> Calibration:
    """The reviewer's last N first answers (on the rule's set, if it names one) against the thresholds."""
    rule = get_rule(session, org_id)
    cases = rule.cases if rule else DEFAULT_CASES
    min_accuracy = rule.min_accuracy if rule else DEFAULT_ACCURACY
    min_kappa, set_id = (rule.min_kappa, rule.set_id) if rule else (None, None)
    recent = _first_answers(session, org_id, reviewer, set_id)[-cases:]
    figures = _agreement(reviewer, [(row.action, case.reference_action) for row, case in recent])
    meets = (figures.answered >= cases and figures.accuracy is not None and figures.accuracy >= min_accuracy
             and (min_kappa is None or (figures.kappa is not None and figures.kappa >= min_kappa)))
    passed = session.get(CalibrationPass, (org_id, reviewer))
    return Calibration(reviewer, bool(rule and rule.required), cases, min_accuracy, min_kappa, set_id,
                       figures.answered, figures.correct, figures.accuracy, figures.kappa, meets,
                       passed.passed_at if passed else None)


def check_live_claim(session: Session, principal: Principal) -> None:
    """Refuse a live claim (``CalibrationRequired``) to a new reviewer who has not passed the calibration.

    Called by every way into the review queue (API, console, command line) before ``accord.cases.claims``:
    the cases domain sits below this one and knows nothing of training."""
    rule = get_rule(session, principal.org_id)
    if rule is None or not rule.required:
        return
    if session.get(CalibrationPass, (principal.org_id, principal.ref)) is not None or _veteran(session, principal,
                                                                                               rule):
        return
    status = calibration(session, principal.org_id, principal.ref)
    raise CalibrationRequired(
        f"pass the calibration first: {status.cases} golden cases at {status.min_accuracy:.0%} accuracy"
        + (f" and kappa {status.min_kappa}" if status.min_kappa is not None else "")
        + f" (so far {status.answered} answered, {status.correct} matching the reference)",
        answered=status.answered, cases=status.cases, accuracy=status.accuracy, kappa=status.kappa,
        min_accuracy=status.min_accuracy, min_kappa=status.min_kappa)


def _veteran(session: Session, principal: Principal, rule: CalibrationRule) -> bool:
    """Whether the reviewer claimed or decided a live case before the rule was switched on (not new)."""
    if rule.enabled_at is None:
        return False
    claimed = select(Claim.id).where(Claim.provider_id == principal.org_id, Claim.reviewer == principal.ref,
                                     Claim.claimed_at < rule.enabled_at)
    decided = select(Decision.id).where(Decision.provider_id == principal.org_id,
                                        Decision.reviewer == principal.ref, Decision.created_at < rule.enabled_at)
    return bool(session.scalar(select(claimed.exists() | decided.exists())))
