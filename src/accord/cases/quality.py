"""Quality: blind re-reviews, human verification of automated decisions, agreement and overturn rates.

A configurable share of human decisions (default 10%) is re-reviewed blind by a second reviewer, who sees the
case but not the first decision; a share of automated decisions, which cannot be zero, is verified by a
human (TCO Art. 5(3), second subparagraph: specific measures using technical means need safeguards, "in
particular through human oversight and verification"). Agreement is Cohen's kappa over the action chosen, per
queue and per reviewer pair, reported with its counts; a re-review that chose another action overturns the
decision.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases import config
from accord.cases.models import ACTIONS, Case, Decision, QualityReview, ReviewQueue
from accord.clock import Clock
from accord.db import get_owned, new_id
from accord.errors import Conflict, InvalidInput, PermissionDenied
from accord.identity.service import Principal
from accord.stats import cohens_kappa as cohens_kappa  # re-exported: its tests and callers name it here


def draw(decision_id: str) -> float:
    """A uniform number in [0, 1) fixed by the (random, unguessable) decision id."""
    return int(hashlib.sha256(decision_id.encode()).hexdigest()[:13], 16) / 16**13


def sample(session: Session, clock: Clock, decision: Decision) -> QualityReview | None:
    """Queue a blind review of ``decision`` when it falls inside the configured share."""
    settings = config.review_settings(session, decision.provider_id)
    kind = "verification" if decision.automated_decision else "rereview"
    share = settings["automated_verify_share" if kind == "verification" else "rereview_share"]
    if draw(decision.id) >= share:
        return None
    return queue_review(session, clock, decision, kind)


def queue_review(session: Session, clock: Clock, decision: Decision, kind: str) -> QualityReview:
    """Queue a blind ``rereview`` or ``verification`` of ``decision``, unless one of that kind is waiting or
    done already (a policy's own sample and the provider's share may draw the same automated decision)."""
    query = select(QualityReview).where(QualityReview.decision_id == decision.id, QualityReview.kind == kind)
    queued = session.scalars(query).first()
    if queued is not None:
        return queued
    review = QualityReview(id=new_id("qrv"), decision_id=decision.id, case_id=decision.case_id,
                           provider_id=decision.provider_id, queue_id=decision.queue_id, kind=kind,
                           original_reviewer=decision.reviewer, original_action=decision.action,
                           state="pending", created_at=clock.now())
    session.add(review)
    session.flush()
    record(session, clock, _system(decision.provider_id), Event.CASES_QUALITY_SAMPLE, subject=review.id,
           org_id=decision.provider_id, payload={"decision_id": decision.id, "kind": kind,
                                                 "provider_id": decision.provider_id})
    return review


def _system(org_id: str) -> Actor:
    return Actor("system:quality", org_id)


def pending(session: Session, principal: Principal) -> list[QualityReview]:
    """Reviews waiting for this reviewer: never their own decisions (the second look must be another's)."""
    query = select(QualityReview).where(QualityReview.provider_id == principal.org_id,
                                        QualityReview.state == "pending",
                                        QualityReview.original_reviewer != principal.ref)
    return list(session.scalars(query.order_by(QualityReview.created_at)))


def submit(session: Session, clock: Clock, principal: Principal, review_id: str, action: str) -> QualityReview:
    """Record the second reviewer's blind choice of action; a different action overturns the decision."""
    review = get_owned(session, QualityReview, review_id, principal.org_id, what="quality review", by="provider_id")
    if review.state != "pending":
        raise Conflict("this review is done already")
    if review.original_reviewer == principal.ref:
        raise PermissionDenied("a decision is re-reviewed by someone else")
    if action not in ACTIONS:
        raise InvalidInput(f"action must be one of {', '.join(ACTIONS)}", field="action")
    review.reviewer, review.action, review.state, review.done_at = principal.ref, action, "done", clock.now()
    session.flush()
    record(session, clock, principal.actor, Event.CASES_QUALITY_REVIEW, subject=review.id, org_id=review.provider_id,
           payload={"decision_id": review.decision_id, "kind": review.kind, "provider_id": review.provider_id,
                    "agree": action == review.original_action, "overturned": action != review.original_action})
    return review


def _summary(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    n = len(pairs)
    agree = sum(1 for a, b in pairs if a == b)
    kappa = cohens_kappa(pairs)
    return {"count": n, "agreements": agree, "agreement": agree / n if n else None,
            "kappa": round(kappa, 4) if kappa is not None else None,
            "overturn_rate": (n - agree) / n if n else None}


def _done(session: Session, provider_id: str, kind: str) -> list[QualityReview]:
    query = select(QualityReview).where(QualityReview.provider_id == provider_id, QualityReview.kind == kind,
                                        QualityReview.state == "done")
    return list(session.scalars(query))


def _grouped(reviews: Iterable[QualityReview], key: Any) -> dict[Any, list[tuple[str, str]]]:
    groups: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for review in reviews:
        groups[key(review)].append((review.original_action, review.action or ""))
    return groups


def agreement(session: Session, provider_id: str) -> dict[str, Any]:
    """Kappa, counts and overturn rates: overall, per queue, per reviewer pair, and for automated decisions."""
    reviews = _done(session, provider_id, "rereview")
    names = {q.id: q.name for q in session.scalars(select(ReviewQueue).where(ReviewQueue.provider_id == provider_id))}
    by_queue = _grouped(reviews, lambda r: r.queue_id)
    by_pair = _grouped(reviews, lambda r: tuple(sorted((r.original_reviewer, r.reviewer or ""))))
    all_pairs = [(r.original_action, r.action or "") for r in reviews]
    return {
        "overall": _summary(all_pairs),
        "queues": [{"queue_id": qid, "name": names.get(qid or "", ""), **_summary(p)} for qid, p in by_queue.items()],
        "pairs": [{"reviewers": list(pair), **_summary(p)} for pair, p in by_pair.items()],
        "automated": _automated(session, provider_id),
        "pending": session.scalar(select(func.count(QualityReview.id)).where(
            QualityReview.provider_id == provider_id, QualityReview.state == "pending")) or 0,
    }


def _automated(session: Session, provider_id: str) -> dict[str, Any]:
    decisions = session.scalar(select(func.count(Decision.id)).where(
        Decision.provider_id == provider_id, Decision.automated_decision.is_(True))) or 0
    sampled = session.scalar(select(func.count(QualityReview.id)).where(
        QualityReview.provider_id == provider_id, QualityReview.kind == "verification")) or 0
    verified = [(r.original_action, r.action or "") for r in _done(session, provider_id, "verification")]
    share = config.review_settings(session, provider_id)["automated_verify_share"]
    return {"decisions": decisions, "sampled": sampled, "configured_share": share, **_summary(verified)}


def blind_view(session: Session, review: QualityReview) -> Case:
    """The case under review; the first decision is deliberately not part of what the reviewer sees."""
    case = session.get(Case, review.case_id)
    assert case is not None  # the foreign key guarantees it
    return case
