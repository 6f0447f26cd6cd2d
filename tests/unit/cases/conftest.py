"""Helpers for the review console's tests: a provider with reviewers, and cases of every source."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.cases import intake, service
from accord.cases.models import Case
from accord.clock import FrozenClock
from accord.identity import service as identity
from accord.identity.models import Member
from accord.identity.service import Principal
from tests.factories import PASSWORD, TEST_ACTOR, make_org


@dataclass
class Provider:
    id: str
    admin: Principal
    session: Session
    clock: FrozenClock

    def reviewer(self, name: str, role: str = "reviewer") -> Principal:
        member = identity.add_member(self.session, self.clock, TEST_ACTOR, org_id=self.id,
                                     email=f"{name}.{self.id.lower()}@example.org", name=name, role=role,
                                     password=PASSWORD)
        return identity.member_principal(self.session, member)

    def case(self, key: str, sources: Sequence[str] = ("user_report",), *, deadline_minutes: int | None = None,
             labels: Sequence[str] = (), media: Sequence[dict[str, Any]] = (), uploader: str | None = None,
             language: str | None = None, jurisdiction: str | None = None) -> Case:
        """A case about https://example.org/<key>, joined once per source, a second after the previous one."""
        self.clock.advance(seconds=1)
        deadline = self.deadline(deadline_minutes)
        case: Case | None = None
        for source in sources:
            case, _ = intake.open_or_join(self.session, self.clock, TEST_ACTOR, provider_id=self.id,
                                          content_keys=[f"https://example.org/{key}"], source=source,
                                          urls=[f"https://example.org/{key}"],
                                          deadline_at=deadline if source == "removal_order" else None,
                                          title=key)
        assert case is not None
        if labels or media or uploader or language or jurisdiction:
            service.annotate(self.session, self.clock, case, labels=labels, media=media, uploader_ref=uploader,
                             language=language, jurisdiction=jurisdiction)
        return case

    def deadline(self, minutes: int | None) -> datetime | None:
        return None if minutes is None else self.clock.now() + timedelta(minutes=minutes)


@pytest.fixture
def provider(session: Session, clock: FrozenClock) -> Provider:
    handle = make_org(session, clock, "provider")
    member = session.scalar(select(Member).where(Member.org_id == handle.id))
    assert member is not None
    return Provider(handle.id, identity.member_principal(session, member), session, clock)
