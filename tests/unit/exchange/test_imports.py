"""Imports into a bank through python-threatexchange's own exchanges: its offline ones, and Tech Against
Terrorism's hash list replayed from a recorded answer to pytx's own TAT client."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from threatexchange.exchanges.clients.techagainstterrorism.api import TATHashListAPI
from threatexchange.exchanges.fetch_state import SignalOpinion, SignalOpinionCategory
from threatexchange.exchanges.helpers import SimpleFetchedSignalMetadata

from accord.banks import service
from accord.banks.models import EntryState
from accord.clock import FrozenClock
from accord.errors import InvalidInput
from accord.exchange.imports import ImportResult, _import_one, exchange_for, import_exchange, split_labels
from tests.unit.banks.helpers import PDQ_A, bank_with, org
from tests.unit.exchange.replay import replaying

AQUA = "6d9b924cada6424b90a6694b36cbd92566dbb267c937624993276ddb122692ae"
RAINDROPS = "719f519da79b251f741bba33f03790f716c6680f925b00fcb7bc5a4c14b2d240"
WOOD = "3b75995e44aaaad43a51116ac4af7a95bd4a62ad15e58073f02b0fb9d0542fec"


def test_import_from_the_sample_exchange(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    exchange, collab = exchange_for("sample", None)
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
    exchange, collab = exchange_for("local_file", path)
    result = import_exchange(session, clock, owner, bank, exchange, collab)
    assert result.added == 2
    assert len(result.refused) == 1 and "all-zero" in result.refused[0]
    assert {e.state for e in service.list_entries(session, bank)} == {EntryState.ACTIVE}
    with pytest.raises(InvalidInput):
        exchange_for("local_file", None)
    with pytest.raises(InvalidInput, match="sample, local_file, tat, stop_ncii"):
        exchange_for("ncmec", None)


def test_import_from_tech_against_terrorism(session: Session, clock: FrozenClock,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    monkeypatch.setenv("PYTX_TAT_CREDENTIALS", "accord-test:secret")
    with replaying("tat-hash-list.json") as replay:
        monkeypatch.setattr(TATHashListAPI, "BASE_URL", replay.url + "/")
        exchange, collab = exchange_for("tat", None)
        result = import_exchange(session, clock, owner, bank, exchange, collab)
    pages = [r for r in replay.requests if r[0] == "GET"]
    assert len(pages) == 2 and all(r[3]["Authorization"] == "Bearer recorded-jwt" for r in pages)
    entries = {(e.signal_type, e.value): e for e in service.list_entries(session, bank)}
    assert set(entries) == {("pdq", AQUA), ("pdq", WOOD), ("video_md5", "5d41402abc4b2a76b9719d911017c592")}, \
        "the record deleted on page 2 is gone, the pdf MD5 skipped by pytx, the all-zero PDQ refused"
    assert result.added == 3 and len(result.refused) == 1 and "all-zero" in result.refused[0]
    assert entries["pdq", WOOD].metadata_ == {"exchange": "tat", "tags": ["far-right"]}, "the ideology is kept"
    assert entries["pdq", AQUA].labels == [] and entries["pdq", AQUA].state == EntryState.QUARANTINED


def test_tat_without_credentials_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PYTX_TAT_CREDENTIALS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(InvalidInput, match="PYTX_TAT_CREDENTIALS"):
        exchange_for("tat", None)


def test_an_unreachable_feed_is_a_clear_error(session: Session, clock: FrozenClock,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    monkeypatch.setenv("PYTX_TAT_CREDENTIALS", "accord-test:secret")
    with replaying("tat-hash-list.json") as replay:
        monkeypatch.setattr(TATHashListAPI, "BASE_URL", replay.url + "/wrong/")
        exchange, collab = exchange_for("tat", None)
        with pytest.raises(InvalidInput, match="tat exchange could not be fetched"):
            import_exchange(session, clock, owner, bank, exchange, collab)


def test_tags_become_labels_where_the_vocabulary_knows_them() -> None:
    labels, tags = split_labels({"Glorification of terrorist acts", "imminent-credible-threat", "far-right",
                                 "islamist", "Violent Extremism"})
    assert labels == ["glorification_of_terrorist_acts", "imminent_credible_threat"]
    assert tags == ["Violent Extremism", "far-right", "islamist"], "unknown labels are kept as given, not refused"


def test_import_from_stop_ncii(session: Session, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    with replaying("stop-ncii-fetch-hashes.json") as replay:
        monkeypatch.setenv("TX_STOPNCII_KEYS", f"function-key,subscription-key,{replay.url}/v1")
        exchange, collab = exchange_for("stop_ncii", None)
        result = import_exchange(session, clock, owner, bank, exchange, collab)
    assert [r[2].get("nextPageToken") for r in replay.requests] == [None, "page-2"]
    assert all(r[3]["Ocp-Apim-Subscription-Key"] == "subscription-key" for r in replay.requests)
    entries = {e.value: e for e in service.list_entries(session, bank)}
    assert set(entries) == {AQUA, RAINDROPS} and result.added == 2 and result.refused == [], "VideoTMK skipped"
    assert entries[AQUA].metadata_ == {"exchange": "stop_ncii", "tags": ["sextortion"]}
    assert {e.state for e in entries.values()} == {EntryState.QUARANTINED}, \
        "user-submitted, some reviewed as not blocked: they wait for the curator"


def test_a_record_every_opinion_of_which_is_negative_is_not_imported(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    negative = SimpleFetchedSignalMetadata([SignalOpinion(False, SignalOpinionCategory.NEGATIVE_CLASS, {"x"})])
    result = ImportResult()
    _import_one(session, clock, owner, bank, "pdq", AQUA, negative, "te", result)
    assert result.added == 0 and "false positive" in result.refused[0]
    assert service.list_entries(session, bank) == []
