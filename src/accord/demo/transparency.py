"""Demo: a year of synthetic history for the demo provider and authority, so that the transparency page shows
charts, and live rights objects: a pending complaint counting down, a held user notice, preserved items.

The history is written as audit events, exactly as the notices, review and matching domains write them
(``docs/events.md``), because reports are computed from those events only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import new_id
from accord.demo import DemoWorld
from accord.rights import complaints, preservation, user_notices
from accord.settings import Settings

ACTOR: Final = Actor("demo:history", None)
STATES: Final = (("FR", 0.55), ("DE", 0.25), ("ES", 0.12), ("AT", 0.08))
TYPES: Final = ("incitement", "solicitation", "participation", "instruction", "threat")


@dataclass
class Backdated:
    """A clock set to one moment of the synthetic year."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


@dataclass
class History:
    session: Session
    rng: random.Random
    provider: str
    authority: str
    flagger: str
    decisions: list[str] = field(default_factory=list)

    def at(self, moment: datetime, tag: Event, subject: str, **payload: Any) -> None:
        record(self.session, Backdated(moment), ACTOR, tag, subject=subject, org_id=self.provider, payload=payload)


def _order(history: History, moment: datetime) -> None:
    rng, notice_id = history.rng, new_id("ntc")
    state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
    types = sorted(set(rng.sample(TYPES, rng.choice((1, 1, 2)))))
    common = {"kind": "removal_order", "issuer_id": history.authority if state == "FR" else new_id("org"),
              "provider_id": history.provider, "member_state": state}
    history.at(moment, Event.NOTICES_NOTICE_RECEIVE, notice_id, **common, issuer_kind="authority", tco_types=types,
               cross_border=state != "DE", emergency=False, received_at=moment.isoformat(), case_id=None)
    ack, act = rng.randint(60, 900), rng.randint(600, 3300) if rng.random() < 0.93 else rng.randint(3700, 7200)
    history.at(moment + timedelta(seconds=ack), Event.NOTICES_NOTICE_ACKNOWLEDGE, notice_id, **common,
               seconds_to_ack=ack)
    outcome = "cannot_comply" if rng.random() < 0.08 else rng.choice(("removed", "removed", "disabled"))
    history.at(moment + timedelta(seconds=act), Event.NOTICES_NOTICE_OUTCOME, notice_id, **common, outcome=outcome,
               countries=[], ground="manifest_error" if outcome == "cannot_comply" else None, seconds_to_act=act,
               breach=act > 3600, tco_types=types, automated=False)
    if outcome != "cannot_comply":
        _decision(history, moment + timedelta(seconds=act), ["removal_order"], [notice_id], "legal")


def _notice(history: History, moment: datetime) -> None:
    rng, notice_id = history.rng, new_id("ntc")
    kind = rng.choice(("trusted_flag", "trusted_flag", "referral", "user_report", "alert"))
    issuer = {"trusted_flag": history.flagger, "referral": history.authority}.get(kind, new_id("org"))
    issuer_kind = {"trusted_flag": "trusted_flagger", "referral": "authority", "user_report": "public"}.get(
        kind, "coordinator")
    common = {"kind": kind, "issuer_id": issuer, "provider_id": history.provider, "member_state": "FR"}
    history.at(moment, Event.NOTICES_NOTICE_RECEIVE, notice_id, **common, issuer_kind=issuer_kind,
               tco_types=["incitement"], cross_border=False, emergency=False, received_at=moment.isoformat())
    acted = rng.random() < {"trusted_flag": 0.86, "user_report": 0.35}.get(kind, 0.7)
    seconds = rng.randint(1800, 86400)
    history.at(moment + timedelta(seconds=seconds), Event.NOTICES_NOTICE_OUTCOME, notice_id, **common,
               outcome="removed" if acted else "no_action", countries=[], ground=None, seconds_to_act=seconds,
               breach=False, tco_types=["incitement"], automated=False)
    _decision(history, moment + timedelta(seconds=seconds), [kind], [notice_id],
              "legal" if kind != "referral" else "terms", action="remove" if acted else "no_action")


