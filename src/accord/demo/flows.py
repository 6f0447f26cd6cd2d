"""Demo: a small provider answers a removal order in its inbox, and the answer carries its whole legal record.

Order FR-IRU-2026-0040 (with a 28-day non-disclosure decision) reached SmallVideo two hours ago and was removed
25 minutes later by a direct answer: the decision, its statement of reasons, the preserved copy (the
preservation job is run here, as the worker would) and the user notice, held until the non-disclosure ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.demo import DemoWorld
from accord.demo.notices import _as, _Earlier, _order
from accord.errors import DomainError
from accord.flows import decisions
from accord.jobs import service as jobs
from accord.jobs.models import Job
from accord.jobs.registry import HANDLERS, JobContext, load_all
from accord.notices import action_days
from accord.notices import service as notices
from accord.settings import Settings

ORDER_REFERENCE = "FR-IRU-2026-0040"
UPLOADER = "user:4040 (uploader of watch/40)"


def _answered_order(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> str:
    """Receive the order, answer it ``removed`` 25 minutes later; returns the decision's id."""
    iru, video = world.orgs["iru"], world.orgs["smallvideo"]
    at = _Earlier(clock, 120)
    order = notices.receive(session, at, settings, _as(iru),
                            _order(video, 40, "video.smallvideo.example/watch/40", at.now(), nondisclosure_days=28))
    answer = decisions.Answer(outcome="removed", uploader=UPLOADER,
                              reasons="The video matches the order's description; removed for all users.")
    decisions.answer_notice(session, _Earlier(clock, 95), _as(video), order.id, answer, settings=settings)
    decision = decisions.decision_of(session, order)
    assert decision is not None  # a removal is a decision
    return decision.id


def _preserve_now(session: Session, clock: Clock, settings: Settings, decision_id: str) -> None:
    """Run the decision's preservation job, as the worker would, so that the demo shows the preserved copy."""
    load_all()
    for job in session.scalars(select(Job).where(Job.kind == decisions.PRESERVE_JOB, Job.state == "pending")):
        if job.payload.get("decision_id") == decision_id:
            HANDLERS[job.kind](JobContext(session, clock, settings, job.id), dict(job.payload))
            jobs.complete(session, clock, job)


def _action_day(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    """The coordinator's Referral Action Day, four hours in: twelve referrals to both providers, a shared
    deadline at the end of the day; SmallVideo has acknowledged its share and removed three, ForumNest not yet."""
    hub, video, forum = world.orgs["hub"], world.orgs["smallvideo"], world.orgs["forumnest"]
    start = _Earlier(clock, 240)
    day = action_days.create(session, start, _as(hub), name="Referral Action Day: jihadist propaganda videos",
                             deadline_at=clock.now() + timedelta(hours=4),
                             description="Coordinated with 9 Member States' IRUs; one shared deadline.")
    hosts = [(video, "video.smallvideo.example"), (forum, "forumnest.example")] * 6
    lines: list[tuple[int, dict[str, Any] | DomainError]] = [
        (i, {"kind": "referral", "provider_id": provider.id, "reference": f"RAD-2026-12-{i:03d}",
             "urls": [f"https://{host}/rad/{i}"], "clause": "Terms 3.1 (terrorist content)",
             "reasons": "Branded propaganda video of a designated group.", "tco_types": ["incitement"]})
        for i, (provider, host) in enumerate(hosts, start=1)]
    report = action_days.add_notices(session, start, settings, _as(hub), day.id, lines)
    assert not report.refused, [line.error for line in report.lines if not line.accepted]
    ours = [line.notice_id for line in report.lines if line.notice_id][::2]  # SmallVideo's six
    for minutes, notice_id in zip((200, 190, 180, 170, 160, 150), ours, strict=True):
        notices.acknowledge(session, _Earlier(clock, minutes), _as(video), notice_id)
    for minutes, notice_id in zip((130, 120, 90), ours, strict=False):
        answer = decisions.Answer(outcome="removed", reasons="Terms 3.1: terrorist propaganda; removed for all users.")
        decisions.answer_notice(session, _Earlier(clock, minutes), _as(video), notice_id, answer, settings=settings)


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    decision_id = _answered_order(session, clock, settings, world)
    _preserve_now(session, _Earlier(clock, 94), settings, decision_id)
    _action_day(session, clock, settings, world)


