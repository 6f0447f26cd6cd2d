"""Demo: what follows orders. Two older orders to ForumNest became final when their redress period ended (so an
exposure decision is open to its authority); an order to SmallVideo is under review before a French court."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.demo import DemoWorld
from accord.identity.models import Organisation
from accord.identity.scopes import ALL_SCOPES
from accord.identity.service import Principal
from accord.notices import service
from accord.rights import reviews
from accord.settings import Settings

REDRESS = {"body": "Tribunal administratif de Paris", "deadline_days": 60}


class _DaysAgo:
    def __init__(self, clock: Clock, days: float) -> None:
        self.clock, self.delta = clock, timedelta(days=days)

    def now(self) -> datetime:
        return self.clock.now() - self.delta


def _as(org: Organisation) -> Principal:
    return Principal(org_id=org.id, org_kind=org.kind, ref="demo:seed", scopes=frozenset(ALL_SCOPES))


def _executed_order(session: Session, clock: Clock, settings: Settings, world: DemoWorld, provider: Organisation,
                    days: int, number: int, url: str) -> str:
    iru = world.orgs["iru"]
    earlier = _DaysAgo(clock, days)
    notice = service.receive(session, earlier, settings, _as(iru), {
        "kind": "removal_order", "provider_id": provider.id, "reference": f"FR-IRU-2026-{number:04d}",
        "urls": [url], "tco_types": ["incitement"], "legal_basis": "TCO Art. 3; LCEN art. 6-1",
        "reasons": "Praises the perpetrators of a terrorist attack.", "redress": REDRESS, "emergency": True,
        "emergency_reason": "Spreading during an ongoing crisis."})
    world.answer_removed(session, _DaysAgo(clock, days - 0.02), _as(provider), notice.id)
    return notice.id


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    video, forum = world.orgs["smallvideo"], world.orgs["forumnest"]
    _executed_order(session, clock, settings, world, forum, 150, 21, "https://forumnest.example/t/7001")
    _executed_order(session, clock, settings, world, forum, 110, 27, "https://forumnest.example/t/7340")
    appealed = _executed_order(session, clock, settings, world, video, 30, 35,
                               "https://video.smallvideo.example/watch/35")
    reviews.record_review(session, _DaysAgo(clock, 20), settings, _as(video), appealed, brought_by="content_provider",
                          body="Tribunal administratif de Paris", filed_on=_DaysAgo(clock, 21).now(),
                          case_reference="TA Paris 2611234")
    reviews.finalise_orders(session, clock, settings)


