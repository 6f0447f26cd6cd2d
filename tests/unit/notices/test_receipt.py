"""TCO Art. 3(5): the receipt time of a notice is part of the written record, so the database writes it once.

The guard is a trigger, on PostgreSQL (migrated, migration 0019) and SQLite (``create_all``, and a migrated file):
setting the time at dispatch is allowed, changing it afterwards is refused whoever issues the UPDATE."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import make_engine, unit_of_work
from accord.identity.service import Principal
from accord.migrate import alembic_config, upgrade
from accord.notices import service
from accord.notices.models import RECEIPT_WRITE_ONCE, Notice
from accord.settings import Settings
from tests.unit.notices.helpers import org, payload


def _held_referral(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> tuple[str, Principal]:
    with unit_of_work(factory) as session:
        _, holder = org(session, clock, "authority")
        _, provider = org(session, clock, "provider")
        notice = service.receive(session, clock, settings, holder, payload(
            "referral", provider.org_id, operational_hold="Ongoing investigation"))
        assert notice.received_at is None
        return notice.id, holder


def _refused(factory: sessionmaker[Session], notice_id: str, later: datetime | None) -> None:
    with factory() as session, pytest.raises(IntegrityError) as refused:
        session.execute(update(Notice).where(Notice.id == notice_id).values(received_at=later))
    assert RECEIPT_WRITE_ONCE in str(refused.value)


def test_the_receipt_time_is_set_at_dispatch_then_never_changed(factory: sessionmaker[Session], clock: FrozenClock,
                                                                 settings: Settings) -> None:
    notice_id, holder = _held_referral(factory, clock, settings)
    clock.advance(hours=2)
    with unit_of_work(factory) as session:  # NULL -> the receipt: the held notice is dispatched
        service.set_hold(session, clock, holder, notice_id, active=False)
    with factory() as session:
        received = session.get_one(Notice, notice_id).received_at
        assert received is not None and received == clock.now()
    _refused(factory, notice_id, received - timedelta(minutes=50))  # "it came in well within the hour"
    _refused(factory, notice_id, None)
    with factory() as session, pytest.raises(IntegrityError):
        session.get_one(Notice, notice_id).received_at = received + timedelta(seconds=1)
        session.flush()
    with unit_of_work(factory) as session:  # the rest of the row still changes, and the same time may be written
        notice = session.get_one(Notice, notice_id)
        notice.hold_reason = "lifted"
        session.execute(update(Notice).where(Notice.id == notice_id).values(received_at=received))
    with factory() as session:
        assert session.get_one(Notice, notice_id).received_at == received


def test_a_migrated_sqlite_database_has_the_guard_and_loses_it_on_downgrade(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        assert "notices_received_at_write_once" in _triggers(engine)
        command.downgrade(alembic_config(url), "0016")
        assert "notices_received_at_write_once" not in _triggers(engine)
    finally:
        engine.dispose()


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


def test_the_model_and_the_migration_install_the_same_guard() -> None:
    from importlib import import_module

    from accord.notices.models import RECEIPT_DDL

    migration = import_module("accord.migrations.versions.0019_receipt_write_once")
    assert migration._UPGRADE == RECEIPT_DDL
    assert inspect(Notice).columns["received_at"].nullable
