"""``accord demo``: a living example instance for a newcomer.

Seeds one authority, two providers, one trusted flagger, one civil-society organisation and one coordinator,
with members and API keys, then hands over to the seeders of each capability (notices, cases, banks, reports,
campaigns) listed in ``SEEDERS``. Running it again finds the demo and changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.service import Actor
from accord.cases.decisions import Decider
from accord.clock import Clock
from accord.flows import decisions as flows
from accord.identity import service as identity
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.settings import Settings

DEMO_ACTOR = Actor("demo:seed", None)
COORDINATOR = "Accord Hub (demo)"

ORGS: list[tuple[str, str, str, str, list[str]]] = [
    ("coordinator", COORDINATOR, "BE", "hub", ["en", "fr"]),
    ("authority", "Referral Unit France (demo)", "FR", "iru", ["fr", "en"]),
    ("provider", "SmallVideo Hosting (demo)", "DE", "smallvideo", ["de", "en"]),
    ("provider", "ForumNest (demo)", "IE", "forumnest", ["en"]),
    ("trusted_flagger", "Civic Watch NGO (demo)", "NL", "civicwatch", ["nl", "en"]),
    ("civil_society", "Voices Against Violence (demo)", "FR", "voices", ["fr", "ar", "en"]),
]


@dataclass
class DemoCredential:
    org: str
    kind: str
    email: str
    password: str
    api_key: str


def answer_removed(session: Session, clock: Clock, principal: Principal, notice_id: str) -> None:
    """A provider's direct answer ``removed`` on a notice, with its whole legal record (``accord.flows``)."""
    flows.answer_notice(session, clock, principal, notice_id, flows.Answer(outcome="removed"))


@dataclass
class DemoWorld:
    """What the base seed made, handed to every capability's seeder."""

    orgs: dict[str, Organisation] = field(default_factory=dict)
    credentials: list[DemoCredential] = field(default_factory=list)
    # Capability links (status pages) worth opening, as (what, URL); printed once with the logins.
    links: list[tuple[str, str]] = field(default_factory=list)
    # Seeders of domains below the flows decide through this (a decision with its whole legal record).
    decide: Decider = field(default=flows.decide)
    # ... and answer a notice ``removed`` directly through this.
    answer_removed: Callable[[Session, Clock, Principal, str], None] = field(default=answer_removed)


Seeder = Callable[[Session, Clock, Settings, DemoWorld], None]
# Each capability appends its seeder here from its own module (see SEEDER_MODULES).
SEEDERS: list[Seeder] = []
SEEDER_MODULES: list[str] = [
    "accord.notices.demo",
    "accord.authorities.demo",
    "accord.narratives.demo",
    "accord.policies.demo",  # before banks: a match acts automatically only where a policy says so
    "accord.banks.demo",
    "accord.transparency.demo",
    "accord.cases.demo",
    "accord.rights.demo",  # after transparency: it answers a complaint about one of that year's removals
    # after rights (its complaint is about a removal under the terms), before the submissions of its statements
    "accord.flows.demo",
    "accord.transparency.tdb_demo",  # after the review console's decisions and their statements
    "accord.evidence.demo",
]


def demo_exists(session: Session) -> bool:
    return session.scalar(select(Organisation.id).where(Organisation.name == COORDINATOR)) is not None


def seed(session: Session, clock: Clock, settings: Settings) -> DemoWorld | None:
    """Create the demo, or return None when it is already there."""
    if demo_exists(session):
        return None
    world = DemoWorld()
    for kind, name, country, slug, languages in ORGS:
        org = identity.create_organisation(session, clock, DEMO_ACTOR, kind=kind, name=name, country=country,
                                           contact_email=f"contact@{slug}.demo.example",
                                           contact_languages=languages)
        world.orgs[slug] = org
        world.credentials.append(_member_and_key(session, clock, org, slug))
    _load_seeders()
    for seeder in _in_module_order(SEEDERS):
        seeder(session, clock, settings, world)
    return world


def _in_module_order(seeders: list[Seeder]) -> list[Seeder]:
    """Seeders in the order of SEEDER_MODULES, whatever order their modules happened to be imported in (a test
    importing ``accord.banks.demo`` first must not make banks seed before the policies they act under)."""
    rank = {module: position for position, module in enumerate(SEEDER_MODULES)}
    return sorted(seeders, key=lambda seeder: rank.get(seeder.__module__, len(rank)))


def _member_and_key(session: Session, clock: Clock, org: Organisation, slug: str) -> DemoCredential:
    password = secrets.token_urlsafe(12)
    email = f"admin@{slug}.demo.example"
    identity.add_member(session, clock, DEMO_ACTOR, org_id=org.id, email=email, name=f"{slug} admin",
                        role="admin", password=password)
    _, key = identity.create_key(session, clock, DEMO_ACTOR, org_id=org.id, name="demo key")
    return DemoCredential(org.name, org.kind, email, password, key)


def _load_seeders() -> None:
    import importlib

    for module in SEEDER_MODULES:
        importlib.import_module(module)