def _decision(history: History, moment: datetime, sources: list[str], notice_ids: list[str], ground: str,
              action: str = "remove") -> None:
    rng, decision_id = history.rng, new_id("dec")
    history.at(moment, Event.CASES_DECISION_CREATE, decision_id, case_id=new_id("case"), provider_id=history.provider,
               action=action, countries=[], ground_kind=ground,
               ground_ref="TCO Art. 2(7)(a)" if ground == "legal" else "Community rules 3.1 (violent extremism)",
               automated_detection="hash_match" in sources, automated_decision=False, exempt_purpose=None,
               notice_ids=notice_ids, sources=sources, content_type=[rng.choice(("video", "image", "text"))])
    history.decisions.append(decision_id)


def _match(history: History, moment: datetime) -> None:
    match_id = new_id("mat")
    history.at(moment, Event.MATCHING_MATCH_FOUND, match_id, provider_id=history.provider, bank_id="bank_demo",
               entry_id=new_id("ent"), signal_type=history.rng.choice(("pdq", "pdq", "md5")), distance=12,
               case_id=None)
    _decision(history, moment + timedelta(minutes=20), ["hash_match"], [], "legal")


def _complaint_event(history: History, moment: datetime) -> None:
    rng, complaint_id = history.rng, new_id("cmp")
    decision_id = rng.choice(history.decisions)
    common = {"decision_id": decision_id, "provider_id": history.provider}
    history.at(moment, Event.RIGHTS_COMPLAINT_FILE, complaint_id, **common, by="uploader")
    seconds = rng.randint(3600, 12 * 86400)
    outcome = "reversed" if rng.random() < 0.2 else "upheld"
    history.at(moment + timedelta(seconds=seconds), Event.RIGHTS_COMPLAINT_DECIDE, complaint_id, **common,
               outcome=outcome, seconds_to_decide=seconds, by="uploader", breach=False)
    if outcome == "reversed":
        history.at(moment + timedelta(seconds=seconds + 60), Event.RIGHTS_CONTENT_REINSTATE, decision_id,
                   provider_id=history.provider, reason="complaint")


def _year(history: History, now: datetime) -> None:
    """A year of days; each day draws its orders, notices, matches and complaints."""
    for day in range(365, 1, -1):
        start = (now - timedelta(days=day)).replace(hour=8, minute=0, second=0, microsecond=0)
        for draw, per_day in ((_order, 0.1), (_notice, 0.6), (_match, 0.25)):
            for _ in range(history.rng.choices((0, 1, 2, 3), _weights(per_day))[0]):
                draw(history, start + timedelta(minutes=history.rng.randint(0, 600)))
        if history.decisions and history.rng.random() < 0.12:
            _complaint_event(history, start + timedelta(hours=9))


def _weights(mean: float) -> list[float]:
    """Rough weights for 0-3 events a day with the given mean."""
    p = min(mean / 3, 1.0)
    return [(1 - p) ** 3, 3 * p * (1 - p) ** 2, 3 * p * p * (1 - p), p ** 3]


def _live(session: Session, clock: Clock, settings: Settings, history: History) -> None:
    """What counts down now: a pending complaint, a held user notice, preserved items."""
    latest = history.decisions[-3:]
    for index, decision_id in enumerate(latest):
        preservation.preserve(session, clock, settings, ACTOR, provider_id=history.provider,
                              decision_id=decision_id, content=f"demo removed item {index}".encode(),
                              metadata={"url": f"https://video.smallvideo.example/watch/{900 + index}"})
    complaints.file_complaint(session, clock, ACTOR, provider_id=history.provider, decision_id=latest[-1],
                              complainant=complaints.Complainant("uploader", contact="uploader@example.org"),
                              statement="My video documents the attack for a news channel; it does not praise it.")
    user_notices.issue_user_notice(
        session, clock, ACTOR, provider_id=history.provider, decision_id=latest[-2],
        uploader_contact="another.uploader@example.org", nondisclosure_until=clock.now() + timedelta(weeks=4),
        facts={"what": "the video at video.smallvideo.example/watch/901", "why": "Removal order FR-IRU-2026-0040.",
               "ground": "TCO Regulation Art. 2(7)(a)", "automated": False, "order_reference": "FR-IRU-2026-0040"})


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    """Seed the demo provider's year and its live rights objects."""
    provider, authority = world.orgs["smallvideo"], world.orgs["iru"]
    rng = random.Random(2026)  # noqa: S311 - reproducible synthetic history, not a secret
    history = History(session, rng, provider.id, authority.id, world.orgs["civicwatch"].id)
    _year(history, clock.now())
    _live(session, clock, settings, history)


