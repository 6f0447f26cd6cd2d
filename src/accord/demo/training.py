"""Demo data for reviewer training: the hub's golden set shared with all, SmallVideo's own set built from its
past decisions (anonymised), and at ForumNest a calibration rule with one trainee who passed and one who has not."""

from __future__ import annotations

import secrets
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.cases.models import Decision
from accord.clock import Clock
from accord.demo import DEMO_ACTOR, DemoWorld
from accord.demo.cases import PLACEHOLDER
from accord.identity import service as identity
from accord.identity.models import Member
from accord.identity.service import Principal
from accord.settings import Settings
from accord.training import practice, sets

# (title, facts, reference action, ground, reasons)
GOLDEN: Final = [
    ("Attack video re-upload", "A re-upload of the livestream of a declared attack, with the perpetrator's "
     "manifesto in the description.", "remove", "TCO Art. 2(7)(a)",
     "Content glorifying a terrorist offence and inciting its repetition; no journalistic framing."),
    ("News report with footage", "A broadcaster's report quoting three seconds of the same attack footage, with "
     "commentary and context.", "no_action", "TCO Art. 1(3) journalistic purpose",
     "Disseminated for journalistic purposes: the exemption applies and the context shows it."),
    ("Recruitment poster", "A poster calling on readers to join a listed organisation, with a contact channel.",
     "remove", "TCO Art. 2(7)(c)", "Solicits participation in the activities of a terrorist group."),
    ("Researcher's archive thread", "A thread by a university researcher analysing propaganda, images cropped "
     "and watermarked.", "no_action", "TCO Art. 1(3) research purpose",
     "Research purpose evident from the author, the framing and the cropping; nothing is amplified."),
    ("Borderline meme", "A meme mocking victims of an attack, no call to violence, legal in most Member States "
     "but against the terms.", "restrict", "Terms §3 (violent extremism)",
     "Not illegal content, but against the terms: restrict visibility rather than remove."),
    ("Instruction manual excerpt", "Step-by-step instructions for making an explosive device, attributed to a "
     "listed group.", "remove", "TCO Art. 2(7)(d)", "Instruction on making explosives for terrorist purposes."),
]
# The trainees' answers, in the order of GOLDEN: Lina passes (5 of 6, kappa 0.70), Tom has answered three.
LINA: Final = ["remove", "no_action", "remove", "no_action", "remove", "remove"]
TOM: Final = ["remove", "remove", "remove"]


def _member(session: Session, clock: Clock, org_id: str, name: str, role: str = "reviewer") -> Principal:
    member = identity.add_member(session, clock, DEMO_ACTOR, org_id=org_id, email=f"{name}@forumnest.demo.example",
                                 name=name.capitalize(), role=role, password=secrets.token_urlsafe(12))
    return identity.member_principal(session, member)


def _admin(session: Session, org_id: str, email: str) -> Principal:
    member = session.scalar(select(Member).where(Member.email == email, Member.org_id == org_id))
    assert member is not None  # the base seed made every organisation's admin
    return identity.member_principal(session, member)


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    """Golden sets (shared and private), a calibration rule at ForumNest, one trainee passed, one not yet."""
    hub, smallvideo, forumnest = world.orgs["hub"], world.orgs["smallvideo"], world.orgs["forumnest"]
    coordinator = _admin(session, hub.id, "admin@hub.demo.example")
    shared = sets.create_set(session, clock, coordinator, name="Terrorist content: the basics", visibility="all",
                             description="Written by the hub: removal, exemptions and terms-only cases.")
    cases = [sets.add_written(session, clock, coordinator, shared.id, sets.WrittenCase(
        title=title, facts=facts, reference_action=action, reference_ground=ground, reference_reasons=reasons,
        media=[{"url": PLACEHOLDER, "type": "image"}], graphic=action == "remove"))
        for title, facts, action, ground, reasons in GOLDEN]
    _own_set(session, clock, _admin(session, smallvideo.id, "admin@smallvideo.demo.example"))
    admin = _admin(session, forumnest.id, "admin@forumnest.demo.example")
    practice.set_rule(session, clock, admin, required=True, cases=len(GOLDEN), min_accuracy=0.8, min_kappa=0.6,
                      set_id=shared.id)
    for name, answers in (("lina", LINA), ("tom", TOM)):
        trainee = _member(session, clock, forumnest.id, name)
        for case, action in zip(cases, answers, strict=False):
            practice.answer(session, clock, trainee, shared.id, case.id, practice.Answer(action=action))


def _own_set(session: Session, clock: Clock, admin: Principal) -> None:
    """SmallVideo's private set: two of its own past decisions, anonymised."""
    own = sets.create_set(session, clock, admin, name="Our past decisions",
                          description="Built from SmallVideo's decided cases; uploaders and senders removed.")
    query = (select(Decision.id).where(Decision.provider_id == admin.org_id)
             .order_by(Decision.created_at, Decision.id).limit(2))
    for decision_id in session.scalars(query):
        sets.add_from_decision(session, clock, admin, own.id, decision_id)
