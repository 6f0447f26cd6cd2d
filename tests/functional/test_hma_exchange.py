"""Accord as an exchange type of Hasher-Matcher-Actioner, loaded and fetched the way HMA does it.

HMA (OpenMediaMatch 1.1.x) lists its exchange types in its config's ``STORAGE_IFACE_INSTANCE``; docs/exchange.md
shows the line that adds Accord's, taken from python-threatexchange's extension manifest. This test follows HMA's
own steps through python-threatexchange's storage interface (``ISignalExchangeStore``, which HMA's Postgres store
and pytx's ``DBMStore`` both implement): create the exchange from ``{"api": ..., "api_json": ...}`` as
``POST /c/exchanges`` does, set credentials from ``credential_json`` as ``POST /c/exchanges/api/<api>`` does, get
the client, fetch from the stored checkpoint, commit every delta, then build python-threatexchange's own index
types from the stored signals (HMA's indexer) and look a photo up - against a live Accord server.
"""

from __future__ import annotations

import dataclasses
import pickle
import typing as t
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from threatexchange.content_type.photo import PhotoContent
from threatexchange.content_type.video import VideoContent
from threatexchange.exchanges.impl.static_sample import StaticSampleSignalExchangeAPI
from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.signal_base import SignalType
from threatexchange.storage.local_dbm import DBMStore
from threatexchange.utils import dataclass_json

from accord.clock import FrozenClock
from accord.exchange.threatexchange import AccordSignalMetadata
from tests.conftest import LiveServer
from tests.functional.test_pytx_cli import AGREED, BANK, DISPUTED, UNKNOWN, Hub, pdq_of, seed_hub

SIGNAL_TYPES: list[type[SignalType]] = [PdqSignal, VideoMD5Signal]


def hma_store(folder: Path) -> DBMStore:
    """The store of an HMA config with Accord added to its exchange types, as docs/exchange.md shows."""
    manifest = ThreatExchangeExtensionManifest.load_from_module_name("accord.exchange.threatexchange")
    return DBMStore(folder, signal_types=SIGNAL_TYPES, content_types=[PhotoContent, VideoContent],
                    exchange_types=[StaticSampleSignalExchangeAPI, *manifest.apis])


def create_exchange(store: DBMStore, bank: str, api: str, api_json: dict[str, t.Any]) -> None:
    """``POST /c/exchanges {"bank", "api", "api_json"}``."""
    api_type = store.exchange_types[api]
    body = {**api_json, "name": bank, "enabled": True, "api": api}
    store.exchange_update(dataclass_json.dataclass_load_dict(body, api_type.get_config_cls()), create=True)


def set_credentials(store: DBMStore, api: str, credential_json: dict[str, t.Any]) -> None:
    """``POST /c/exchanges/api/<api> {"credential_json"}``."""
    config = store.exchange_apis_get_configs()[api]
    config.set_credentials_from_json_dict(credential_json)
    store.exchange_api_config_update(config)


def fetch(store: DBMStore, name: str, content: dict[t.Any, bytes]) -> int:
    """HMA's fetcher for one collaboration; ``content`` plays HMA's exchange_data table (pickled metadata)."""
    collab = store.exchanges_get()[name]
    client = store.exchange_get_client(collab)
    checkpoint = store.exchange_get_fetch_checkpoint(name)
    deltas = 0
    for delta in client.fetch_iter(SIGNAL_TYPES, checkpoint):
        store.exchange_commit_fetch(collab, checkpoint, delta.updates, delta.checkpoint)
        for key, value in delta.updates.items():
            if value is None:
                content.pop(key, None)
            else:
                content[key] = pickle.dumps(value)
        checkpoint, deltas = delta.checkpoint, deltas + 1
    return deltas


def build_indices(store: DBMStore, name: str, content: dict[t.Any, bytes]) -> dict[type[SignalType], t.Any]:
    """HMA's indexer: every stored signal into its signal type's own index class, stored and loaded again."""
    collab = store.exchanges_get()[name]
    api_cls = store.exchange_types[collab.api]
    records = {key: pickle.loads(blob) for key, blob in content.items()}
    converted = api_cls.naive_convert_to_signal_type(SIGNAL_TYPES, collab, records)
    built = {st: st.get_index_cls().build(list(values.items())) for st, values in converted.items()}
    return {st: pickle.loads(pickle.dumps(index)) for st, index in built.items()}


def test_hma_loads_fetches_and_indexes_accord(app: FastAPI, factory: sessionmaker[Session], clock: FrozenClock,
                                              tmp_path: Path, live_server: LiveServer) -> None:
    hub: Hub = seed_hub(factory, clock)
    store = hma_store(tmp_path)
    assert "accord" in store.exchange_apis_get_configs(), "GET /c/exchanges/apis lists it"
    config_cls = store.exchange_types["accord"].get_config_cls()
    assert all(isinstance(f.type, type) for f in dataclasses.fields(config_cls)), \
        "HMA's exchange schema and pytx's CLI read real types from the config fields"
    create_exchange(store, "ACCORD_HUB", "accord", {"url": live_server.url})
    set_credentials(store, "accord", {"api_key": hub.provider.key})

    content: dict[t.Any, bytes] = {}
    assert fetch(store, "ACCORD_HUB", content) == 1
    indices = build_indices(store, "ACCORD_HUB", content)
    [found] = indices[PdqSignal].query(pdq_of(AGREED))
    assert isinstance(found.metadata, AccordSignalMetadata) and found.metadata.entry_id == hub.entries["agreed"]
    assert found.similarity_info.distance == 0 and found.metadata.labels == ["glorification_of_terrorist_acts"]
    assert indices[PdqSignal].query(pdq_of(UNKNOWN)) == []
    stored = store.exchange_get_data("ACCORD_HUB", ("pdq", pdq_of(DISPUTED)))
    assert stored == AccordSignalMetadata(BANK, hub.entries["disputed"], ["glorification_of_terrorist_acts"])

    disabled = httpx.post(f"{live_server.url}/v1/banks/{BANK}/entries/{hub.entries['disputed']}/disable",
                          headers=hub.owner.headers, json={"reason": "not terrorist content"})
    assert disabled.status_code == 200, disabled.text
    assert fetch(store, "ACCORD_HUB", content) == 1, "from the stored checkpoint"
    indices = build_indices(store, "ACCORD_HUB", content)
    assert indices[PdqSignal].query(pdq_of(DISPUTED)) == [], "a withdrawal upstream leaves HMA's index"
    assert len(indices[PdqSignal].query(pdq_of(AGREED))) == 1
