"""Demo: the French authority's DNS blocking list under prior review by its overseer. One entry was reviewed and
is live, one drew an objection and is suspended, one expired, one was delisted on appeal; FibreNet applied the
current serial and MobiLink is a serial behind (and late once the 24-hour clock has run)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accord.blocklists import appeals, jobs, operators, service
from accord.clock import Clock
from accord.demo import DemoWorld
from accord.identity.models import Organisation
from accord.identity.scopes import ALL_SCOPES
from accord.identity.service import Principal
from accord.jobs.registry import JobContext
from accord.settings import Settings


class _DaysAgo:
    def __init__(self, clock: Clock, days: float) -> None:
        self.clock, self.delta = clock, timedelta(days=days)

    def now(self) -> datetime:
        return self.clock.now() - self.delta


def _as(org: Organisation) -> Principal:
    return Principal(org_id=org.id, org_kind=org.kind, ref="demo:seed", scopes=frozenset(ALL_SCOPES))


def _entry(session: Session, clock: Clock, settings: Settings, iru: Principal, list_id: str, value: str,
           days: int = 90) -> str:
    spec = service.EntrySpec(type="domain", value=value, subdomains=True, expires_at=clock.now() + timedelta(days=days),
                             reason="Publishes a terrorist organisation's propaganda; removal orders to its host "
                                    "went unanswered.", evidence=("FR-IRU-2026-0021",))
    return service.add_entry(session, clock, settings, iru, list_id, spec).id


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    iru, overseer = _as(world.orgs["iru"]), _as(world.orgs["overseer"])
    before = _DaysAgo(clock, 40)
    blocklist = service.create_list(session, before, settings, iru, service.ListSpec(
        name="fr-terrorism-dns", kind="dns_block", legal_basis="Décret n° 2015-253; LCEN art. 6-1",
        action="stop_page", stop_host="blocage.interieur.demo.example", review_required=True,
        overseer_id=overseer.org_id))
    expired = _entry(session, before, settings, iru, blocklist.id, "old-propaganda.demo.example", days=30)
    service.review(session, _DaysAgo(clock, 39), overseer, blocklist.id, expired, "Reviewed: orders unexecuted.")
    jobs.expire_due(JobContext(session, _DaysAgo(clock, 9), settings, "demo"))
    live = _entry(session, _DaysAgo(clock, 5), settings, iru, blocklist.id, "caliphate-news.demo.example")
    service.review(session, _DaysAgo(clock, 4), overseer, blocklist.id, live, "Reviewed: the site is dedicated.")
    doubtful = _entry(session, _DaysAgo(clock, 3), settings, iru, blocklist.id, "history-forum.demo.example")
    service.object_to(session, _DaysAgo(clock, 2), overseer, blocklist.id, doubtful,
                      "The forum is a history discussion site; the material is quoted to criticise it.")
    appealed = _entry(session, _DaysAgo(clock, 3), settings, iru, blocklist.id, "mirror-archive.demo.example")
    service.review(session, _DaysAgo(clock, 3), overseer, blocklist.id, appealed, "Reviewed.")
    appeal = appeals.file_appeal(session, _DaysAgo(clock, 2), settings, blocklist.id,
                                 value="mirror-archive.demo.example", contact="owner@mirror-archive.demo.example",
                                 statement="The propaganda was removed from the archive a week ago.")
    appeals.answer_appeal(session, _DaysAgo(clock, 1), iru, blocklist.id, appeal.id, outcome="delisted",
                          reasons="Checked: the material is gone.")
    for slug in ("fibrenet", "mobilink"):
        operators.subscribe(session, _DaysAgo(clock, 39), iru, blocklist.id, world.orgs[slug].id)
    operators.applied(session, clock, _as(world.orgs["fibrenet"]), blocklist.id, blocklist.serial)
    operators.applied(session, _DaysAgo(clock, 1), _as(world.orgs["mobilink"]), blocklist.id, blocklist.serial - 1)


