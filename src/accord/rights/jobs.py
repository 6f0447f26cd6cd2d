"""Rights work done by the worker: preserving and telling the uploader after a decision; telling public notifiers
the decision on their report; following an extended non-disclosure period; releasing held user notices when
their non-disclosure period ends; purging expired preserved items daily."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from accord.audit.service import Actor
from accord.errors import NotFound
from accord.jobs import service as jobs
from accord.jobs.registry import JobContext, handler, periodic
from accord.notices.service import nondisclosure_until_for_case
from accord.rights import delivery, preservation, reviews, user_notices
from accord.rights.decisions import OrderRedress, find_decision, orders_executed
from accord.rights.models import PreservedItem, UserNotice

SYSTEM = Actor("system:rights", None)


@periodic("rights.release_user_notices", 60)
def release_user_notices(ctx: JobContext) -> int:
    """TCO Art. 11(3): a held notice goes out by itself once the non-disclosure period ends."""
    return user_notices.release_due(ctx.session, ctx.clock, SYSTEM, ctx.settings)


@periodic("rights.purge_preservation", 24 * 3600)
def purge_preservation(ctx: JobContext) -> int:
    """TCO Art. 6(2): erase what was kept six months (or until a legal hold ended), recording each purge."""
    return preservation.purge_expired(ctx.session, ctx.clock, SYSTEM)


@handler("rights.reencrypt_preserved")
def reencrypt_preserved(ctx: JobContext, payload: dict[str, Any]) -> None:
    """After a preservation key rotation: move the items still under older keys to the new one, a batch per
    job, queueing the next batch until none is left."""
    moved = preservation.reencrypt(ctx.session, ctx.clock, ctx.settings, SYSTEM, limit=int(payload.get("batch", 500)))
    if moved:
        jobs.enqueue(ctx.session, ctx.clock, "rights.reencrypt_preserved", payload)


@handler("rights.after_decision")
def after_decision(ctx: JobContext, payload: dict[str, Any]) -> None:
    """After a removal or disabling: preserve the content's data (TCO Art. 6) and tell the uploader (Art. 11),
    holding the notice while an order's non-disclosure period runs. Idempotent: a retry changes nothing twice."""
    decision_id, provider_id = str(payload["decision_id"]), str(payload["provider_id"])
    case = payload.get("case", {})
    if not _exists(ctx, PreservedItem, decision_id):
        preservation.preserve(
            ctx.session, ctx.clock, ctx.settings, SYSTEM, provider_id=provider_id, decision_id=decision_id,
            content=json.dumps(case, sort_keys=True, default=str).encode(),
            metadata={"case_id": case.get("id"), "action": payload.get("action"), "urls": case.get("urls", [])},
        )
    uploader = str(case.get("uploader_ref") or "")
    if uploader and not _exists(ctx, UserNotice, decision_id):
        user_notices.issue_user_notice(
            ctx.session, ctx.clock, SYSTEM, provider_id=provider_id, decision_id=decision_id,
            uploader_contact=uploader, facts=_notice_facts(ctx, payload, case),
            nondisclosure_until=nondisclosure_until_for_case(ctx.session, str(case.get("id"))), settings=ctx.settings,
        )


@handler("rights.inform_notifiers")
def inform_notifiers(ctx: JobContext, payload: dict[str, Any]) -> None:
    """DSA Art. 16(5): the public notifiers behind a decision learn it, with redress. Idempotent."""
    delivery.inform_notifiers(ctx.session, ctx.clock, ctx.settings, SYSTEM, decision_id=str(payload["decision_id"]))


@handler("rights.follow_nondisclosure")
def follow_nondisclosure(ctx: JobContext, payload: dict[str, Any]) -> None:
    """TCO Art. 11(3): an order's extended non-disclosure reaches the user notices already held for its case."""
    user_notices.follow_nondisclosure(ctx.session, ctx.clock, SYSTEM, provider_id=str(payload["provider_id"]),
                                      case_id=str(payload["case_id"]), until=datetime.fromisoformat(payload["until"]))


def _exists(ctx: JobContext, model: type[PreservedItem] | type[UserNotice], decision_id: str) -> bool:
    return ctx.session.scalar(select(model.id).where(model.decision_id == decision_id).limit(1)) is not None


def _notice_facts(ctx: JobContext, payload: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    what = case.get("title") or ", ".join(case.get("urls", [])) or f"the content of case {case.get('id')}"
    facts = {
        "what": what,
        "why": payload.get("facts") or payload.get("ground_explanation") or payload.get("ground_ref"),
        "ground": payload.get("ground_ref"),
        "automated": bool(payload.get("automated_decision")),
        "action": payload.get("action"),
    }
    orders = _orders(ctx, str(payload["decision_id"]))
    if orders:  # TCO Art. 9 and 11(2): the uploader learns where the order is contested
        facts["order_reference"] = ", ".join(o.reference for o in orders)
        facts["order_redress"] = "; ".join(o.sentence() for o in orders)
    return facts


def _orders(ctx: JobContext, decision_id: str) -> list[OrderRedress]:
    try:
        return orders_executed(ctx.session, find_decision(ctx.session, decision_id))
    except NotFound:
        return []


@periodic("rights.finalise_orders", 3600)
def finalise_orders(ctx: JobContext) -> int:
    """TCO Art. 3(9): an order whose redress period ended with no appeal pending becomes final."""
    return reviews.finalise_orders(ctx.session, ctx.clock, ctx.settings)
