"""The feed round trip between two Accord instances: two apps on two databases, a real HTTP server between."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from accord.banks import service
from accord.banks.models import EntryState
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import FrozenClock
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.errors import InvalidInput
from accord.exchange import signing
from accord.exchange.pull import pull
from accord.matching import lookup
from accord.matching.lookup import QuerySignal
from accord.matching.service import Matcher
from accord.settings import Settings
from tests.conftest import LiveServer, migrated_sqlite
from tests.factories import make_org
from tests.unit.banks.helpers import PDQ_A, PDQ_B, principal


@pytest.fixture
def instance_b(tmp_path: Path, settings: Settings, sqlite_template: Path) -> tuple[Settings, sessionmaker[Session]]:
    url = migrated_sqlite(sqlite_template, tmp_path / "instance-b.db")
    engine = make_engine(url)
    other = settings.model_copy(update={"database_url": url, "secret_key": "instance-b-secret-0123456789abcdef",
                                        "index_snapshot_dir": tmp_path / "b-index"})
    return other, make_sessionmaker(engine)


def test_feed_round_trip(app: FastAPI, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings,
                         instance_b: tuple[Settings, sessionmaker[Session]]) -> None:
    settings_b, factory_b = instance_b
    with unit_of_work(factory) as session:
        hub = principal(make_org(session, clock, "coordinator"))
        peer = make_org(session, clock, "coordinator", name="instance B's account")
        shared = service.create_bank(session, clock, hub, name="hub list", visibility="all")
        private = service.create_bank(session, clock, hub, name="hub private")
        details = EntryDetails(labels=["glorification_of_terrorist_acts"], entity="Example Front", list_source="un")
        [first, second] = service.add_entries(session, clock, hub, shared, [NewSignal("pdq", PDQ_A),
                                                                            NewSignal("md5", "1" * 32)], details)
        service.add_entries(session, clock, hub, private, [NewSignal("pdq", PDQ_B)], EntryDetails())
    with unit_of_work(factory_b) as session:
        local = principal(make_org(session, clock, "coordinator"))

    with LiveServer(app) as server:
        with unit_of_work(factory_b) as session:
            result = pull(session, clock, settings_b, local, url=server.url, api_key=peer.key, bank_name="from hub")
        assert (result.upserted, result.removed, result.refused) == (2, 0, [])
        with unit_of_work(factory_b) as session:
            bank = service.get_bank(session, local.org_id, "from hub")
            entries = service.list_entries(session, bank)
            assert {(e.signal_type, e.value, e.state) for e in entries} == {
                ("pdq", PDQ_A, EntryState.QUARANTINED), ("md5", "1" * 32, EntryState.QUARANTINED)}
            assert entries[0].labels == ["glorification_of_terrorist_acts"] and entries[0].list_source == "un"
            for entry in entries:
                service.change_entry_state(session, clock, local, bank, entry, "confirm")
        with unit_of_work(factory_b) as session:
            found = lookup.lookup(session, Matcher(), local.org_id, [QuerySignal("pdq", PDQ_A)])
            assert [m.bank.name for m in found.matches] == ["from hub"]

        with unit_of_work(factory) as session:
            bank_a = service.get_bank(session, hub.org_id, "hub list")
            service.change_entry_state(session, clock, hub, bank_a, service.get_entry(
                session, hub.org_id, bank_a, second.id), "disable")
            service.add_entries(session, clock, hub, bank_a, [NewSignal("url", "https://x.example/v")], details)
        with unit_of_work(factory_b) as session:
            again = pull(session, clock, settings_b, local, url=server.url, api_key=peer.key, bank_name="from hub")
        assert (again.upserted, again.removed, again.pages) == (1, 1, 1), "only what changed since the cursor"
        with unit_of_work(factory_b) as session:
            states = {e.signal_type: e.state for e in service.list_entries(
                session, service.get_bank(session, local.org_id, "from hub"))}
        assert states == {"pdq": "active", "md5": "disabled", "url": "quarantined"}

        with unit_of_work(factory_b) as session, pytest.raises(InvalidInput, match="pinned"):
            pull(session, clock, settings_b, local, url=server.url, api_key=peer.key, bank_name="from hub",
                 public_key=signing.public_key_hex(settings_b))
        assert first.id


def test_a_feed_signed_by_another_key_is_refused(app: FastAPI, factory: sessionmaker[Session], clock: FrozenClock,
                                                 instance_b: tuple[Settings, sessionmaker[Session]]) -> None:
    settings_b, factory_b = instance_b
    with unit_of_work(factory) as session:
        peer = make_org(session, clock, "coordinator")
    with unit_of_work(factory_b) as session:
        local = principal(make_org(session, clock, "coordinator"))
    with LiveServer(app) as server, unit_of_work(factory_b) as session, pytest.raises(InvalidInput,
                                                                                       match="signature"):
        pull(session, clock, settings_b, local, url=server.url, api_key=peer.key, bank_name="x",
             public_key=signing.public_key_hex(settings_b))
