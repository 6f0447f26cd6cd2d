"""User notices: sent at once, or held during non-disclosure and released by the periodic duty."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.errors import InvalidInput, NotFound
from accord.jobs.models import Job
from accord.jobs.registry import DUTIES, JobContext
from accord.jobs.webhooks import create_endpoint
from accord.rights import jobs as rights_jobs
from accord.rights import user_notices
from accord.rights.models import UserNotice
from accord.settings import Settings
from tests.unit.rights.conftest import World

ACTOR = Actor("test:rights", None)
FACTS = {"what": "the video at https://v.example/1", "why": "It glorifies the attack of 2 March.",
         "ground": "TCO Regulation Art. 2(7)(a)", "automated": True, "order_reference": "FR-2026-17"}


def _issue(session: Session, clock: FrozenClock, world: World, until: object = None) -> user_notices.IssuedNotice:
    return user_notices.issue_user_notice(session, clock, ACTOR, provider_id=world.provider.id, decision_id="dec_1",
                                     uploader_contact="uploader@example.org", facts=FACTS,
                                     nondisclosure_until=until)  # type: ignore[arg-type]


def test_a_notice_says_what_why_ground_automation_and_how_to_contest(session: Session, clock: FrozenClock,
                                                                     world: World) -> None:
    issued = _issue(session, clock, world)
    text = issued.notice.text
    for part in ("the video at https://v.example/1", "glorifies", "Art. 2(7)(a)", "Automated means were used",
                 "complaint", "FR-2026-17"):
        assert part in text
    assert issued.notice.state == "sent"
    assert issued.token is not None
    assert issued.notice.token_hash == user_notices.token_hash(issued.token)
    assert issued.token not in str(issued.notice.facts) and issued.notice.token_hash != issued.token
    assert user_notices.by_token(session, issued.token) is issued.notice


def test_a_notice_under_non_disclosure_is_held_then_released_by_the_duty(
    session: Session, clock: FrozenClock, settings: Settings, world: World
) -> None:
    create_endpoint(session, clock, settings, ACTOR, org_id=world.provider.id, url="http://127.0.0.1:9/hook")
    issued = _issue(session, clock, world, clock.now() + timedelta(weeks=6))
    assert issued.notice.state == "held" and issued.token is None and issued.notice.token_hash is None
    duty = DUTIES["rights.release_user_notices"][1]
    assert duty is rights_jobs.release_user_notices
    context = JobContext(session, clock, settings, "test")
    clock.advance(weeks=6, seconds=-1)
    assert duty(context) == 0
    assert session.scalars(select(Job).where(Job.kind == "webhook.deliver")).first() is None
    clock.advance(seconds=1)
    assert duty(context) == 1
    assert issued.notice.state == "sent" and issued.notice.sent_at == clock.now()
    job = session.scalars(select(Job).where(Job.kind == "webhook.deliver")).one()
    assert job.payload["event"] == "user_notice.send"
    assert job.payload["data"]["complaint_path"].startswith(user_notices.NOTICE_PATH)
    tags = list(session.scalars(select(AuditEvent.tag).where(AuditEvent.tag.startswith("rights:user_notice"))
                                .order_by(AuditEvent.seq)))
    assert tags == ["rights:user_notice:hold", "rights:user_notice:send"]
    assert duty(context) == 0


def test_non_disclosure_is_capped_at_twelve_weeks(session: Session, clock: FrozenClock, world: World) -> None:
    _issue(session, clock, world, clock.now() + timedelta(weeks=12))
    with pytest.raises(InvalidInput) as raised:
        _issue(session, clock, world, clock.now() + timedelta(weeks=12, seconds=1))
    assert raised.value.field == "nondisclosure_until"


def test_a_notice_must_say_why(session: Session, clock: FrozenClock, world: World) -> None:
    with pytest.raises(InvalidInput):
        user_notices.issue_user_notice(session, clock, ACTOR, provider_id=world.provider.id, decision_id="dec_1",
                                  uploader_contact="u@example.org", facts={"what": "x", "ground": "y"},
                                  nondisclosure_until=None)


def test_tokens_and_other_providers_see_nothing(session: Session, clock: FrozenClock, world: World) -> None:
    held = _issue(session, clock, world, clock.now() + timedelta(days=1))
    with pytest.raises(NotFound):
        user_notices.by_token(session, "not-a-token")
    with pytest.raises(NotFound):
        user_notices.get_notice(session, provider_id=world.other.id, notice_id=held.notice.id)
    assert session.scalars(select(UserNotice.token_hash)).all() == [None]
