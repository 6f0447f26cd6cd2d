"""Strikes (DSA Art. 23): repeated manifestly illegal uploads and manifestly unfounded notices.

Each strike is counted within the provider's window; reaching the warning threshold warns, reaching the
suspension threshold suspends, and a warning always comes first: someone never warned is warned even when
the count already reaches the suspension threshold. The provider's platform is told by webhook
(``case.strike``) so that it can carry out the warning or the suspension. Each suspension has its own statement
of reasons (DSA Art. 17(1)(c)-(d)), which goes to the Transparency Database like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases import config, statements
from accord.cases.models import Case, Decision, Statement, Strike
from accord.clock import Clock
from accord.db import new_id
from accord.jobs import webhooks

SUBJECT_KINDS = ("uploader", "notifier")


def after_decision(session: Session, clock: Clock, actor: Actor, case: Case, decision: Decision,
                   unfounded_notifiers: Sequence[str]) -> list[Strike]:
    """Strikes that a decision causes: its uploader when manifestly illegal, notifiers when unfounded."""
    found: list[Strike] = []
    if decision.manifestly_illegal and decision.action != "no_action" and case.uploader_ref:
        found.append(add(session, clock, actor, decision, "uploader", case.uploader_ref))
    for notifier in sorted(set(unfounded_notifiers)):
        found.append(add(session, clock, actor, decision, "notifier", notifier))
    return found


def count(session: Session, clock: Clock, provider_id: str, kind: str, ref: str) -> int:
    """Strikes against ``ref`` within the provider's window."""
    window = config.review_settings(session, provider_id)["strike_window_days"]
    since = clock.now() - timedelta(days=window)
    return session.scalar(select(func.count(Strike.id)).where(
        Strike.provider_id == provider_id, Strike.subject_kind == kind, Strike.subject_ref == ref,
        Strike.created_at >= since)) or 0


def _warned(session: Session, provider_id: str, kind: str, ref: str) -> bool:
    return session.scalar(select(Strike.id).where(
        Strike.provider_id == provider_id, Strike.subject_kind == kind, Strike.subject_ref == ref,
        Strike.consequence == "warning").limit(1)) is not None


def consequence(strikes: int, warn_at: int, suspend_at: int, warned: bool) -> str:
    """What this strike leads to: none, a warning, or (only after a warning) a suspension."""
    if strikes >= suspend_at and warned:
        return "suspension"
    if strikes >= warn_at and not warned:
        return "warning"
    return "none"


def add(session: Session, clock: Clock, actor: Actor, decision: Decision, kind: str, ref: str) -> Strike:
    """Record one strike and its consequence."""
    settings = config.review_settings(session, decision.provider_id)
    number = count(session, clock, decision.provider_id, kind, ref) + 1
    result = consequence(number, settings[f"{kind}_warning_at"], settings[f"{kind}_suspension_at"],
                         _warned(session, decision.provider_id, kind, ref))
    strike = Strike(id=new_id("stk"), provider_id=decision.provider_id, subject_kind=kind, subject_ref=ref,
                    decision_id=decision.id, consequence=result, created_at=clock.now())
    session.add(strike)
    session.flush()
    payload: dict[str, Any] = {"provider_id": decision.provider_id, "subject_kind": kind, "subject_ref": ref,
                               "decision_id": decision.id, "count": number, "consequence": result}
    if result == "suspension":
        payload["statement_id"] = _suspension_statement(session, clock, decision, strike, number, settings).id
    record(session, clock, actor, Event.CASES_STRIKE_RECORD, subject=strike.id, org_id=decision.provider_id,
           payload=payload)
    if result != "none":
        webhooks.emit(session, clock, org_id=decision.provider_id, event="case.strike", data=payload)
    return strike


def _suspension_statement(session: Session, clock: Clock, decision: Decision, strike: Strike, number: int,
                          settings: dict[str, Any]) -> Statement:
    case = session.get_one(Case, decision.case_id)
    statement = statements.suspension(case, decision, strike, strikes=number,
                                      window_days=int(settings["strike_window_days"]),
                                      days=int(settings["suspension_days"]), now=clock.now())
    session.add(statement)
    session.flush()
    return statement


def status(session: Session, clock: Clock, provider_id: str, kind: str, ref: str) -> dict[str, Any]:
    """Where someone stands: strikes in the window and the last consequence."""
    last = session.scalar(select(Strike.consequence).where(
        Strike.provider_id == provider_id, Strike.subject_kind == kind, Strike.subject_ref == ref,
        Strike.consequence != "none").order_by(Strike.created_at.desc()).limit(1))
    return {"subject_kind": kind, "subject_ref": ref, "strikes": count(session, clock, provider_id, kind, ref),
            "standing": last or "good"}
