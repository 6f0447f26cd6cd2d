"""Escalation to the senior queue and of an imminent threat to law enforcement: audited, webhooked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accord.audit.models import AuditEvent
from accord.cases import claims, escalation, queues
from accord.errors import InvalidInput, NotFound
from accord.jobs import webhooks
from accord.jobs.models import Job
from accord.settings import Settings
from tests.factories import TEST_ACTOR
from tests.unit.cases.conftest import Provider


def _hook(p: Provider, settings: Settings) -> None:
    webhooks.create_endpoint(p.session, p.clock, settings, TEST_ACTOR, org_id=p.id,
                             url="http://127.0.0.1:9/hook", events=["case.escalated"])


def test_senior_escalation_moves_the_case_where_only_admins_look(provider: Provider, settings: Settings) -> None:
    p = provider
    _hook(p, settings)
    p.case("hard", ["hash_match"])
    reviewer = p.reviewer("junior")
    case = claims.next_case(p.session, p.clock, reviewer).case
    assert case is not None
    escalation.escalate(p.session, p.clock, reviewer, case.id, to="senior", reason="satire or propaganda?")
    senior = queues.senior_queue(p.session, p.id, p.clock.now())
    assert (case.queue_id, case.claimed_by, case.escalation) == (senior.id, None, "senior")
    assert claims.next_case(p.session, p.clock, p.reviewer("other")).case is None
    taken = claims.next_case(p.session, p.clock, p.admin).case
    assert taken is not None and taken.id == case.id
    queues.triage(p.session, p.clock, case)
    assert case.queue_id == senior.id  # re-triage keeps it there
    [job] = p.session.scalars(select(Job).where(Job.kind == "webhook.deliver"))
    assert job.payload["event"] == "case.escalated" and job.payload["data"]["to"] == "senior"


def test_imminent_threat_goes_to_law_enforcement_of_the_member_state(provider: Provider) -> None:
    p = provider
    case = p.case("threat", ["user_report"], jurisdiction="BE")
    escalation.escalate(p.session, p.clock, p.admin, case.id, to="law_enforcement",
                        reason="names a school and a date")
    event = p.session.scalar(select(AuditEvent).where(AuditEvent.tag == "cases:case:escalate"))
    assert event is not None and event.payload["member_state"] == "BE" and event.payload["to"] == "law_enforcement"
    assert "imminent_threat" in case.labels and case.score >= 7


def test_escalation_needs_a_target_a_reason_and_an_own_case(provider: Provider) -> None:
    p = provider
    case = p.case("x", ["hash_match"])
    with pytest.raises(InvalidInput):
        escalation.escalate(p.session, p.clock, p.admin, case.id, to="press", reason="x")
    with pytest.raises(InvalidInput):
        escalation.escalate(p.session, p.clock, p.admin, case.id, to="senior", reason=" ")
    with pytest.raises(NotFound):
        escalation.escalate(p.session, p.clock, p.admin, "case_nope", to="senior", reason="x")
