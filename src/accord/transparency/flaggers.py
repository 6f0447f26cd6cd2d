"""Trusted-flagger accuracy from audit events (DSA Art. 22(6)).

A notice counts as acted on when its ``notices:notice:outcome`` says ``removed`` or ``disabled``; a complaint
overturns it when a ``rights:complaint:decide`` with outcome ``reversed`` concerns a decision that cited it
(``notice_ids`` of ``cases:decision:create``). The statistics are in ``accuracy``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from accord.rights.profile import alert_threshold
from accord.transparency import events as ev
from accord.transparency.accuracy import ComplaintOutcome, FlaggerAccuracy, NoticeOutcome, assess_all, tally

ACTED: frozenset[str] = frozenset({"removed", "disabled"})


def provider_flagger_accuracy(
    session: Session, *, provider_id: str, window: tuple[datetime, datetime] | None = None,
) -> list[FlaggerAccuracy]:
    """Each trusted flagger's figures on the notices it sent to ``provider_id``."""
    notices = _flagger_notices(session, window, provider_id=provider_id)
    outcomes = _outcomes(session, notices, lambda notice: notice[0])
    return assess_all(tally(outcomes), alert_below=alert_threshold(session, provider_id))


def own_accuracy(session: Session, *, flagger_id: str) -> list[dict[str, Any]]:
    """What a trusted flagger sees of itself: its figures with each provider, judged by that provider's bar."""
    notices = _flagger_notices(session, None, issuer_id=flagger_id)
    counts = tally(_outcomes(session, notices, lambda notice: notice[1]))
    return [
        {"provider_id": provider, **assess_all({provider: counts[provider]},
                                               alert_below=alert_threshold(session, provider))[0].as_dict(),
         "flagger_id": flagger_id}
        for provider in sorted(counts)
    ]


def _flagger_notices(session: Session, window: tuple[datetime, datetime] | None,
                     **scope: str) -> dict[str, tuple[str, str]]:
    """``notice id -> (flagger id, provider id)`` for trusted-flagger notices."""
    found = ev.rows(session, ev.NOTICE_RECEIVE, window, [ev.SUBJECT, "issuer_id", "provider_id"],
                    issuer_kind="trusted_flagger", **scope)
    return {str(subject): (str(issuer), str(provider)) for subject, issuer, provider in found}


def _outcomes(session: Session, notices: dict[str, tuple[str, str]], key: Any) -> list[NoticeOutcome]:
    acted = _acted_on(session, notices)
    complaints = _complaint_outcomes(session, notices)
    return [
        NoticeOutcome(key(owner), notice_id in acted, complaints.get(notice_id) if notice_id in acted else None)
        for notice_id, owner in notices.items()
    ]


def _acted_on(session: Session, notices: dict[str, tuple[str, str]]) -> set[str]:
    acted: set[str] = set()
    for chunk in _chunks(list(notices)):
        found = ev.rows(session, ev.NOTICE_OUTCOME, None, [ev.SUBJECT, "outcome"], subjects=chunk)
        acted.update(str(subject) for subject, outcome in found if outcome in ACTED)
    return acted


def _complaint_outcomes(session: Session, notices: dict[str, tuple[str, str]]) -> dict[str, ComplaintOutcome]:
    """The complaint outcome per notice, through the decisions that cited the notice."""
    decided = {str(d): ComplaintOutcome(str(o))
               for d, o in ev.rows(session, ev.COMPLAINT_DECIDE, None, ["decision_id", "outcome"])}
    result: dict[str, ComplaintOutcome] = {}
    for chunk in _chunks(list(decided)):
        cited = ev.rows(session, ev.DECISION, None, [ev.SUBJECT, "notice_ids"], subjects=chunk)
        for decision_id, notice_ids in cited:
            result.update({str(n): decided[str(decision_id)] for n in ev.json_list(notice_ids) if str(n) in notices})
    return result


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
