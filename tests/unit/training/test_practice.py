"""Training answers, first answers, the calibration rule and the live-claim gate, with a controlled clock."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.cases import claims, service
from accord.clock import FrozenClock
from accord.errors import CalibrationRequired, InvalidInput, PermissionDenied
from accord.identity import service as identity
from accord.identity.models import Member
from accord.identity.service import Principal
from accord.training import practice, sets
from tests.factories import PASSWORD, TEST_ACTOR, make_org


def _people(session: Session, clock: FrozenClock) -> tuple[Principal, Principal]:
    """An organisation's admin and a reviewer."""
    org = make_org(session, clock, "provider")
    admin = session.scalar(select(Member).where(Member.email == org.email))
    assert admin is not None
    reviewer = identity.add_member(session, clock, TEST_ACTOR, org_id=org.id, email=f"r.{org.email}", name="R",
                                   role="reviewer", password=PASSWORD)
    return identity.member_principal(session, admin), identity.member_principal(session, reviewer)


def _golden(session: Session, clock: FrozenClock, admin: Principal, actions: list[str]) -> tuple[str, list[str]]:
    golden = sets.create_set(session, clock, admin, name="basics")
    ids = [sets.add_written(session, clock, admin, golden.id, sets.WrittenCase(
        title=f"c{i}", facts="f", reference_action=action, reference_ground="g", reference_reasons="r")).id
        for i, action in enumerate(actions)]
    return golden.id, ids


def test_a_reviewer_who_claimed_before_the_rule_is_not_new(session: Session, clock: FrozenClock) -> None:
    admin, reviewer = _people(session, clock)
    service.open_case_from_match(session, clock, TEST_ACTOR, provider_id=admin.org_id, signal_type="md5",
                                 value="1" * 32)
    claims.next_case(session, clock, admin)  # the admin claims a live case before the rule
    clock.advance(minutes=1)
    practice.set_rule(session, clock, admin, required=True, cases=2)
    practice.check_live_claim(session, admin)  # a veteran: not held back
    with pytest.raises(CalibrationRequired) as refused:
        practice.check_live_claim(session, reviewer)
    assert refused.value.status == 403 and refused.value.extra["cases"] == 2
    assert isinstance(refused.value, PermissionDenied)


def test_a_pass_is_kept_and_only_first_answers_count(session: Session, clock: FrozenClock) -> None:
    admin, reviewer = _people(session, clock)
    set_id, ids = _golden(session, clock, admin, ["remove", "no_action"])
    practice.set_rule(session, clock, admin, required=True, cases=2, min_accuracy=1.0, min_kappa=0.9)
    first = practice.answer(session, clock, reviewer, set_id, ids[0], practice.Answer(action="no_action"))
    assert not first.answer.correct and first.case.reference_reasons == "r"
    again = practice.answer(session, clock, reviewer, set_id, ids[0], practice.Answer(action="remove"))
    assert again.answer.attempt == 2 and again.calibration.answered == 1  # the retry does not count
    status = practice.answer(session, clock, reviewer, set_id, ids[1], practice.Answer(action="no_action"))
    assert not status.calibration.passed  # 1 of 2 first answers right
    with pytest.raises(CalibrationRequired):
        practice.check_live_claim(session, reviewer)
    practice.set_rule(session, clock, admin, required=True, cases=2, min_accuracy=0.5, min_kappa=None)
    _, more = _golden_more(session, clock, admin, set_id)
    passed = practice.answer(session, clock, reviewer, set_id, more, practice.Answer(action="remove"))
    assert passed.calibration.passed and passed.calibration.passed_at == clock.now()
    practice.check_live_claim(session, reviewer)
    practice.set_rule(session, clock, admin, required=True, cases=2, min_accuracy=1.0)  # stricter later
    practice.check_live_claim(session, reviewer)  # a pass stays a pass


def _golden_more(session: Session, clock: FrozenClock, admin: Principal, set_id: str) -> tuple[str, str]:
    case = sets.add_written(session, clock, admin, set_id, sets.WrittenCase(
        title="c9", facts="f", reference_action="remove", reference_ground="g", reference_reasons="r"))
    return set_id, case.id


def test_rule_thresholds_are_checked(session: Session, clock: FrozenClock) -> None:
    admin, reviewer = _people(session, clock)
    for bad in ({"cases": 0}, {"min_accuracy": 1.5}, {"min_kappa": -2.0}):
        with pytest.raises(InvalidInput):
            practice.set_rule(session, clock, admin, required=True, **bad)
    with pytest.raises(PermissionDenied):
        practice.set_rule(session, clock, reviewer, required=True)
    assert practice.get_rule(session, admin.org_id) is None  # nothing half-written
