"""Removal-order drills: a practice order sent at a random moment of a window, and its scorecard.

The one-hour rule (TCO Art. 3(3)) is met only by a provider whose on-call path works when nobody expects an
order; a drill finds out before a real order breaches. An authority, the coordinator or the provider itself (a
self-drill) schedules one for a window; the worker (``readiness.send_drills``) sends it at a moment drawn inside
the window when it was scheduled and never shown to the provider. The order follows the real path (webhook,
inbox, countdown, acknowledgement, answer, Annex II/III feedback) marked ``drill`` everywhere, and is never
counted: its audit events carry ``drill`` (the reports skip them), its case is closed without a decision, a
statement of reasons or a strike (``accord.cases.decisions.conclude_drill``), and its hour passing records no
breach (``accord.notices.service.mark_breach``).

The scorecard reads the times off the real path: delivery (the ``notice.received`` webhook answered), first view
(the provider opened the order), acknowledgement, action and feedback (the Annex II/III record first produced),
and says what to fix.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock, as_utc
from accord.db import is_postgres, new_id
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.jobs.models import Job, WebhookEndpoint
from accord.notices import service as notices
from accord.notices.models import Notice
from accord.readiness.models import Drill

MAX_WINDOW = timedelta(days=31)
ORGANISER_KINDS = ("authority", "coordinator", "provider")
ONE_HOUR = timedelta(hours=1)
TARGET_VIEW = timedelta(minutes=15)  # the first escalation: someone should have the order open by then
PASS_WITHIN = ONE_HOUR
DRILL_URL = "https://drill.accord.invalid/{id}"


def _drill_order(drill: Drill) -> dict[str, Any]:
    """The practice order: complete Annex I fields, a URL that exists nowhere, and words that say what it is."""
    return {
        "reference": f"DRILL-{drill.id}", "urls": [DRILL_URL.format(id=drill.id)], "tco_types": ["incitement"],
        "reasons": "DRILL - a practice removal order. Act on it as on a real one: acknowledge, answer and send the "
                   "Annex II feedback. Nothing is removed, and nothing is counted in any report.",
        "legal_basis": "Drill (accord readiness): not an order under TCO Art. 3",
        "redress": {"body": "none: a drill", "deadline_days": 1},
        "emergency": True, "emergency_reason": "drill",
    }


# ---- scheduling -----------------------------------------------------------------------------------------


def _check_organiser(session: Session, principal: Principal, provider_id: str) -> Organisation:
    principal.require_scope("notices:write")
    if principal.org_kind not in ORGANISER_KINDS:
        raise PermissionDenied("authorities, the coordinator and providers (for themselves) schedule drills")
    if principal.org_kind == "provider" and provider_id != principal.org_id:
        raise PermissionDenied("a provider schedules drills for itself only (a self-drill)")
    provider = session.get(Organisation, provider_id)
    if provider is None or provider.kind != "provider":
        raise InvalidInput(f"no hosting provider {provider_id!r}", field="provider_id")
    return provider


def _window(clock: Clock, starts_after: datetime, ends_before: datetime) -> tuple[datetime, datetime]:
    """The part of the window still ahead: a window already under way starts now."""
    start, end = as_utc(starts_after), as_utc(ends_before)
    if end <= start:
        raise InvalidInput("ends_before must be after starts_after", field="ends_before")
    if end - start > MAX_WINDOW:
        raise InvalidInput("a drill window is at most 31 days", field="ends_before")
    if end <= clock.now():
        raise InvalidInput("the window has passed already", field="ends_before")
    return max(start, clock.now()), end


def draw(start: datetime, end: datetime, rng: random.Random) -> datetime:
    """A moment in [start, end), to the second."""
    seconds = max(0, int((end - start).total_seconds()) - 1)
    return start + timedelta(seconds=rng.randint(0, seconds))


def schedule(session: Session, clock: Clock, principal: Principal, *, provider_id: str, starts_after: datetime,
             ends_before: datetime, rng: random.Random | None = None, exercise_id: str | None = None) -> Drill:
    """Schedule a drill for ``provider_id``: its order leaves at a random moment of the window (``rng``, a
    seeded ``random.Random`` in tests; the system's entropy otherwise)."""
    _check_organiser(session, principal, provider_id)
    start, end = _window(clock, starts_after, ends_before)
    now = clock.now()
    drill = Drill(id=new_id("drl"), organiser_id=principal.org_id, provider_id=provider_id,
                  exercise_id=exercise_id, status="scheduled", starts_after=as_utc(starts_after),
                  ends_before=end, send_at=draw(start, end, rng or random.SystemRandom()),
                  created_by=principal.ref, created_at=now)
    session.add(drill)
    session.flush()
    record(session, clock, principal.actor, Event.READINESS_DRILL_SCHEDULE, subject=drill.id,
           org_id=principal.org_id, payload={**_facts(drill), "starts_after": drill.starts_after.isoformat(),
                                             "ends_before": drill.ends_before.isoformat()})
    return drill


def _facts(drill: Drill) -> dict[str, Any]:
    return {"provider_id": drill.provider_id, "organiser_id": drill.organiser_id,
            "exercise_id": drill.exercise_id, "drill": True}


def cancel(session: Session, clock: Clock, principal: Principal, drill_id: str) -> Drill:
    """The organiser calls off a drill not sent yet."""
    drill = get_drill(session, principal, drill_id)
    if drill.organiser_id != principal.org_id:
        raise PermissionDenied("only the organiser cancels a drill")
    if drill.status != "scheduled":
        raise Conflict(f"the drill is {drill.status}", field="status")
    drill.status = "cancelled"
    record(session, clock, principal.actor, Event.READINESS_DRILL_CANCEL, subject=drill.id,
           org_id=principal.org_id, payload=_facts(drill))
    return drill


# ---- sending (the worker) -------------------------------------------------------------------------------


def send_due(session: Session, clock: Clock) -> int:
    """Send every scheduled drill whose moment has come; returns how many were sent."""
    due = select(Drill).where(Drill.status == "scheduled", Drill.send_at <= clock.now()).order_by(Drill.send_at)
    if is_postgres(session):  # two workers never send one drill twice
        due = due.with_for_update(skip_locked=True)
    sent = 0
    for drill in session.scalars(due).all():
        send(session, clock, drill)
        sent += 1
    session.flush()
    return sent


def send(session: Session, clock: Clock, drill: Drill) -> Notice:
    """Send the drill's order now by the real path (``notices.receive_drill``)."""
    actor = Actor(f"drill:{drill.id}", drill.organiser_id)
    notice = notices.receive_drill(session, clock, actor, issuer_id=drill.organiser_id,
                                   provider_id=drill.provider_id, data=_drill_order(drill))
    drill.status, drill.notice_id, drill.sent_at = "sent", notice.id, clock.now()
    record(session, clock, actor, Event.READINESS_DRILL_SEND, subject=drill.id, org_id=drill.organiser_id,
           payload={**_facts(drill), "notice_id": notice.id})
    return notice


# ---- what the provider did ------------------------------------------------------------------------------


def _of_notice(session: Session, notice_id: str) -> Drill | None:
    found: Drill | None = session.scalars(select(Drill).where(Drill.notice_id == notice_id)).first()
    return found


def note_view(session: Session, clock: Clock, principal: Principal, notice: Notice) -> None:
    """The provider opened a drill's order (API or inbox): the scorecard's first view."""
    if not notice.drill or principal.org_id != notice.provider_id:
        return
    drill = _of_notice(session, notice.id)
    if drill is not None and drill.first_viewed_at is None:
        drill.first_viewed_at = clock.now()


def note_feedback(session: Session, clock: Clock, notice: Notice) -> None:
    """The Annex II/III record of a drill's order was produced (for the provider to send, or fetched by the
    issuer): the scorecard's feedback time."""
    if not notice.drill or notice.outcome_at is None:
        return
    drill = _of_notice(session, notice.id)
    if drill is not None and drill.feedback_at is None:
        drill.feedback_at = clock.now()


# ---- reading --------------------------------------------------------------------------------------------


def get_drill(session: Session, principal: Principal, drill_id: str) -> Drill:
    """A drill its organiser or its provider may see; anyone else's is NotFound."""
    drill = session.get(Drill, drill_id)
    if drill is None or principal.org_id not in (drill.organiser_id, drill.provider_id):
        raise NotFound(f"no drill {drill_id!r}")
    return drill


def list_drills(session: Session, principal: Principal, *, limit: int = 200) -> list[Drill]:
    """Drills the caller organised or is drilled by, newest first."""
    query = select(Drill).where(or_(Drill.organiser_id == principal.org_id, Drill.provider_id == principal.org_id))
    return list(session.scalars(query.order_by(Drill.created_at.desc(), Drill.id).limit(max(1, min(limit, 1000)))))


def drills_of_provider(session: Session, provider_id: str) -> list[Drill]:
    query = select(Drill).where(Drill.provider_id == provider_id, Drill.status == "sent")
    return list(session.scalars(query.order_by(Drill.sent_at.desc())))


@dataclass(frozen=True)
class Advice:
    text: str
    link: str


@dataclass
class Scorecard:
    """A drill's times (UTC) and seconds from sending, and what to fix. ``passed``: acted on within the hour."""

    drill: Drill
    status: str
    notice: Notice | None = None
    delivered_at: datetime | None = None
    first_viewed_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acted_at: datetime | None = None
    feedback_at: datetime | None = None
    outcome: str | None = None
    webhook: str = "none"  # none | delivered | failing | pending
    advice: list[Advice] = field(default_factory=list)

    def seconds(self, moment: datetime | None) -> int | None:
        sent = self.drill.sent_at
        return None if moment is None or sent is None else int((as_utc(moment) - as_utc(sent)).total_seconds())

    @property
    def passed(self) -> bool:
        acted = self.seconds(self.acted_at)
        return acted is not None and acted <= PASS_WITHIN.total_seconds()

    def times(self) -> dict[str, int | None]:
        return {"delivery": self.seconds(self.delivered_at), "first_view": self.seconds(self.first_viewed_at),
                "acknowledgement": self.seconds(self.acknowledged_at), "action": self.seconds(self.acted_at),
                "feedback": self.seconds(self.feedback_at)}


def _deliveries(session: Session, drill: Drill) -> list[Job]:
    """The ``notice.received`` webhook deliveries of the drill's order (queued when it was sent)."""
    assert drill.sent_at is not None  # only a sent drill has deliveries
    query = select(Job).where(Job.kind == "webhook.deliver", Job.org_id == drill.provider_id,
                              Job.created_at >= drill.sent_at, Job.created_at <= drill.sent_at + timedelta(seconds=5))
    return [job for job in session.scalars(query) if job.payload.get("event") == "notice.received"
            and job.payload["data"].get("notice_id") == drill.notice_id]


def _webhook(session: Session, card: Scorecard) -> None:
    jobs = _deliveries(session, card.drill)
    done = [j.finished_at for j in jobs if j.state == "done" and j.finished_at is not None]
    if done:
        card.webhook, card.delivered_at = "delivered", min(done)
    elif any(j.state == "dead" or j.attempts > 0 for j in jobs):
        card.webhook = "failing"
    elif jobs:
        card.webhook = "pending"


def status_of(drill: Drill, notice: Notice | None, now: datetime) -> str:
    """scheduled | cancelled | sent (the hour runs) | acted (answered) | missed (the hour passed unanswered)."""
    if drill.status != "sent" or notice is None:
        return drill.status
    if notice.outcome_at is not None:
        return "acted"
    return "missed" if notice.deadline_at is not None and now > as_utc(notice.deadline_at) else "sent"


def scorecard(session: Session, clock: Clock, drill: Drill) -> Scorecard:
    notice = session.get(Notice, drill.notice_id) if drill.notice_id else None
    card = Scorecard(drill=drill, status=status_of(drill, notice, clock.now()), notice=notice)
    if notice is None:
        return card
    card.first_viewed_at, card.acknowledged_at = drill.first_viewed_at, notice.acknowledged_at
    card.acted_at, card.outcome, card.feedback_at = notice.outcome_at, notice.outcome, drill.feedback_at
    _webhook(session, card)
    card.advice = advise(session, card)
    return card


def _has_endpoint(session: Session, org_id: str) -> bool:
    return session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.org_id == org_id,
                                                           WebhookEndpoint.active.is_(True)).limit(1)) is not None


