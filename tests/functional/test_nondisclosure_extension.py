"""TCO Art. 11(3): an issuer's extension of the non-disclosure period reaches a user notice already held."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.service import Actor
from accord.cases import decisions
from accord.cases.models import Case
from accord.clock import FrozenClock, as_utc
from accord.db import unit_of_work
from accord.flows import decisions as flows
from accord.identity.service import authenticate_key
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.notices import service as notices
from accord.rights import user_notices
from accord.rights.models import UserNotice
from accord.settings import Settings
from tests.factories import OrgHandle, make_org
from tests.unit.notices.helpers import payload

SYSTEM = Actor("test:duty", None)


def _held_notice(client: TestClient, factory: sessionmaker[Session], clock: FrozenClock,
                 settings: Settings) -> tuple[OrgHandle, str]:
    """An order under seven days of non-disclosure, executed; the uploader's notice is held. Returns the
    authority and the order's id."""
    load_all()
    with unit_of_work(factory) as session:
        provider, authority = make_org(session, clock, "provider"), make_org(session, clock, "authority")
    order = client.post("/v1/notices", json=payload("removal_order", provider.id, nondisclosure_days=7),
                        headers=authority.headers).json()
    with unit_of_work(factory) as session:
        session.get_one(Case, order["case_id"]).uploader_ref = "uploader@example.org"
        flows.decide(session, clock, authenticate_key(session, clock, provider.key), order["case_id"],
                         decisions.DecisionInput(action="remove", ground="TCO Art. 3 order FR-IRU-2026-0042",
                                                 facts="Executed the order.", ground_kind="legal"))
    Worker(factory, clock, settings).drain()
    with factory() as session:
        notice = session.scalars(select(UserNotice)).one()
        assert notice.state == "held" and as_utc(notice.nondisclosure_until) == clock.now() + timedelta(days=7)
    return authority, str(order["id"])


def _extend(factory: sessionmaker[Session], clock: FrozenClock, authority: OrgHandle, order_id: str) -> None:
    with unit_of_work(factory) as session:
        notices.extend_nondisclosure(session, clock, authenticate_key(session, clock, authority.key), order_id,
                                     days=14)


def _release(factory: sessionmaker[Session], clock: FrozenClock) -> UserNotice:
    with unit_of_work(factory) as session:
        user_notices.release_due(session, clock, SYSTEM)
    with factory() as session:
        return session.scalars(select(UserNotice)).one()


def test_the_extension_moves_the_held_notice_release(client: TestClient, factory: sessionmaker[Session],
                                                     clock: FrozenClock, settings: Settings) -> None:
    start = clock.now()
    authority, order_id = _held_notice(client, factory, clock, settings)
    _extend(factory, clock, authority, order_id)
    Worker(factory, clock, settings).drain()
    with factory() as session:
        notice = session.scalars(select(UserNotice)).one()
        assert as_utc(notice.nondisclosure_until) == start + timedelta(days=21)
    clock.advance(days=8)
    assert _release(factory, clock).state == "held", "the uploader must not learn of it during the extension"
    clock.advance(days=14)
    assert _release(factory, clock).state == "sent"


def test_a_release_before_the_extension_is_followed_still_waits(client: TestClient,
                                                                factory: sessionmaker[Session], clock: FrozenClock,
                                                                settings: Settings) -> None:
    start = clock.now()
    authority, order_id = _held_notice(client, factory, clock, settings)
    _extend(factory, clock, authority, order_id)
    clock.advance(days=8)  # the release duty runs before the worker followed the extension
    notice = _release(factory, clock)
    assert notice.state == "held" and as_utc(notice.nondisclosure_until) == start + timedelta(days=21)
