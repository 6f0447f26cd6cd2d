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
from accord.clock import Clock
from accord.identity import service as identity
from accord.identity.models import Organisation
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


@dataclass
class DemoWorld:
    """What the base seed made, handed to every capability's seeder."""

    orgs: dict[str, Organisation] = field(default_factory=dict)
    credentials: list[DemoCredential] = field(default_factory=list)


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
