"""Drills as services: the drawn moment lies in the part of the window still ahead, the worker's duty sends only
what is due (once), who may schedule and cancel, and a drill answered by a decision leaves no legal record."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.cases.decisions import DecisionInput
from accord.cases.models import Case, Decision, Statement, Strike
from accord.cases.service import annotate
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.flows import decisions
from accord.jobs.models import Job
from accord.readiness import drills
from accord.rights.models import UserNotice
from tests.unit.notices.helpers import org


def test_the_moment_is_drawn_in_what_is_left_of_the_window(clock: FrozenClock) -> None:
    start, end = clock.now(), clock.now() + timedelta(minutes=1)
    moments = {drills.draw(start, end, random.Random(seed)) for seed in range(200)}
    assert min(moments) >= start and max(moments) < end and len(moments) > 30


def test_schedule_refuses_bad_windows_and_strangers(session: Session, clock: FrozenClock) -> None:
    _, iru = org(session, clock, "authority")
    video, as_video = org(session, clock, "provider")
    forum, _ = org(session, clock, "provider")
    _, ngo = org(session, clock, "trusted_flagger")
    now = clock.now()
    with pytest.raises(InvalidInput, match="passed"):
        drills.schedule(session, clock, iru, provider_id=video.id, starts_after=now - timedelta(hours=2),
                        ends_before=now - timedelta(hours=1))
    with pytest.raises(InvalidInput, match="31 days"):
        drills.schedule(session, clock, iru, provider_id=video.id, starts_after=now,
                        ends_before=now + timedelta(days=40))
    with pytest.raises(PermissionDenied):
        drills.schedule(session, clock, ngo, provider_id=video.id, starts_after=now,
                        ends_before=now + timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        drills.schedule(session, clock, as_video, provider_id=forum.id, starts_after=now,
                        ends_before=now + timedelta(hours=1))
    late = drills.schedule(session, clock, iru, provider_id=video.id, starts_after=now - timedelta(hours=1),
                           ends_before=now + timedelta(minutes=5), rng=random.Random(1))
    assert now <= late.send_at < now + timedelta(minutes=5)  # never in the past part of the window


def test_the_duty_sends_what_is_due_once_and_cancel_stops_the_rest(session: Session, clock: FrozenClock) -> None:
    _, iru = org(session, clock, "authority")
    video, as_video = org(session, clock, "provider")
    start, end = clock.now(), clock.now() + timedelta(hours=1)
    first, second = (drills.schedule(session, clock, iru, provider_id=video.id, starts_after=start, ends_before=end,
                                     rng=random.Random(seed)) for seed in (2, 3))
    with pytest.raises(PermissionDenied):
        drills.cancel(session, clock, as_video, second.id)
    drills.cancel(session, clock, iru, second.id)
    clock.set(first.send_at - timedelta(seconds=1))
    assert drills.send_due(session, clock) == 0
    clock.advance(hours=2)
    assert drills.send_due(session, clock) == 1 and drills.send_due(session, clock) == 0
    assert first.status == "sent" and second.status == "cancelled"
    with pytest.raises(Conflict):
        drills.cancel(session, clock, iru, first.id)
    _, stranger = org(session, clock, "provider")
    with pytest.raises(NotFound):
        drills.get_drill(session, stranger, first.id)


def test_a_drill_decided_in_the_console_leaves_no_legal_record(session: Session, clock: FrozenClock) -> None:
    _, hub = org(session, clock, "coordinator")
    video, as_video = org(session, clock, "provider")
    drill = drills.schedule(session, clock, hub, provider_id=video.id, starts_after=clock.now(),
                            ends_before=clock.now() + timedelta(minutes=1), rng=random.Random(4))
    clock.set(drill.send_at)
    notice = drills.send(session, clock, drill)
    case = session.get_one(Case, notice.case_id)
    assert "drill" in case.labels and notice.drill
    clock.advance(minutes=5)
    annotate(session, clock, case, uploader_ref="uploader-1")
    manifest = DecisionInput(action="remove", ground="TCO Art. 3", facts="drill", ground_kind="legal",
                             manifestly_illegal=True)
    decisions.decide(session, clock, as_video, case.id, manifest, claim_check=False)  # the review console's door
    session.flush()
    assert case.state == "decided" and notice.outcome == "removed"
    for counted in (Decision, Statement, Strike, UserNotice, Job):  # no record, strike, notice or preservation
        assert session.scalar(select(func.count()).select_from(counted)) == 0, counted
    tags = set(session.scalars(select(AuditEvent.tag).where(AuditEvent.subject.in_([notice.id, case.id]))))
    assert "cases:drill:decide" in tags and "cases:decision:create" not in tags
    assert drills.scorecard(session, clock, drill).passed
