"""Complaints: two-week deadline, reasons mandatory, a human reviewer, reversal reinstates and tells the issuer."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.jobs.models import Job
from accord.jobs.webhooks import create_endpoint
from accord.rights import complaints, preservation
from accord.rights.complaints import Complainant
from accord.settings import Settings
from tests.unit.rights.conftest import World
from tests.unit.transparency import history

ACTOR = Actor("test:rights", None)
UPLOADER = Complainant("uploader", contact="uploader@example.org")


def _file(session: Session, clock: FrozenClock, world: World, **decision: object) -> complaints.Complaint:
    decision_id = history.decision(session, clock, world.provider.id, **decision)
    return complaints.file_complaint(session, clock, ACTOR, provider_id=world.provider.id, decision_id=decision_id,
                                     complainant=UPLOADER, statement="This is a news report about the attack.")


def test_a_complaint_is_due_within_two_weeks(session: Session, clock: FrozenClock, world: World) -> None:
    complaint = _file(session, clock, world)
    assert complaint.deadline_at == clock.now() + complaints.ANSWER_WITHIN
    clock.advance(days=13, hours=23)
    assert not complaints.is_overdue(complaint, clock.now())
    clock.advance(days=1, hours=1)  # 15 days old
    assert complaints.is_overdue(complaint, clock.now())
    assert complaints.queue(session, provider_id=world.provider.id) == [complaint]


def test_an_answer_after_two_weeks_is_recorded_as_a_breach(session: Session, clock: FrozenClock, world: World,
                                                           settings: Settings) -> None:
    complaint = _file(session, clock, world)
    clock.advance(days=15)
    complaints.decide_complaint(session, clock, settings, ACTOR, provider_id=world.provider.id,
                                complaint_id=complaint.id, outcome="upheld", reasons="Glorifies the attack.",
                                reviewer_id=world.reviewer_id)
    event = session.scalar(select(AuditEvent).where(AuditEvent.tag == "rights:complaint:decide"))
    assert event is not None
    assert event.payload["breach"] is True
    assert event.payload["seconds_to_decide"] == 15 * 86400


@pytest.mark.parametrize("reasons", ["", "   \n"])
def test_a_rejection_without_reasons_cannot_be_saved(session: Session, clock: FrozenClock, world: World,
                                                     settings: Settings, reasons: str) -> None:
    complaint = _file(session, clock, world)
    with pytest.raises(InvalidInput) as raised:
        complaints.decide_complaint(session, clock, settings, ACTOR, provider_id=world.provider.id,
                                    complaint_id=complaint.id, outcome="upheld", reasons=reasons,
                                    reviewer_id=world.reviewer_id)
    assert raised.value.field == "reasons"
    assert complaint.state == "pending"


def test_only_a_human_reviewer_of_the_provider_decides(session: Session, clock: FrozenClock, world: World,
                                                       settings: Settings) -> None:
    complaint = _file(session, clock, world)
    for reviewer in (None, "mem_nobody"):
        with pytest.raises(PermissionDenied):
            complaints.decide_complaint(session, clock, settings, ACTOR, provider_id=world.provider.id,
                                        complaint_id=complaint.id, outcome="upheld", reasons="Kept.",
                                        reviewer_id=reviewer)


def test_a_reversal_reinstates_from_preservation_and_tells_the_issuer(
    session: Session, clock: FrozenClock, world: World, settings: Settings
) -> None:
    create_endpoint(session, clock, settings, ACTOR, org_id=world.authority.id, url="http://127.0.0.1:9/hook")
    notice_id = history.notice(session, clock, provider_id=world.provider.id, issuer_id=world.authority.id)
    complaint = _file(session, clock, world, notice_ids=[notice_id])
    item = preservation.preserve(session, clock, settings, ACTOR, provider_id=world.provider.id,
                                 decision_id=complaint.decision_id, content=b"video bytes", metadata={"url": "u"})
    complaints.decide_complaint(session, clock, settings, ACTOR, provider_id=world.provider.id,
                                complaint_id=complaint.id, outcome="reversed", reasons="Journalism (Art. 1(3)).",
                                reviewer_id=world.reviewer_id)
    assert item.reinstated_at == clock.now()
    tags = list(session.scalars(select(AuditEvent.tag).order_by(AuditEvent.seq)))
    assert tags[-4:] == ["rights:complaint:decide", "rights:preservation:access", "rights:content:reinstate",
                         "rights:complainant:inform"]
    jobs = list(session.scalars(select(Job).where(Job.kind == "webhook.deliver")))
    assert [job.payload["event"] for job in jobs] == ["complaint.reversed"]
    assert jobs[0].org_id == world.authority.id


def test_a_notifier_contests_only_no_action_on_its_own_notice(session: Session, clock: FrozenClock,
                                                              world: World) -> None:
    notice_id = history.notice(session, clock, provider_id=world.provider.id, issuer_id=world.authority.id)
    kept = history.decision(session, clock, world.provider.id, action="no_action", notice_ids=[notice_id])
    removed = history.decision(session, clock, world.provider.id, notice_ids=[notice_id])
    notifier = Complainant("notifier", org_id=world.authority.id)
    complaint = complaints.file_complaint(session, clock, ACTOR, provider_id=world.provider.id, decision_id=kept,
                                          complainant=notifier, statement="This is an IS recruitment video.")
    assert complaint.by == "notifier"
    with pytest.raises(Conflict):
        complaints.file_complaint(session, clock, ACTOR, provider_id=world.provider.id, decision_id=removed,
                                  complainant=notifier, statement="x")
    with pytest.raises(NotFound):
        complaints.file_complaint(session, clock, ACTOR, provider_id=world.provider.id, decision_id=kept,
                                  complainant=Complainant("notifier", org_id=world.other.id), statement="x")


def test_another_providers_complaint_is_not_found(session: Session, clock: FrozenClock, world: World) -> None:
    complaint = _file(session, clock, world)
    with pytest.raises(NotFound):
        complaints.get_complaint(session, provider_id=world.other.id, complaint_id=complaint.id)
    with pytest.raises(NotFound):
        complaints.file_complaint(session, clock, ACTOR, provider_id=world.other.id,
                                  decision_id=complaint.decision_id, complainant=UPLOADER, statement="x")


def test_complaints_close_six_months_after_the_decision(session: Session, clock: FrozenClock, world: World) -> None:
    decision_id = history.decision(session, clock, world.provider.id)
    clock.advance(days=184)
    with pytest.raises(Conflict):
        complaints.file_complaint(session, clock, ACTOR, provider_id=world.provider.id, decision_id=decision_id,
                                  complainant=UPLOADER, statement="late")


def test_a_public_notifier_contests_through_the_report_it_holds(session: Session, clock: FrozenClock,
                                                                world: World) -> None:
    decision_id = history.decision(session, clock, world.provider.id, action="no_action", notice_ids=["ntc_mine"])
    mine = Complainant("notifier", contact="reader@example.org", notice_id="ntc_mine")
    complaint = complaints.file_complaint(session, clock, ACTOR, provider_id=world.provider.id,
                                          decision_id=decision_id, complainant=mine, statement="It is propaganda.")
    assert (complaint.by, complaint.filed_by_org_id) == ("notifier", None)
    stranger = Complainant("notifier", contact="other@example.org", notice_id="ntc_other")
    with pytest.raises(NotFound):
        complaints.file_complaint(session, clock, ACTOR, provider_id=world.provider.id, decision_id=decision_id,
                                  complainant=stranger, statement="Me too.")
    removed = history.decision(session, clock, world.provider.id, action="remove", notice_ids=["ntc_mine"])
    with pytest.raises(Conflict, match="no action"):
        complaints.file_complaint(session, clock, ACTOR, provider_id=world.provider.id, decision_id=removed,
                                  complainant=mine, statement="More.")
