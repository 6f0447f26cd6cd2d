"""Synthetic audit events, written exactly as other domains write them (``docs/events.md``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event, unchecked
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import new_id

ACTOR = Actor("test:history", None)


def decision(session: Session, clock: Clock, provider_id: str, **overrides: Any) -> str:
    """A ``cases:decision:create`` event; returns the decision id."""
    decision_id = overrides.pop("decision_id", None) or new_id("dec")
    payload: dict[str, Any] = {
        "case_id": new_id("case"), "provider_id": provider_id, "action": "remove", "countries": [],
        "ground_kind": "legal", "ground_ref": "TCO Art. 2(7)(a)", "automated_detection": False,
        "automated_decision": False, "exempt_purpose": None, "notice_ids": [], "sources": ["user_notice"],
        "content_type": "video",
    }
    payload.update(overrides)
    record(session, clock, ACTOR, Event.CASES_DECISION_CREATE, subject=decision_id, org_id=provider_id,
           payload=payload)
    return decision_id


def notice(session: Session, clock: Clock, *, provider_id: str, issuer_id: str, kind: str = "referral",
           issuer_kind: str = "authority", member_state: str = "FR", tco_types: list[str] | None = None,
           cross_border: bool = False, seconds_to_ack: float | None = None, outcome: str | None = None,
           seconds_to_act: float | None = None, ground: str | None = None, breach: bool = False) -> str:
    """A notice received, optionally acknowledged and answered; returns the notice id."""
    notice_id = new_id("ntc")
    common = {"kind": kind, "issuer_id": issuer_id, "provider_id": provider_id, "member_state": member_state}
    record(session, clock, ACTOR, Event.NOTICES_NOTICE_RECEIVE, subject=notice_id, org_id=provider_id, payload={
        **common, "issuer_kind": issuer_kind, "tco_types": tco_types or ["incitement"], "cross_border": cross_border,
        "emergency": False, "received_at": clock.now().isoformat(), "deadline_at": None, "case_id": None})
    if seconds_to_ack is not None:
        record(session, clock, ACTOR, Event.NOTICES_NOTICE_ACKNOWLEDGE, subject=notice_id, org_id=provider_id,
               payload={**common, "seconds_to_ack": seconds_to_ack})
    if outcome is not None:
        record(session, clock, ACTOR, Event.NOTICES_NOTICE_OUTCOME, subject=notice_id, org_id=provider_id, payload={
            **common, "outcome": outcome, "countries": [], "ground": ground, "seconds_to_act": seconds_to_act,
            "breach": breach, "tco_types": tco_types or ["incitement"], "automated": False})
    return notice_id


def event(session: Session, clock: Clock, tag: Event, org_id: str, subject: str | None = None,
          **payload: Any) -> None:
    """Any other event, carrying only the keys the test's report reads (so written unchecked)."""
    with unchecked():
        record(session, clock, ACTOR, tag, subject=subject or new_id("sub"), org_id=org_id, payload=payload)
