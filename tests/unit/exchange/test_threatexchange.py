"""python-threatexchange both ways: import from its offline exchanges, and Accord as a SignalExchangeAPI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from threatexchange.exchanges.signal_exchange_api import SignalExchangeAPI
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from accord.banks import service
from accord.banks.models import EntryState
from accord.clock import FrozenClock
from accord.errors import InvalidInput
from accord.exchange import feed, signing
from accord.exchange.threatexchange import (
    AccordCheckpoint,
    AccordCollabConfig,
    AccordSignalExchangeAPI,
    import_exchange,
    offline_exchange,
)
from accord.fetcher import FetchResult
from accord.settings import Settings
from tests.unit.banks.helpers import PDQ_A, PDQ_B, bank_with, org


def test_import_from_the_sample_exchange(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    exchange, collab = offline_exchange("sample", None)
    result = import_exchange(session, clock, owner, bank, exchange, collab)
    entries = service.list_entries(session, bank, limit=1000)
    assert result.added == len(entries) > 10
    assert {e.signal_type for e in entries} >= {"pdq", "video_md5", "url", "text"}
    assert {e.state for e in entries} == {EntryState.QUARANTINED}, "imports wait for confirmation"


def test_import_from_a_local_file_refuses_bad_hashes(session: Session, clock: FrozenClock, tmp_path: Path) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=(), quarantine_imports=False)
    path = tmp_path / "hashes.txt"
    path.write_text(f"pdq {PDQ_A}\npdq {'0' * 64}\nvideo_md5 d41d8cd98f00b204e9800998ecf8427e\n")
    exchange, collab = offline_exchange("local_file", path)
    result = import_exchange(session, clock, owner, bank, exchange, collab)
    assert result.added == 2
    assert len(result.refused) == 1 and "all-zero" in result.refused[0]
    assert {e.state for e in service.list_entries(session, bank)} == {EntryState.ACTIVE}
    with pytest.raises(InvalidInput):
        offline_exchange("local_file", None)


def _fetcher(session: Session, settings: Settings, org_id: str, tamper: bool = False):  # type: ignore[no-untyped-def]
    def get(url: str, headers: dict[str, str]) -> FetchResult:
        cursor = int(url.rsplit("cursor=", 1)[1])
        page = feed.build_page(session, org_id, cursor=cursor, limit=2, public_key=signing.public_key_hex(settings))
        body = json.dumps(page).encode()
        signature = signing.sign(settings, body + (b" " if tamper else b""))
        return FetchResult(url, 200, {signing.HEADER: signature}, body)

    return get


def test_accord_is_a_signal_exchange_api(session: Session, clock: FrozenClock, settings: Settings) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    bank = bank_with(session, clock, hub, values=(PDQ_A, PDQ_B), visibility="all")
    service.add_entries(session, clock, hub, bank, [service.NewSignal("video_md5", "1" * 32)], service.EntryDetails())
    collab = AccordCollabConfig(name="hub", url="https://hub.example")
    api = AccordSignalExchangeAPI(collab, "key", _fetcher(session, settings, provider.org_id))
    assert isinstance(api, SignalExchangeAPI) and api.get_name() == "accord"
    deltas = list(api.fetch_iter([PdqSignal, VideoMD5Signal], None))
    assert len(deltas) == 2 and isinstance(deltas[-1].checkpoint, AccordCheckpoint)
    merged: dict[object, object] = {}
    for delta in deltas:
        api.naive_fetch_merge(merged, delta.updates)  # type: ignore[arg-type]
    converted = api.naive_convert_to_signal_type([PdqSignal, VideoMD5Signal], collab, merged)  # type: ignore[arg-type]
    assert set(converted[PdqSignal]) == {PDQ_A, PDQ_B}
    assert converted[PdqSignal][PDQ_A].get_as_opinions()[0].tags == {"glorification_of_terrorist_acts"}
    assert set(converted[VideoMD5Signal]) == {"1" * 32}
    assert next(iter(api.fetch_iter([PdqSignal], deltas[-1].checkpoint))).updates == {}, "nothing new past it"


def test_a_tampered_page_is_refused(session: Session, clock: FrozenClock, settings: Settings) -> None:
    hub = org(session, clock, "coordinator")
    bank_with(session, clock, hub, visibility="all")
    api = AccordSignalExchangeAPI(AccordCollabConfig(name="hub", url="https://hub.example"), "key",
                                  _fetcher(session, settings, hub.org_id, tamper=True))
    with pytest.raises(InvalidInput, match="signature"):
        list(api.fetch_iter([PdqSignal], None))


def test_signing_round_trip(settings: Settings) -> None:
    body = b'{"items":[]}'
    header = signing.sign(settings, body)
    signing.verify(signing.public_key_hex(settings), body, header)
    other = Settings(mode="test", secret_key="another-secret-of-sufficient-length-123")
    with pytest.raises(InvalidInput):
        signing.verify(signing.public_key_hex(other), body, header)
    with pytest.raises(InvalidInput):
        signing.verify(signing.public_key_hex(settings), body, "hmac=abc")
