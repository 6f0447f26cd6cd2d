"""The review console's entry points for other domains and for the edges (API, UI, CLI).

``open_case_from_match`` is how matching (or anything that finds a hash hit) opens or joins a case;
``annotate`` adds what triage uses (labels, language, jurisdiction, media, uploader); ``list_cases`` and
``describe`` give the edges what they show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases import claims, intake, priority, queues
from accord.cases.models import Case, Decision
from accord.clock import Clock
from accord.errors import InvalidInput

MEDIA_TYPES = ("image", "video", "audio", "text", "other")


def open_case_from_match(
    session: Session,
    clock: Clock,
    actor: Actor,
    *,
    provider_id: str,
    signal_type: str,
    value: str,
    urls: Sequence[str] = (),
    labels: Sequence[str] = (),
    bank_id: str | None = None,
    media: Sequence[dict[str, Any]] = (),
    title: str = "",
) -> tuple[Case, bool]:
    """Open or join the provider's case for a hash match (source ``hash_match``); True when new.

    A match is a signal, not a verdict: it goes to review (with the bank entry's labels raising its severity)
    unless the provider decides automatically, in which case that decision is sampled for verification.
    """
    signal = {"type": signal_type, "value": value, "labels": list(labels), "bank_id": bank_id}
    case, created = intake.open_or_join(session, clock, actor, provider_id=provider_id,
                                        content_keys=[intake.hash_key(signal_type, value), *urls],
                                        source="hash_match", urls=urls, signals=[signal], title=title)
    if media:
        annotate(session, clock, case, media=media)
    queues.triage(session, clock, case)
    return case, created


def annotate(
    session: Session,
    clock: Clock,
    case: Case,
    *,
    labels: Sequence[str] = (),
    language: str | None = None,
    jurisdiction: str | None = None,
    media: Sequence[dict[str, Any]] = (),
    uploader_ref: str | None = None,
) -> Case:
    """Add triage facts to a case and re-triage it."""
    case.labels = sorted({*case.labels, *priority.normalise_labels(labels)})
    case.language = language.lower() if language else case.language
    case.jurisdiction = jurisdiction.upper() if jurisdiction else case.jurisdiction
    case.media = [*case.media, *(_media(m) for m in media if _media(m) not in case.media)]
    case.uploader_ref = uploader_ref or case.uploader_ref
    return queues.triage(session, clock, case)


def _media(item: dict[str, Any]) -> dict[str, Any]:
    kind = str(item.get("type", "image"))
    if kind not in MEDIA_TYPES or not str(item.get("url", "")).strip():
        raise InvalidInput("media items need a url and a type (image, video, audio, text, other)", field="media")
    return {"url": str(item["url"]), "type": kind}


def list_cases(
    session: Session,
    clock: Clock,
    provider_id: str,
    *,
    state: str | None = "open",
    queue_id: str | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    """The provider's cases in review order (filters: state, queue, source)."""
    queues.triage_pending(session, clock, provider_id)
    query = select(Case).where(Case.provider_id == provider_id)
    if state:
        query = query.where(Case.state == state)
    if queue_id:
        query = query.where(Case.queue_id == queue_id)
    rows = list(session.scalars(query.order_by(*claims.waiting_order()).offset(offset)
                                .limit(limit if not source else limit * 10)))
    return [c for c in rows if source is None or source in c.sources][:limit]


def describe(case: Case, clock: Clock) -> dict[str, Any]:
    """A case as the console shows it: its priority band and reasons, and its countdown."""
    now = clock.now()
    seconds_left = None if case.deadline_at is None else int((case.deadline_at - now).total_seconds())
    return {
        "id": case.id, "provider_id": case.provider_id, "title": case.title, "state": case.state,
        "queue_id": case.queue_id, "urls": list(case.urls), "sources": list(case.sources),
        "signals": list(case.signals), "labels": list(case.labels), "language": case.language,
        "jurisdiction": case.jurisdiction, "media": list(case.media), "tier": case.tier, "score": case.score,
        "band": priority.band(case.score), "score_reasons": list(case.score_reasons), "graphic": case.graphic,
        "deadline_at": case.deadline_at, "seconds_left": seconds_left,
        "breach": seconds_left is not None and seconds_left < 0 and case.state == "open",
        "claimed_by": case.claimed_by, "claimed_at": case.claimed_at, "escalation": case.escalation,
        "created_at": case.created_at, "decided_at": case.decided_at,
    }


def close_answered(session: Session, clock: Clock, actor: Actor, case_id: str | None, open_items: int) -> bool:
    """A provider that answered the case's notices directly (on the notice, not through a review decision)
    has acted: once nothing in the case is left to answer, the case leaves the review queues as ``closed``."""
    case = session.get(Case, case_id) if case_id else None
    if case is None or case.state != "open" or open_items > 0:
        return False
    now = clock.now()
    claims.end_claim(session, case, "answered", now)
    case.state, case.updated_at = "closed", now
    record(session, clock, actor, Event.CASES_CASE_CLOSE, subject=case.id, org_id=case.provider_id,
           payload={"reason": "notices answered directly", "provider_id": case.provider_id})
    return True


def exempt_finding(session: Session, *, provider_id: str, content_keys: Sequence[str]) -> str | None:
    """The exempt purpose (journalistic, educational...) a decision of this provider found for this content
    (by its case's content keys), or None: such an item is never re-removed automatically (TCO Art. 1(3))."""
    if not content_keys:
        return None
    query = (select(Decision.exempt_purpose).join(Case, Case.id == Decision.case_id)
             .where(Case.provider_id == provider_id, Case.content_key.in_(list(content_keys)),
                    Decision.exempt_purpose.is_not(None))
             .order_by(Decision.created_at.desc()).limit(1))
    return session.scalar(query)
