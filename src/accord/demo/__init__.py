"""``accord demo``: a living example instance for a newcomer.

Seeds one authority, two providers, one trusted flagger, one civil-society organisation and one coordinator,
with members and API keys, then hands over to the seeders of each capability (notices, cases, banks, reports,
campaigns): the modules of this package that the domain manifest (``accord.manifest``) names, in its order. Running
it again finds the demo and changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord import manifest
from accord.audit.service import Actor
from accord.cases.decisions import Decider
from accord.clock import Clock
from accord.flows import decisions  # not "flows": accord.demo.flows, a submodule, would take that name
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
    ("overseer", "Personnalité qualifiée CNIL (demo)", "FR", "overseer", ["fr", "en"]),
    ("network_operator", "FibreNet France (demo)", "FR", "fibrenet", ["fr", "en"]),
    ("network_operator", "MobiLink (demo)", "FR", "mobilink", ["fr", "en"]),
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
    decisions.answer_notice(session, clock, principal, notice_id, decisions.Answer(outcome="removed"))


@dataclass
class DemoWorld:
    """What the base seed made, handed to every capability's seeder."""

    orgs: dict[str, Organisation] = field(default_factory=dict)
    credentials: list[DemoCredential] = field(default_factory=list)
    # Capability links (status pages) worth opening, as (what, URL); printed once with the logins.
    links: list[tuple[str, str]] = field(default_factory=list)
    # Seeders of domains below the flows decide through this (a decision with its whole legal record).
    decide: Decider = field(default=decisions.decide)
    # ... and answer a notice ``removed`` directly through this.
    answer_removed: Callable[[Session, Clock, Principal, str], None] = field(default=answer_removed)


Seeder = Callable[[Session, Clock, Settings, DemoWorld], None]


def seeders() -> list[Seeder]:
    """The ``seed`` of every demo module the domain manifest names (``accord.demo.<domain>``), in its order."""
    return [module.seed for module in manifest.load("demo")]


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
    for seeder in seeders():
        seeder(session, clock, settings, world)
    return world


def _member_and_key(session: Session, clock: Clock, org: Organisation, slug: str) -> DemoCredential:
    password = secrets.token_urlsafe(12)
    email = f"admin@{slug}.demo.example"
    identity.add_member(session, clock, DEMO_ACTOR, org_id=org.id, email=email, name=f"{slug} admin",
                        role="admin", password=password)
    _, key = identity.create_key(session, clock, DEMO_ACTOR, org_id=org.id, name="demo key")
    return DemoCredential(org.name, org.kind, email, password, key)