def advise(session: Session, card: Scorecard) -> list[Advice]:
    """What to fix, in the order the path runs; one line saying all is well when nothing is."""
    found: list[Advice] = []
    if card.webhook == "none" and not _has_endpoint(session, card.drill.provider_id):
        found.append(Advice("No on-call webhook: the order waited in the inbox until someone happened to look. "
                            "Add an endpoint and send it a signed test.", "/ui/readiness"))
    elif card.webhook == "failing":
        found.append(Advice("The webhook delivery failed: check the endpoint's address and that it answers 2xx "
                            "(Settings, Jobs).", "/ui/settings#jobs"))
    view = card.seconds(card.first_viewed_at)
    if view is None or view > TARGET_VIEW.total_seconds():
        found.append(Advice("Nobody opened the order within 15 minutes: page the on-call person from the "
                            "webhook and keep the inbox open on the on-call device.", "/ui/"))
    if card.acknowledged_at is None:
        found.append(Advice("The order was never acknowledged: acknowledge on opening, so the authority knows "
                            "it arrived (TCO Art. 3(5)).", "/ui/"))
    if card.acted_at is None or not card.passed:
        found.append(Advice("The order was not acted on within the hour (TCO Art. 3(3)): let at least two people "
                            "act, and drill again.", "/ui/readiness"))
    if card.acted_at is not None and card.feedback_at is None:
        found.append(Advice("The Annex II feedback was never produced: open the order and send its feedback "
                            "(TCO Art. 3(6)).", f"/ui/notices/{card.drill.notice_id}"))
    return found or [Advice("Nothing to fix: the order was received, acted on and answered in time.", "/ui/readiness")]
