"""Rights work done by the worker: preserving and telling the uploader after a decision; releasing held user
notices when their non-disclosure period ends; purging expired preserved items daily."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from accord.audit.service import Actor
from accord.jobs.registry import JobContext, handler, periodic
from accord.notices.service import nondisclosure_until_for_case
from accord.rights import preservation, reviews, user_notices
from accord.rights.models import PreservedItem, UserNotice

SYSTEM = Actor("system:rights", None)


@periodic("rights.release_user_notices", 60)
def release_user_notices(ctx: JobContext) -> int:
    """TCO Art. 11(3): a held notice goes out by itself once the non-disclosure period ends."""
    return user_notices.release_due(ctx.session, ctx.clock, SYSTEM)


@periodic("rights.purge_preservation", 24 * 3600)
def purge_preservation(ctx: JobContext) -> int:
    """TCO Art. 6(2): erase what was kept six months (or until a legal hold ended), recording each purge."""
    return preservation.purge_expired(ctx.session, ctx.clock, SYSTEM)


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
            uploader_contact=uploader, facts=_notice_facts(payload, case),
            nondisclosure_until=nondisclosure_until_for_case(ctx.session, str(case.get("id"))),
        )


def _exists(ctx: JobContext, model: type[PreservedItem] | type[UserNotice], decision_id: str) -> bool:
    return ctx.session.scalar(select(model.id).where(model.decision_id == decision_id).limit(1)) is not None


def _notice_facts(payload: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    what = case.get("title") or ", ".join(case.get("urls", [])) or f"the content of case {case.get('id')}"
    return {
        "what": what,
        "why": payload.get("facts") or payload.get("ground_explanation") or payload.get("ground_ref"),
        "ground": payload.get("ground_ref"),
        "automated": bool(payload.get("automated_decision")),
        "action": payload.get("action"),
    }


@periodic("rights.finalise_orders", 3600)
def finalise_orders(ctx: JobContext) -> int:
    """TCO Art. 3(9): an order whose redress period ended with no appeal pending becomes final."""
    return reviews.finalise_orders(ctx.session, ctx.clock, ctx.settings)
