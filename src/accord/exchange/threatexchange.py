"""Accord and python-threatexchange, both ways.

* ``AccordSignalExchangeAPI`` is a python-threatexchange ``SignalExchangeAPI`` over an Accord instance's feed,
  so the ``threatexchange`` CLI and HMA can fetch from Accord: ``threatexchange config extensions add
  accord.exchange.threatexchange``, then a collaboration with ``"api": "accord"`` and the instance URL; the API
  key comes from ``PYTX_ACCORD_API_KEY`` or ``~/.pytx_accord_api_key``.
* ``import_exchange`` reads any python-threatexchange exchange (its sample and local-file exchanges included)
  into an Accord bank, every signal through the same door as local entries.
"""

from __future__ import annotations

import json
import typing as t
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session
from threatexchange.exchanges import auth
from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.collab_config import CollaborationConfigBase, CollaborationConfigWithDefaults
from threatexchange.exchanges.impl.file_api import FileCollaborationConfig, LocalFileSignalExchangeAPI
from threatexchange.exchanges.impl.static_sample import StaticSampleSignalExchangeAPI
from threatexchange.exchanges.signal_exchange_api import SignalExchangeAPI, SignalExchangeAPIWithSimpleUpdates
from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest
from threatexchange.signal_type.signal_base import SignalType as TxSignalType

from accord.banks import service as banks
from accord.banks.labels import known_labels
from accord.banks.models import Bank
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import Clock
from accord.errors import DomainError, InvalidInput
from accord.exchange import signing
from accord.exchange.pull import feed_url
from accord.fetcher import FetchResult
from accord.identity.service import Principal
from accord.signals import SIGNAL_TYPES
from accord.signals.types import FileMD5Signal, FileSHA256Signal

API_NAME = "accord"
Fetch = Callable[[str, dict[str, str]], FetchResult]


def accord_name(tx_name: str) -> str | None:
    """Accord's name for a python-threatexchange signal type name (``raw_text`` -> ``text``)."""
    return next((name for name, st in SIGNAL_TYPES.items() if st.tx_type.get_name() == tx_name), None)


def tx_name(name: str) -> str:
    """python-threatexchange's name for an Accord signal type."""
    return str(SIGNAL_TYPES[name].tx_type.get_name())


# ---- Accord as a python-threatexchange exchange ------------------------------------------------------


@dataclass
class _AccordCollabRequired:
    url: str = field(metadata={"help": "the Accord instance's base URL (or its /v1/exchange/feed URL)"})


@dataclass
class AccordCollabConfig(CollaborationConfigWithDefaults, _AccordCollabRequired):
    """A collaboration reading one Accord instance's feed."""

    public_key: str = field(default="", metadata={"help": "the feed's Ed25519 public key (hex) to pin"})


@dataclass
class AccordCheckpoint(state.FetchCheckpointBase):
    """The feed cursor reached."""

    cursor: int = 0


@dataclass
class AccordSignalMetadata(state.FetchedSignalMetadata):
    """Where a signal came from in Accord, with its GIFCT labels as opinion tags."""

    bank: str = ""
    entry_id: int = 0
    labels: list[str] = field(default_factory=list)

    def get_as_opinions(self) -> t.Sequence[state.SignalOpinion]:
        """One positive opinion tagged with the entry's labels."""
        return [state.SignalOpinion(False, state.SignalOpinionCategory.POSITIVE_CLASS, set(self.labels))]


@dataclass
class AccordCredentials(auth.CredentialHelper):
    """An Accord API key with the ``banks:read`` scope."""

    ENV_VARIABLE: t.ClassVar[str] = "PYTX_ACCORD_API_KEY"
    FILE_NAME: t.ClassVar[str] = "~/.pytx_accord_api_key"

    api_key: str = ""

    @classmethod
    def _from_str(cls, s: str) -> AccordCredentials:
        return cls(s.strip())

    def _are_valid(self) -> bool:
        return bool(self.api_key)


_Delta = state.FetchDelta[tuple[str, str], AccordSignalMetadata, AccordCheckpoint]


