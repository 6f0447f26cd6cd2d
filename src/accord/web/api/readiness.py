"""/v1 routes for readiness: drills and their scorecards, joint exercises, the readiness score, and the signed
webhook test. Another organisation's drill or exercise is a 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from accord.banks.service import NewSignal
from accord.clock import Clock
from accord.identity.service import Principal
from accord.jobs import webhooks
from accord.readiness import drills, exercises, score
from accord.readiness.models import Drill
from accord.web.deps import ClockDep, Scoped, SessionDep, app_state
from accord.web.schemas.readiness import (
    DrillIn,
    DrillOut,
    ExerciseIn,
    ExerciseOut,
    ReadinessOut,
    WebhookTestOut,
)

router = APIRouter(prefix="/v1", tags=["readiness"])
Reader = Annotated[Principal, Depends(Scoped("notices:read"))]
Writer = Annotated[Principal, Depends(Scoped("notices:write"))]
Admin = Annotated[Principal, Depends(Scoped("org:admin"))]


def drill_out(session: Session, clock: Clock, drill: Drill) -> DrillOut:
    """The drill with its scorecard. The drawn moment (``send_at``) is never shown: it is the surprise."""
    card = drills.scorecard(session, clock, drill)
    return DrillOut.model_validate({
        "id": drill.id, "provider_id": drill.provider_id, "organiser_id": drill.organiser_id,
        "exercise_id": drill.exercise_id, "status": card.status, "starts_after": drill.starts_after,
        "ends_before": drill.ends_before, "notice_id": drill.notice_id, "sent_at": drill.sent_at,
        "delivered_at": card.delivered_at, "first_viewed_at": card.first_viewed_at,
        "acknowledged_at": card.acknowledged_at, "acted_at": card.acted_at, "feedback_at": card.feedback_at,
        "outcome": card.outcome, "webhook": card.webhook, "seconds_to_action": card.times()["action"],
        "passed": card.passed, "times": card.times(), "advice": [vars(a) for a in card.advice]})


@router.post("/drills", status_code=201)
def schedule_drill(request: Request, body: DrillIn, principal: Writer, session: SessionDep,
                   clock: ClockDep) -> DrillOut:
    """Schedule a practice removal order for a provider: the worker sends it at a random moment of the window.
    Authorities and the coordinator drill any provider; a provider drills itself (a self-drill)."""
    drill = drills.schedule(session, clock, principal, provider_id=body.provider_id, starts_after=body.starts_after,
                            ends_before=body.ends_before, rng=app_state(request).rng)
    return drill_out(session, clock, drill)


@router.get("/drills")
def list_drills(principal: Reader, session: SessionDep, clock: ClockDep) -> list[DrillOut]:
    """Drills the caller organised or is drilled by, newest first."""
    return [drill_out(session, clock, d) for d in drills.list_drills(session, principal)]


@router.get("/drills/{drill_id}")
def get_drill(drill_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> DrillOut:
    """The drill's status and scorecard: delivery, first view, acknowledgement, action and feedback times."""
    return drill_out(session, clock, drills.get_drill(session, principal, drill_id))


@router.post("/drills/{drill_id}/cancel")
def cancel_drill(drill_id: str, principal: Writer, session: SessionDep, clock: ClockDep) -> DrillOut:
    return drill_out(session, clock, drills.cancel(session, clock, principal, drill_id))


@router.get("/readiness")
def readiness(principal: Reader, session: SessionDep, clock: ClockDep) -> list[ReadinessOut]:
    """A provider's readiness score (one item); the coordinator's overview of every provider."""
    return [ReadinessOut.model_validate({"provider_id": r.provider_id, "provider_name": r.provider_name,
                                         "passed": r.passed, "total": len(r.items), "ready": r.ready,
                                         "items": [vars(i) for i in r.items]})
            for r in score.visible(session, clock, principal)]


@router.post("/webhooks/test", status_code=202)
def webhook_test(principal: Admin, session: SessionDep, clock: ClockDep) -> WebhookTestOut:
    """Send a signed ``webhook.test`` delivery to every active endpoint (the worker delivers it)."""
    return WebhookTestOut(queued=webhooks.send_test(session, clock, principal.actor, org_id=principal.org_id))


@router.post("/exercises", status_code=201)
def start_exercise(request: Request, body: ExerciseIn, principal: Writer, session: SessionDep,
                   clock: ClockDep) -> ExerciseOut:
    """The coordinator's joint exercise: a drill incident for the providers, its hashes shared, one drill each."""
    exercise = exercises.start(
        session, clock, principal, title=body.title, scenario=body.scenario, provider_ids=body.provider_ids,
        starts_after=body.starts_after, ends_before=body.ends_before,
        signals=[NewSignal(type=s.type, value=s.value) for s in body.signals], rng=app_state(request).rng)
    return ExerciseOut.model_validate(exercises.report(session, clock, principal, exercise.id))


@router.get("/exercises/{exercise_id}")
def exercise_report(exercise_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> ExerciseOut:
    """The comparison of response times: the coordinator sees every provider, a provider its own row and the
    group's anonymous figures."""
    return ExerciseOut.model_validate(exercises.report(session, clock, principal, exercise_id))
