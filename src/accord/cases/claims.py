"""Claiming cases: "next case", releasing, and idle claims returning to the pool.

"Next" hands a reviewer the oldest case of the highest priority among the queues they may see. On
PostgreSQL the candidate row is read ``FOR UPDATE SKIP LOCKED``, so two reviewers asking at the same moment
get two different cases; a claim idle for longer than ``claim_idle_minutes`` counts as free again.
A reviewer past their graphic-item soft cap is offered only lower-harm queues (removal orders excepted: the
one-hour deadline of TCO Art. 3(3) does not wait) and is told to take a break.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.cases import config, queues
from accord.cases.models import Case, Claim, ReviewQueue
from accord.cases.priority import TIER_REMOVAL_ORDER
from accord.clock import Clock
from accord.db import get_owned, is_postgres, new_id
from accord.errors import Conflict, NotFound
from accord.identity.service import Principal


@dataclass
class ClaimResult:
    """The case handed out (None when nothing is waiting) and the reviewer's wellness state."""

    case: Case | None
    wellness: dict[str, Any] = field(default_factory=dict)


def get_case(session: Session, provider_id: str, case_id: str) -> Case:
    """A case of this provider; another organisation's case is not found."""
    return get_owned(session, Case, case_id, provider_id, what="case", by="provider_id")


def idle_cutoff(session: Session, clock: Clock, provider_id: str) -> datetime:
    minutes = config.review_settings(session, provider_id)["claim_idle_minutes"]
    return clock.now() - timedelta(minutes=minutes)


def is_claimed(case: Case, cutoff: datetime) -> bool:
    """True while someone holds the case and has not been idle past the cutoff."""
    return case.claimed_by is not None and case.claimed_at is not None and case.claimed_at >= cutoff


_ORG, _WHO = bindparam("org", type_=String), bindparam("who", type_=String)
# Graphic items the reviewer took this shift (bound ``org``, ``who``, ``since``); built once.
_GRAPHIC_SEEN = select(func.count(Claim.id)).where(Claim.provider_id == _ORG, Claim.reviewer == _WHO,
                                                   Claim.graphic.is_(True), Claim.claimed_at >= bindparam("since"))


def _reviewer_state() -> Select[Any]:
    """The shift's graphic count, the case the reviewer holds (found through the reviewer's claims index,
    ``ix_case_claims_reviewer``; a case's ``claimed_by`` is only set with an open claim row and cleared with
    it), whether any case awaits triage: one statement, built once (building it cost as much as running it),
    for the bound ``org``, ``who``, ``since``, ``cutoff``."""
    org, who = _ORG, _WHO
    seen = _GRAPHIC_SEEN
    held = (select(Case.id).join(Claim, Claim.case_id == Case.id)
            .where(Claim.provider_id == org, Claim.reviewer == who, Claim.claimed_at >= bindparam("cutoff"),
                   Claim.ended_at.is_(None), Case.provider_id == org, Case.state == "open", Case.claimed_by == who,
                   Case.claimed_at >= bindparam("cutoff"))
            .order_by(Case.claimed_at, Case.id).limit(1))
    untriaged = select(Case.id).where(Case.provider_id == org, Case.state == "open", Case.triaged_at.is_(None))
    return select(seen.scalar_subquery(), held.scalar_subquery(), untriaged.exists())


_REVIEWER_STATE = _reviewer_state()


def wellness_state(session: Session, clock: Clock, principal: Principal) -> dict[str, Any]:
    """The reviewer's settings plus their graphic-item count this shift and whether to rotate and rest."""
    settings = config.wellness(session, principal.org_id, principal.ref)
    since = clock.now() - timedelta(hours=settings["shift_hours"])
    seen = session.scalar(_GRAPHIC_SEEN, {"org": principal.org_id, "who": principal.ref, "since": since})
    return _wellness(settings, seen or 0)


def _wellness(settings: dict[str, Any], seen: int) -> dict[str, Any]:
    over = seen >= settings["graphic_soft_cap"]
    return {**settings, "graphic_seen": seen, "over_cap": over, "suggest_break": over}


def next_case(session: Session, clock: Clock, principal: Principal) -> ClaimResult:
    """Claim the next case for this reviewer (their current claim first, if they hold one).

    Round trips: the settings with the reviewer's overrides; then, in one query, the graphic count of the shift,
    the case the reviewer holds and whether any case awaits triage; the visible queues; the candidate row; and
    the writes of the claim."""
    settings = config.wellness(session, principal.org_id, principal.ref)
    cutoff = idle_cutoff(session, clock, principal.org_id)  # the settings were read just above
    since = clock.now() - timedelta(hours=settings["shift_hours"])
    seen, held_id, pending = session.execute(
        _REVIEWER_STATE, {"org": principal.org_id, "who": principal.ref, "since": since, "cutoff": cutoff}).one()
    if pending:
        queues.triage_pending(session, clock, principal.org_id)
    wellness = _wellness(settings, seen or 0)
    held = session.get(Case, held_id) if held_id is not None else None
    if held is not None:
        return ClaimResult(held, wellness)
    visible = queues.visible_queues(session, clock, principal)
    case = session.scalar(_candidates(session, clock, principal, cutoff, over_cap=wellness["over_cap"],
                                      visible=visible))
    if case is not None:
        _take(session, clock, principal, case, cutoff)
    return ClaimResult(case, wellness)



