"""Demo notices between the demo organisations: orders counting down, one breached, a referral, a trusted flag,
a user report and an alert (``accord.demo.flows`` answers one more order directly, with its Annex II feedback)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.demo import DemoWorld
from accord.identity import service as identity
from accord.identity.models import Organisation
from accord.identity.scopes import ALL_SCOPES
from accord.identity.service import Principal
from accord.notices import service
from accord.notices.deadlines import check_deadlines
from accord.settings import Settings

REDRESS = {"body": "Tribunal administratif de Paris", "deadline_days": 60,
           "national_law": "Code de justice administrative, art. R. 421-1"}
# Annex I sections E and F: who certifies the French IRU's orders, and whom to call back.
SIGNATORY = {"name": "Commandant C. Martin", "post": "Head of the Internet Referral Unit"}
FOLLOW_UP = {"name": "IRU duty officer", "email": "duty@iru.example.fr", "phone": "+33 1 00 00 00 00"}


class _Earlier:
    """The demo's clock moved back, so that orders look received some minutes ago."""

    def __init__(self, clock: Clock, minutes: float) -> None:
        self.clock, self.delta = clock, timedelta(minutes=minutes)

    def now(self) -> datetime:
        return self.clock.now() - self.delta


def _as(org: Organisation) -> Principal:
    return Principal(org_id=org.id, org_kind=org.kind, ref="demo:seed", scopes=frozenset(ALL_SCOPES))


def _order(provider: Organisation, number: int, path: str, issued: datetime, **extra: Any) -> dict[str, Any]:
    return {"kind": "removal_order", "provider_id": provider.id, "reference": f"FR-IRU-2026-{number:04d}",
            "urls": [f"https://{path}"], "tco_types": ["incitement"], "legal_basis": "TCO Art. 3; LCEN art. 6-1",
            "reasons": "Video glorifying the attack of 12 March and calling for similar acts.",
            "redress": REDRESS, "issued_at": (issued - timedelta(minutes=2)).replace(microsecond=0).isoformat(),
            "authority_type": "law_enforcement", "file_number": f"OCLCTIC/2026/{number:05d}",
            "signatory": SIGNATORY, "follow_up_contact": FOLLOW_UP, **extra}


def _profile(session: Session, clock: Clock, provider: Organisation) -> None:
    """Section C of Annex II/III: the person the provider authorises to sign its feedback."""
    identity.set_annex_profile(session, clock, _as(provider), legal_representative=None,
                               authorised_person={"name": "J. Doe", "post": "Trust & Safety lead",
                                                  "email": "legal@smallvideo.example"})


def _orders(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    iru, video, forum = world.orgs["iru"], world.orgs["smallvideo"], world.orgs["forumnest"]
    service.send_information_notice(session, _Earlier(clock, 3 * 24 * 60), _as(iru), provider_id=video.id,
                                    text="Procedures and deadlines for removal orders from the French IRU.")
    who = _as(iru)
    _profile(session, clock, video)
    for minutes, number in ((50, 41), (20, 42), (5, 43)):
        at = _Earlier(clock, minutes)
        service.receive(session, at, settings, who,
                        _order(video, number, f"video.smallvideo.example/watch/{number}", at.now()))
    at = _Earlier(clock, 80)
    service.receive(session, at, settings, who,
                    _order(forum, 44, "forumnest.example/t/8812", at.now(), emergency=True,
                           emergency_reason="Live call to attack a named event this evening."))
    check_deadlines(session, clock)  # order 40, answered directly with its legal record: accord.demo.flows


def _voluntary(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    iru, video, forum = world.orgs["iru"], world.orgs["smallvideo"], world.orgs["forumnest"]
    service.receive(session, _Earlier(clock, 240), settings, _as(iru), {
        "kind": "referral", "provider_id": forum.id, "urls": ["https://forumnest.example/t/9001"],
        "reasons": "Recruitment thread for a designated group.", "clause": "Community rules 4.2 (violent extremism)",
        "tco_types": ["solicitation_group"], "reference": "FR-IRU-REF-0310"})
    service.receive(session, _Earlier(clock, 30), settings, _as(world.orgs["civicwatch"]), {
        "kind": "trusted_flag", "provider_id": video.id, "urls": ["https://video.smallvideo.example/watch/77"],
        "reasons": "Bomb-making instructions re-uploaded with a new title.", "tco_types": ["instruction"]})
    service.receive(session, _Earlier(clock, 10), settings, None, {
        "kind": "user_report", "provider_id": forum.id, "urls": ["https://forumnest.example/t/9100#post-3"],
        "reasons": "This post threatens to attack a school.", "notifier_name": "A. Reader",
        "notifier_email": "reader@example.org", "good_faith": True}, address="192.0.2.10")
    service.receive(session, _Earlier(clock, 15), settings, _as(world.orgs["hub"]), {
        "kind": "alert", "provider_id": video.id, "urls": ["https://video.smallvideo.example/watch/91"],
        "reasons": "Perpetrator video of an ongoing attack.", "verification_label": "crisis_material"})


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    _orders(session, clock, settings, world)
    _voluntary(session, clock, settings, world)


