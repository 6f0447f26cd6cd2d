"""Demo: readiness. The coordinator drilled SmallVideo two days ago: the practice order arrived at a random moment
of a one-hour window, was opened, acknowledged, acted on and answered with its Annex II feedback within the hour
(its scorecard is on /ui/readiness). Yesterday the coordinator ran a joint exercise across SmallVideo and ForumNest.
ForumNest shows two readiness gaps to fix: no webhook answered a signed test, and no drill passed (it missed the
exercise); the rest of its score is green (a second person who can act, a policy, its profile set)."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accord.banks.service import NewSignal
from accord.clock import Clock
from accord.demo import DemoWorld
from accord.flows import decisions, incidents
from accord.identity import service as identity
from accord.identity.models import Organisation
from accord.identity.scopes import ALL_SCOPES
from accord.identity.service import Principal
from accord.notices import feedback
from accord.notices import service as notices
from accord.policies import service as policies
from accord.readiness import drills, exercises, score
from accord.rights import profile
from accord.settings import Settings

DEMO_ACTOR_REF = "demo:seed"
EXERCISE_MD5 = hashlib.md5(b"accord demo exercise: the attack video").hexdigest()  # noqa: S324  # a label


class _At:
    """A clock stopped at one moment of the demo's past."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def _as(org: Organisation) -> Principal:
    return Principal(org_id=org.id, org_kind=org.kind, ref=DEMO_ACTOR_REF, scopes=frozenset(ALL_SCOPES))


def _finished_drill(session: Session, clock: Clock, settings: Settings, hub: Organisation,
                    video: Organisation) -> None:
    start = clock.now() - timedelta(days=2)
    drill = drills.schedule(session, _At(start), _as(hub), provider_id=video.id, starts_after=start,
                            ends_before=start + timedelta(hours=1), rng=random.Random(18))  # noqa: S311  # a demo moment, not a secret
    sent = _At(drill.send_at)
    notice = drills.send(session, sent, drill)
    provider = _as(video)
    at = drill.send_at
    drills.note_view(session, _At(at + timedelta(minutes=4)), provider, notice)
    notices.acknowledge(session, _At(at + timedelta(minutes=6)), provider, notice.id)
    decisions.answer_notice(session, _At(at + timedelta(minutes=21)), provider, notice.id,
                            decisions.Answer(outcome="removed"))
    feedback.feedback(session, _At(at + timedelta(minutes=23)), settings, provider, notice.id)
    drills.note_feedback(session, _At(at + timedelta(minutes=23)), notice)


def _joint_exercise(session: Session, clock: Clock, hub: Organisation, video: Organisation,
                    forum: Organisation) -> None:
    """Yesterday's joint exercise: a drill incident, one order each; SmallVideo acted in 12 minutes, ForumNest
    never did (its drill is missed, which is one of its gaps)."""
    start = clock.now() - timedelta(days=1)
    exercise = exercises.start(session, _At(start), _as(hub), title="Livestreamed attack",
                               scenario="An attack is live-streamed; copies spread to member platforms.",
                               provider_ids=[video.id, forum.id], starts_after=start,
                               ends_before=start + timedelta(minutes=30), rng=random.Random(19),  # noqa: S311
                               signals=[NewSignal(type="md5", value=EXERCISE_MD5)])
    for drill in sorted(exercises.drills_of(session, exercise.id), key=lambda d: d.send_at):
        notice = drills.send(session, _At(drill.send_at), drill)
        if drill.provider_id == video.id:
            decisions.answer_notice(session, _At(drill.send_at + timedelta(minutes=12)), _as(video), notice.id,
                                    decisions.Answer(outcome="removed"))
    assert exercise.incident_id is not None  # declared by ``start``
    incidents.conclude_incident(session, _At(start + timedelta(hours=2)), _as(hub).actor, coordinator_id=hub.id,
                                incident_id=exercise.incident_id, conclusion="Exercise over.")


def _two_gaps(session: Session, clock: Clock, world: DemoWorld, forum: Organisation) -> None:
    """ForumNest: everything but the webhook test and a passed drill."""
    ready = score.of_provider(session, clock, forum.id)
    gaps = {item.key for item in ready.gaps}
    if "two_people" in gaps:
        identity.add_member(session, clock, _as(forum).actor, org_id=forum.id,
                            email="oncall@forumnest.demo.example", name="ForumNest on call", role="reviewer",
                            password="demo-" + forum.id)
    if "micro_small_profile" in gaps:
        profile.set_micro_small(session, clock, _as(forum).actor, org_id=forum.id, micro_small=True)
    if "policy" in gaps and policies.active_version(session, forum.id) is None:
        return  # the policies demo gives ForumNest none: then that is a third gap, shown as it is


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    hub, video, forum = world.orgs["hub"], world.orgs["smallvideo"], world.orgs["forumnest"]
    _finished_drill(session, clock, settings, hub, video)
    _joint_exercise(session, clock, hub, video, forum)
    _two_gaps(session, clock, world, forum)
    world.links.append(("Readiness: a finished drill and its scorecard, ForumNest's two gaps", "/ui/readiness"))