class AccordSignalExchangeAPI(
    auth.SignalExchangeWithAuth[AccordCollabConfig, AccordCredentials],
    SignalExchangeAPIWithSimpleUpdates[AccordCollabConfig, AccordCheckpoint, AccordSignalMetadata],
):
    """Fetches an Accord instance's signed feed as python-threatexchange deltas."""

    def __init__(self, collab: AccordCollabConfig, api_key: str, fetcher: Fetch | None = None) -> None:
        """``fetcher(url, headers)`` defaults to Accord's guarded fetcher with this machine's settings."""
        self.collab = collab
        self.api_key = api_key
        self.fetcher = fetcher or _default_fetcher()

    @classmethod
    def get_name(cls) -> str:
        """The ``api`` value of a collaboration config."""
        return API_NAME

    @staticmethod
    def get_config_cls() -> type[AccordCollabConfig]:
        """The collaboration config dataclass."""
        return AccordCollabConfig

    @staticmethod
    def get_checkpoint_cls() -> type[AccordCheckpoint]:
        """The checkpoint dataclass."""
        return AccordCheckpoint

    @staticmethod
    def get_record_cls() -> type[AccordSignalMetadata]:
        """The per-signal metadata dataclass."""
        return AccordSignalMetadata

    @staticmethod
    def get_credential_cls() -> type[AccordCredentials]:
        """Where the API key comes from."""
        return AccordCredentials

    @classmethod
    def for_collab(cls, collab: AccordCollabConfig,
                   credentials: AccordCredentials | None = None) -> AccordSignalExchangeAPI:
        """An authenticated instance (credentials from the environment or the file when not given)."""
        credentials = credentials or AccordCredentials.get(cls)
        return cls(collab, credentials.api_key)

    def fetch_iter(self, supported_signal_types: Sequence[type[TxSignalType]],
                   checkpoint: AccordCheckpoint | None) -> Iterator[_Delta]:
        """Page through the feed from the checkpoint's cursor; removals are ``None`` updates."""
        wanted = {st.get_name() for st in supported_signal_types}
        cursor = checkpoint.cursor if checkpoint else 0
        while True:
            page = self._page(cursor)
            cursor = int(page["cursor"])
            yield _Delta(_updates(page["items"], wanted), AccordCheckpoint(cursor))
            if not page.get("more"):
                return

    def _page(self, cursor: int) -> dict[str, t.Any]:
        answer = self.fetcher(f"{feed_url(self.collab.url)}?cursor={cursor}",
                              {"Authorization": f"Bearer {self.api_key}"})
        if answer.status != 200:
            raise ValueError(f"the Accord feed answered HTTP {answer.status}")
        page: dict[str, t.Any] = json.loads(answer.body)
        key = self.collab.public_key or str(page.get("public_key", ""))
        signature = next((v for k, v in answer.headers.items() if k.lower() == signing.HEADER.lower()), "")
        signing.verify(key, answer.body, signature)
        return page


def _updates(items: Sequence[dict[str, t.Any]],
             wanted: set[str]) -> dict[tuple[str, str], AccordSignalMetadata | None]:
    """Feed items as python-threatexchange updates keyed by (signal type name, value)."""
    updates: dict[tuple[str, str], AccordSignalMetadata | None] = {}
    for item in items:
        doc = item["entry"]
        if item["op"] != "upsert" or doc["signal_type"] not in SIGNAL_TYPES:
            continue
        name = tx_name(doc["signal_type"])
        if name in wanted:
            updates[name, doc["value"]] = AccordSignalMetadata(doc["bank"], int(doc["id"]), list(doc["labels"]))
    return updates


def _default_fetcher() -> Fetch:
    from accord.fetcher import fetch
    from accord.settings import Settings

    settings = Settings()

    def get(url: str, headers: dict[str, str]) -> FetchResult:
        return fetch(url, settings, headers=headers)

    return get


TX_MANIFEST = ThreatExchangeExtensionManifest(
    signal_types=(FileMD5Signal, FileSHA256Signal), apis=(AccordSignalExchangeAPI,)
)


# ---- any python-threatexchange exchange into an Accord bank ------------------------------------------


@dataclass
class ImportResult:
    """What one import did."""

    added: int = 0
    refused: list[str] = field(default_factory=list)


AnyExchange = SignalExchangeAPI[t.Any, t.Any, t.Any, t.Any, t.Any]


def import_exchange(session: Session, clock: Clock, principal: Principal, bank: Bank, api: AnyExchange,
                    collab: CollaborationConfigBase) -> ImportResult:
    """Fetch everything ``api`` offers and add it to ``bank`` (quarantined when the bank says so)."""
    tx_types = [st.tx_type for st in SIGNAL_TYPES.values()]
    merged: dict[t.Any, t.Any] = {}
    for delta in api.fetch_iter(tx_types, None):
        api.naive_fetch_merge(merged, delta.updates)
    result = ImportResult()
    converted = api.naive_convert_to_signal_type(tx_types, collab, merged)
    for tx_type, signals in converted.items():
        name = accord_name(tx_type.get_name())
        for value, metadata in signals.items():
            _import_one(session, clock, principal, bank, name, value, metadata, collab.name, result)
    return result


def _import_one(session: Session, clock: Clock, principal: Principal, bank: Bank, name: str | None, value: str,
                metadata: state.FetchedSignalMetadata, source: str, result: ImportResult) -> None:
    if name is None:
        return
    tags = sorted({tag for opinion in metadata.get_as_opinions() for tag in opinion.tags})
    details = EntryDetails(labels=known_labels(tags), metadata={"exchange": source, "tags": tags})
    try:
        banks.add_entries(session, clock, principal, bank, [NewSignal(name, value)], details,
                          origin=f"{source}#{name}:{value[:200]}", imported=True)
        result.added += 1
    except DomainError as exc:
        result.refused.append(f"{name} {value[:80]}: {exc.detail}")


def offline_exchange(api: str, file: Path | None) -> tuple[AnyExchange, CollaborationConfigBase]:
    """python-threatexchange's offline exchanges: ``sample`` (its example signals) or ``local_file``."""
    if api == "sample":
        collab = CollaborationConfigBase(name="pytx-sample", api="sample", enabled=True)
        return StaticSampleSignalExchangeAPI.for_collab(collab), collab
    if api == "local_file":
        if file is None:
            raise InvalidInput("the local_file exchange reads a file: pass --file", field="file")
        local = FileCollaborationConfig(name=f"file:{file.name}", filename=str(file.resolve()))
        return LocalFileSignalExchangeAPI.for_collab(local), local
    raise InvalidInput("api is sample or local_file", field="api")
