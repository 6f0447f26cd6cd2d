"""/v1 queues, cases, next, claim, release, decision, escalation, statements, quality and the dashboard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from accord.cases import claims, config, dashboard, decisions, escalation, quality, queues, service, strikes
from accord.errors import NotFound
from accord.flows import decisions as flows
from accord.identity.service import Principal
from accord.training import practice as training
from accord.web.deps import ClockDep, Scoped, SessionDep, SettingsDep
from accord.web.schemas.cases import (
    CaseDetailOut,
    CaseOut,
    ClaimedCaseOut,
    DashboardOut,
    DecisionIn,
    DecisionOut,
    EscalationIn,
    PreferencesOut,
    PreferencesPatch,
    PreviewOut,
    QualityAnswerIn,
    QualityOut,
    QualityReviewOut,
    QueueIn,
    QueueOut,
    ReviewSettingsOut,
    SettingsPatch,
    StatementOut,
    StrikeStatusOut,
)
from accord.web.schemas.common import Limit, Offset

router = APIRouter(prefix="/v1", tags=["cases"])
Reader = Annotated[Principal, Depends(Scoped("cases:read"))]
Writer = Annotated[Principal, Depends(Scoped("cases:write"))]


def _reviewer(principal: Principal) -> Principal:
    principal.require_role("reviewer")
    return principal


@router.get("/queues")
def list_queues(principal: Reader, session: SessionDep, clock: ClockDep) -> list[QueueOut]:
    """The organisation's queues in routing order (first match wins; the default queue last)."""
    return [QueueOut.model_validate(q) for q in queues.list_queues(session, clock, principal.org_id)]


@router.post("/queues", status_code=201)
def create_queue(body: QueueIn, principal: Writer, session: SessionDep, clock: ClockDep) -> QueueOut:
    principal.require_role("admin")
    queue = queues.create_queue(session, clock, principal.actor, provider_id=principal.org_id, name=body.name,
                                position=body.position, rules=body.rules, roles=body.roles, harm=body.harm)
    return QueueOut.model_validate(queue)


@router.get("/cases")
def list_cases(principal: Reader, session: SessionDep, clock: ClockDep, state: str | None = "open",
               queue_id: str | None = None, source: str | None = None, limit: Limit = 50,
               offset: Offset = 0) -> list[CaseOut]:
    """Cases in review order: removal orders by deadline, then trusted flaggers, then by score and age."""
    rows = service.list_cases(session, clock, principal.org_id, state=state, queue_id=queue_id, source=source,
                              limit=min(max(limit, 1), 500), offset=max(offset, 0))
    return [CaseOut.model_validate(service.describe(c, clock)) for c in rows]


@router.post("/cases/next", response_model=ClaimedCaseOut, responses={204: {"description": "nothing waiting"}})
def next_case(principal: Writer, session: SessionDep, clock: ClockDep) -> Any:
    """Claim the oldest case of the highest priority you may see; 204 when nothing is waiting."""
    training.check_live_claim(session, _reviewer(principal))  # 403 calibration-required for an uncalibrated newcomer
    result = claims.next_case(session, clock, principal)
    if result.case is None:
        return Response(status_code=204)
    return ClaimedCaseOut.model_validate({**service.describe(result.case, clock), "wellness": result.wellness})


@router.get("/cases/{case_id}")
def get_case(case_id: str, principal: Reader, session: SessionDep, clock: ClockDep) -> CaseDetailOut:
    case = claims.get_case(session, principal.org_id, case_id)
    found = [DecisionOut.model_validate(d) for d in decisions.case_decisions(session, case.id)]
    return CaseDetailOut.model_validate({**service.describe(case, clock), "decisions": found})


@router.post("/cases/{case_id}/claim")
def claim_case(case_id: str, principal: Writer, session: SessionDep, clock: ClockDep) -> CaseOut:
    training.check_live_claim(session, _reviewer(principal))
    case = claims.claim(session, clock, principal, case_id)
    return CaseOut.model_validate(service.describe(case, clock))


@router.post("/cases/{case_id}/release")
def release_case(case_id: str, principal: Writer, session: SessionDep, clock: ClockDep) -> CaseOut:
    case = claims.release(session, clock, principal, case_id)
    return CaseOut.model_validate(service.describe(case, clock))


def _input(body: DecisionIn) -> decisions.DecisionInput:
    return decisions.DecisionInput(**body.model_dump())


