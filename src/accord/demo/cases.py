"""Demo data for the review console: SmallVideo's queues, cases waiting, decisions and blind re-reviews."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Final

from sqlalchemy.orm import Session

from accord.cases import config, decisions, quality, queues, service
from accord.cases.decisions import Decider
from accord.clock import Clock
from accord.demo import DEMO_ACTOR, DemoWorld
from accord.identity import service as identity
from accord.identity.service import Principal
from accord.settings import Settings

# A small grey placeholder image, so the blurred media frame shows something without shipping real content.
PLACEHOLDER: Final = ("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='320' height='180'>"
                      "<rect width='320' height='180' fill='%23733'/><text x='20' y='95' fill='white' "
                      "font-size='20'>reported frame</text></svg>")
WAITING: Final = [  # (bank value, labels, language)
    ("1" * 64, ["graphic_violence"], "ar"),
    ("2" * 64, ["incident"], "en"),
    ("3" * 64, [], "de"),
    ("4" * 64, ["graphic_violence", "incident"], "en"),
    ("5" * 64, [], "fr"),
]
# (first action, second reviewer's action) for decided cases that were re-reviewed blind.
REVIEWED: Final = [("remove", "remove"), ("remove", "remove"), ("no_action", "no_action"),
                   ("remove", "restrict"), ("no_action", "remove"), ("remove", "remove")]


def _reviewer(session: Session, clock: Clock, org_id: str, name: str) -> Principal:
    member = identity.add_member(session, clock, DEMO_ACTOR, org_id=org_id, email=f"{name}@smallvideo.demo.example",
                                 name=name, role="reviewer", password=secrets.token_urlsafe(12))
    return identity.member_principal(session, member)


def _queues(session: Session, clock: Clock, org_id: str) -> None:
    actor = DEMO_ACTOR
    queues.create_queue(session, clock, actor, provider_id=org_id, name="Removal orders", position=1,
                        rules={"sources": ["removal_order"]})
    queues.create_queue(session, clock, actor, provider_id=org_id, name="Graphic and imminent", position=2,
                        rules={"severity": ["graphic", "imminent"]})
    queues.create_queue(session, clock, actor, provider_id=org_id, name="Arabic", position=3,
                        rules={"languages": ["ar"]})
    queues.create_queue(session, clock, actor, provider_id=org_id, name="Lower harm", position=4, harm="low",
                        rules={"severity": ["standard"]})


def _decided(session: Session, clock: Clock, org_id: str, first: Principal, second: Principal,
             decide: Decider) -> None:
    config.update_review_settings(session, clock, DEMO_ACTOR, org_id, {"rereview_share": 1.0})
    second_look: dict[str, str] = {}  # case id -> the second reviewer's action
    for i, (action, again) in enumerate(REVIEWED):
        case, _ = service.open_case_from_match(session, clock, DEMO_ACTOR, provider_id=org_id, signal_type="md5",
                                               value=f"{i:032x}", urls=[f"https://smallvideo.example/v/old{i}"])
        case.created_at = clock.now() - timedelta(hours=3, minutes=7 * i)
        decide(session, clock, first, case.id, decisions.DecisionInput(
            action=action, ground="Terms §3 (violent extremism)" if action != "remove" else "TCO Art. 2(7)(a)",
            facts="reviewed against the policy", restriction="demoted" if action == "restrict" else None))
        second_look[case.id] = again
    # Only these cases' reviews: earlier seeders' decisions may have been sampled too (10% by decision id).
    for review in quality.pending(session, second):
        if review.case_id in second_look:
            quality.submit(session, clock, second, review.id, second_look[review.case_id])
    config.update_review_settings(session, clock, DEMO_ACTOR, org_id, {"rereview_share": 0.10})


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    """Queues routing by source, severity and language; cases waiting with media; decisions re-reviewed."""
    org = world.orgs["smallvideo"]
    _queues(session, clock, org.id)
    first, second = _reviewer(session, clock, org.id, "amira"), _reviewer(session, clock, org.id, "jonas")
    _decided(session, clock, org.id, first, second, world.decide)
    for i, (value, labels, language) in enumerate(WAITING):
        case, _ = service.open_case_from_match(
            session, clock, DEMO_ACTOR, provider_id=org.id, signal_type="pdq", value=value, labels=labels,
            urls=[f"https://smallvideo.example/v/{i}"], media=[{"url": PLACEHOLDER, "type": "image"}],
            title=f"upload {i + 1} matched a shared bank")
        case.created_at = clock.now() - timedelta(minutes=9 * (i + 1))
        service.annotate(session, clock, case, language=language, uploader_ref=f"user:{1000 + i}")
    queues.triage_pending(session, clock, org.id)


