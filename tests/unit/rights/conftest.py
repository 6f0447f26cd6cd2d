from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.clock import FrozenClock
from accord.identity.models import Member
from tests.factories import OrgHandle, make_org


@dataclass(frozen=True)
class World:
    provider: OrgHandle
    other: OrgHandle
    authority: OrgHandle
    reviewer_id: str


@pytest.fixture
def world(session: Session, clock: FrozenClock) -> World:
    provider = make_org(session, clock, "provider")
    other = make_org(session, clock, "provider")
    authority = make_org(session, clock, "authority")
    reviewer = session.scalar(select(Member.id).where(Member.org_id == provider.id))
    assert reviewer is not None
    return World(provider, other, authority, reviewer)
