"""Accord as a python-threatexchange SignalExchangeAPI: the feed as deltas, opinions as verdicts, signing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session
from threatexchange.exchanges.fetch_state import SignalOpinion, SignalOpinionCategory
from threatexchange.exchanges.signal_exchange_api import SignalExchangeAPI
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from accord.banks import service
from accord.clock import FrozenClock
from accord.errors import InvalidInput
from accord.exchange import feed, signing
from accord.exchange.threatexchange import (
    AccordCheckpoint,
    AccordCollabConfig,
    AccordExchangeError,
    AccordSignalExchangeAPI,
    Answer,
    opinion_verdict,
)
from accord.settings import Settings
from tests.unit.banks.helpers import PDQ_A, PDQ_B, bank_with, org


def _fetcher(session: Session, settings: Settings, org_id: str, tamper: bool = False):  # type: ignore[no-untyped-def]
    def get(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Answer:
        assert (method, headers["Authorization"]) == ("GET", "Bearer key")
        cursor = int(url.rsplit("cursor=", 1)[1])
        page = feed.build_page(session, org_id, cursor=cursor, limit=2, public_key=signing.public_key_hex(settings))
        answer = json.dumps(page).encode()
        signature = signing.sign(settings, answer + (b" " if tamper else b""))
        return Answer(200, {signing.HEADER: signature}, answer)

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
    entry_b = next(e for e in service.list_entries(session, bank) if e.value == PDQ_B)
    service.change_entry_state(session, clock, hub, bank, entry_b, "disable")
    [removal] = api.fetch_iter([PdqSignal], deltas[-1].checkpoint)
    assert removal.updates == {("pdq", PDQ_B): None}, "a withdrawal reaches pytx as a deletion"


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


@pytest.mark.parametrize(("category", "tags", "verdict"), [
    (SignalOpinionCategory.POSITIVE_CLASS, {"glorification_of_terrorist_acts"}, "agree"),
    (SignalOpinionCategory.POSITIVE_CLASS, {"false_positive", "x"}, "disagree"),
    (SignalOpinionCategory.NEGATIVE_CLASS, set(), "disagree"),
    (SignalOpinionCategory.INVESTIGATION_SEED, set(), "seen"),
])
def test_opinions_become_verdicts(category: SignalOpinionCategory, tags: set[str], verdict: str) -> None:
    found, labels = opinion_verdict(SignalOpinion(True, category, tags))
    assert found == verdict and "false_positive" not in labels and set(labels) == tags - {"false_positive"}


def test_an_opinion_is_posted_to_the_instance() -> None:
    sent: list[tuple[str, str, dict[str, object]]] = []

    def post(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Answer:
        sent.append((method, url, json.loads(body or b"{}")))
        return Answer(404, {}, b'{"detail": "no entry matches"}') if len(sent) > 1 else Answer(200, {}, b"{}")

    api = AccordSignalExchangeAPI(AccordCollabConfig(name="hub", url="https://hub.example/v1/exchange/feed"),
                                  "key", post)
    api.report_opinion(PdqSignal, PDQ_A, SignalOpinion(True, SignalOpinionCategory.POSITIVE_CLASS, {"a"}))
    assert sent == [("POST", "https://hub.example/v1/exchange/opinions",
                     {"signal_type": "pdq", "value": PDQ_A, "opinion": "agree", "labels": ["a"]})]
    with pytest.raises(AccordExchangeError, match="404: no entry matches"):
        api.report_seen(PdqSignal, PDQ_A)


def test_text_signals_reach_python_threatexchange_under_its_names(session: Session, clock: FrozenClock,
                                                                  settings: Settings) -> None:
    """A banked document's text_tlsh arrives as python-threatexchange's own ``TextTLSHSignal`` (its extension's
    name), and the containment fingerprints as Accord's type, comparable by its ``compare_hash``."""
    from threatexchange.extensions.tlsh.text_tlsh import TextTLSHSignal

    from accord.signals import SIGNAL_TYPES
    from accord.signals.text import TextContainmentSignal, text_signals
    from tests.unit.matching.test_contract import synthetic_text

    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    bank = bank_with(session, clock, hub, values=(PDQ_A,), visibility="all")
    signals = dict(text_signals(synthetic_text(5)).signals)
    service.add_entries(session, clock, hub, bank, [service.NewSignal(kind, value) for kind, value in signals.items()],
                        service.EntryDetails(labels=["glorification_of_terrorist_acts"]))
    tlsh_type, containment_type = SIGNAL_TYPES["text_tlsh"].tx_type, SIGNAL_TYPES["text_containment"].tx_type
    assert tlsh_type.get_name() == TextTLSHSignal.get_name() == "text_tlsh"
    collab = AccordCollabConfig(name="hub", url="https://hub.example")
    api = AccordSignalExchangeAPI(collab, "key", _fetcher(session, settings, provider.org_id))
    merged: dict[object, object] = {}
    for delta in api.fetch_iter([tlsh_type, containment_type], None):
        api.naive_fetch_merge(merged, delta.updates)  # type: ignore[arg-type]
    converted = api.naive_convert_to_signal_type([tlsh_type, containment_type], collab, merged)  # type: ignore[arg-type]
    assert set(converted[tlsh_type]) == {signals["text_tlsh"]}
    [fingerprints] = converted[containment_type]
    assert TextContainmentSignal.compare_hash(fingerprints, signals["text_containment"]).match
