"""Factories shared by the tests: organisations with keys and members, in one call."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from accord.audit.service import Actor
from accord.clock import Clock
from accord.db import new_id, unit_of_work
from accord.identity import service as identity
from accord.identity.models import ORG_KINDS

TEST_ACTOR = Actor("test:factory", None)
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class OrgHandle:
    id: str
    kind: str
    name: str
    key: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_org(
    session: Session, clock: Clock, kind: str = "provider", name: str | None = None, country: str = "FR",
    role: str = "admin",
) -> OrgHandle:
    name = name or f"{kind} {new_id('t')}"
    org = identity.create_organisation(session, clock, TEST_ACTOR, kind=kind, name=name, country=country,
                                       contact_languages=["en"])
    email = f"{org.id.lower()}@example.org"
    identity.add_member(session, clock, TEST_ACTOR, org_id=org.id, email=email, name=name, role=role,
                        password=PASSWORD)
    _, key = identity.create_key(session, clock, TEST_ACTOR, org_id=org.id)
    return OrgHandle(org.id, kind, org.name, key, email)


def make_orgs(factory: sessionmaker[Session], clock: Clock) -> dict[str, OrgHandle]:
    """One committed organisation of every kind."""
    with unit_of_work(factory) as session:
        return {kind: make_org(session, clock, kind) for kind in ORG_KINDS}