def waiting_order() -> list[ColumnElement[Any]]:
    """Removal orders first by deadline, then tier (trusted before ordinary), score, and age."""
    # PostgreSQL sorts NULL last in ascending order already; ``urgency`` is 100 - score (see ix_cases_waiting).
    return [Case.tier.asc(), Case.deadline_at.asc().nulls_last(), Case.urgency.asc(), Case.created_at.asc(),
            Case.id.asc()]


def _candidates(session: Session, clock: Clock, principal: Principal, cutoff: datetime, *,
                over_cap: bool, visible: list[ReviewQueue] | None = None) -> Any:
    """The query for the next free case; ``visible`` (the caller's queues) saves reading them again."""
    shown = queues.visible_queues(session, clock, principal) if visible is None else visible
    ids = [q.id for q in shown]
    eligible: ColumnElement[bool] = Case.queue_id.in_(ids)
    if over_cap:
        low = [q.id for q in shown if q.harm == "low"]
        eligible = or_(and_(Case.queue_id.in_(ids), Case.tier == TIER_REMOVAL_ORDER),
                       and_(Case.queue_id.in_(low), Case.graphic.is_(False)))
    query = (
        select(Case)
        .where(Case.provider_id == principal.org_id, Case.state == "open", eligible,
               or_(Case.claimed_by.is_(None), Case.claimed_at < cutoff))
        .order_by(*waiting_order())
        .limit(1)
    )
    return query.with_for_update(skip_locked=True, of=Case) if is_postgres(session) else query


def claim(session: Session, clock: Clock, principal: Principal, case_id: str) -> Case:
    """Claim one named case (from the list), unless another reviewer holds it."""
    case = get_case(session, principal.org_id, case_id)
    if case.state != "open":
        raise Conflict(f"case {case_id} is {case.state}")
    cutoff = idle_cutoff(session, clock, principal.org_id)
    if case.claimed_by == principal.ref and is_claimed(case, cutoff):
        return case
    if is_claimed(case, cutoff):
        raise Conflict("another reviewer holds this case")
    _check_visible(session, clock, principal, case)
    _take(session, clock, principal, case, cutoff)
    return case


def _check_visible(session: Session, clock: Clock, principal: Principal, case: Case) -> None:
    if case.queue_id is None:
        queues.triage(session, clock, case)
    if case.queue_id not in queues.visible_queue_ids(session, clock, principal):
        raise NotFound(f"no case {case.id!r}")


def _take(session: Session, clock: Clock, principal: Principal, case: Case, cutoff: datetime) -> None:
    now = clock.now()
    if case.claimed_by is not None:
        end_claim(session, case, "expired", now)
    case.claimed_by, case.claimed_at = principal.ref, now
    session.add(Claim(id=new_id("clm"), case_id=case.id, provider_id=case.provider_id, reviewer=principal.ref,
                      graphic=case.graphic, claimed_at=now))
    # Recording the event flushes the claim, the case and the event together.
    record(session, clock, principal.actor, Event.CASES_CASE_CLAIM, subject=case.id, org_id=case.provider_id,
           payload={"provider_id": case.provider_id, "queue_id": case.queue_id, "reviewer": principal.ref})


def end_claim(session: Session, case: Case, outcome: str, now: datetime) -> None:
    """Close the open claim row of the case (if any) and free the case.

    One UPDATE rather than loading the rows first; claim rows already in the session are updated alike, and a
    claim taken in this same transaction and not yet written is closed in place, so nothing needs flushing
    first (the transaction's rows and audit events are then written together at commit)."""
    for row in session.new:
        if isinstance(row, Claim) and row.case_id == case.id and row.ended_at is None:
            row.ended_at, row.outcome = now, outcome
    with session.no_autoflush:
        session.execute(update(Claim).where(Claim.case_id == case.id, Claim.ended_at.is_(None))
                        .values(ended_at=now, outcome=outcome))
    case.claimed_by, case.claimed_at = None, None


def release(session: Session, clock: Clock, principal: Principal, case_id: str) -> Case:
    """Give a claimed case back to the pool (its holder or an admin)."""
    case = get_case(session, principal.org_id, case_id)
    if case.claimed_by is None:
        return case
    if case.claimed_by != principal.ref:
        principal.require_role("admin")
    end_claim(session, case, "released", clock.now())
    session.flush()
    record(session, clock, principal.actor, Event.CASES_CASE_RELEASE, subject=case.id, org_id=case.provider_id,
           payload={"provider_id": case.provider_id, "reviewer": principal.ref})
    return case
