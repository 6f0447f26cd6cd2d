"""Statements of reasons made the way a provider makes them: a case, then a reviewer's decision."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.cases import decisions, intake
from accord.cases.models import Statement
from accord.clock import FrozenClock
from accord.flows import decisions as flows
from accord.identity import service as identity
from accord.identity.models import Member
from accord.identity.service import Principal
from tests.factories import TEST_ACTOR

TCO = decisions.DecisionInput(action="remove", ground="TCO Art. 2(7)(a)", facts="Glorifies the attack.")


def principal(session: Session, org_id: str) -> Principal:
    member = session.scalar(select(Member).where(Member.org_id == org_id))
    assert member is not None
    return identity.member_principal(session, member)


def statements(session: Session, clock: FrozenClock, org_id: str, count: int,
               data: decisions.DecisionInput = TCO) -> list[Statement]:
    """``count`` removals, a second apart, each with its stored statement."""
    reviewer = principal(session, org_id)
    made = []
    for index in range(count):
        clock.advance(seconds=1)
        key = f"https://example.org/{org_id}/{index}/{clock.now().timestamp()}"
        case, _ = intake.open_or_join(session, clock, TEST_ACTOR, provider_id=org_id, content_keys=[key],
                                      source="user_report", urls=[key], title=key)
        decision = flows.decide(session, clock, reviewer, case.id, data)
        statement = session.get(Statement, decision.statement_id)
        assert statement is not None
        made.append(statement)
    return made