@router.post("/cases/{case_id}/decision", status_code=201)
def decide(case_id: str, body: DecisionIn, principal: Writer, session: SessionDep,
           clock: ClockDep, settings: SettingsDep) -> DecisionOut:
    """Decide the case; the answer carries ``statement_id``, the statement of reasons (DSA Art. 17)."""
    decision = flows.decide(session, clock, _reviewer(principal), case_id, _input(body), settings=settings)
    return DecisionOut.model_validate(decision)


@router.post("/cases/{case_id}/preview")
def preview(case_id: str, body: DecisionIn, principal: Reader, session: SessionDep,
            clock: ClockDep) -> PreviewOut:
    """The statement of reasons the decision would produce; nothing is saved."""
    case = claims.get_case(session, principal.org_id, case_id)
    return PreviewOut.model_validate(decisions.preview(case, principal.ref, _input(body), clock))


@router.post("/cases/{case_id}/escalate")
def escalate(case_id: str, body: EscalationIn, principal: Writer, session: SessionDep,
             clock: ClockDep) -> CaseOut:
    """To the senior queue, or an imminent threat to law enforcement (TCO Art. 14(5))."""
    case = escalation.escalate(session, clock, _reviewer(principal), case_id, to=body.to, reason=body.reason)
    return CaseOut.model_validate(service.describe(case, clock))


@router.get("/statements/{statement_id}")
def get_statement(statement_id: str, principal: Reader, session: SessionDep) -> StatementOut:
    return StatementOut.model_validate(decisions.get_statement(session, principal.org_id, statement_id))


@router.get("/quality")
def quality_figures(principal: Reader, session: SessionDep) -> QualityOut:
    """Cohen's kappa and counts per queue and reviewer pair, overturn rates, automated verification."""
    return QualityOut.model_validate(quality.agreement(session, principal.org_id))


@router.get("/quality/reviews")
def pending_reviews(principal: Reader, session: SessionDep) -> list[QualityReviewOut]:
    """Blind reviews waiting for you (never of your own decisions; the first decision is not shown)."""
    return [QualityReviewOut.model_validate(r) for r in quality.pending(session, principal)]


@router.post("/quality/reviews/{review_id}")
def answer_review(review_id: str, body: QualityAnswerIn, principal: Writer, session: SessionDep,
                  clock: ClockDep) -> QualityReviewOut:
    review = quality.submit(session, clock, _reviewer(principal), review_id, body.action)
    return QualityReviewOut.model_validate(review)


@router.get("/review/dashboard")
def review_dashboard(principal: Reader, session: SessionDep, clock: ClockDep) -> DashboardOut:
    """Pending per queue, oldest waiting, removal orders at risk, median time to decision, who decided."""
    return DashboardOut.model_validate(dashboard.dashboard(session, clock, principal.org_id))


@router.get("/review/settings")
def get_settings(principal: Reader, session: SessionDep) -> ReviewSettingsOut:
    return ReviewSettingsOut.model_validate(config.review_settings(session, principal.org_id))


@router.patch("/review/settings")
def patch_settings(body: SettingsPatch, principal: Writer, session: SessionDep, clock: ClockDep) -> ReviewSettingsOut:
    """Organisation defaults (admins); the automated-verification share cannot be set to zero."""
    principal.require_role("admin")
    return ReviewSettingsOut.model_validate(
        config.update_review_settings(session, clock, principal.actor, principal.org_id, body.values))


@router.get("/review/preferences")
def get_preferences(principal: Reader, session: SessionDep) -> PreferencesOut:
    return PreferencesOut.model_validate(config.wellness(session, principal.org_id, principal.ref))


@router.patch("/review/preferences")
def patch_preferences(body: PreferencesPatch, principal: Writer, session: SessionDep,
                      clock: ClockDep) -> PreferencesOut:
    """Your own wellness overrides of the organisation defaults."""
    return PreferencesOut.model_validate(config.set_reviewer_preferences(
        session, clock, principal.actor, principal.org_id, principal.ref, body.values))


@router.get("/strikes/{subject_kind}/{subject_ref}")
def strike_status(subject_kind: str, subject_ref: str, principal: Reader, session: SessionDep,
                  clock: ClockDep) -> StrikeStatusOut:
    """DSA Art. 23 standing of an uploader or a notifier."""
    if subject_kind not in strikes.SUBJECT_KINDS:
        raise NotFound(f"no strikes of kind {subject_kind!r}")
    return StrikeStatusOut.model_validate(strikes.status(session, clock, principal.org_id, subject_kind, subject_ref))
