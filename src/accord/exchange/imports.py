"""Any python-threatexchange exchange into an Accord bank, through python-threatexchange's own exchange classes.

The offline ones (``sample``: pytx's example signals; ``local_file``: ``<type> <value>`` lines) and the field's
feeds: Tech Against Terrorism's hash list (``tat``; credentials from ``PYTX_TAT_CREDENTIALS`` or
``~/.pytx_tat_credentials``, as pytx reads them) and StopNCII (``stop_ncii``; ``TX_STOPNCII_KEYS``). A record
every opinion of which is negative (a false positive) is not imported. Every signal passes the same door as a
local entry (bad hashes are refused with the reason) and waits in quarantine when the bank says so. The
exchange's tags become GIFCT labels where the bank vocabulary knows them (spelling normalised:
``Glorification-of terrorist acts`` is ``glorification_of_terrorist_acts``); every other tag (TCAP ideologies,
ThreatExchange's own tags) is kept in the entry's ``metadata.tags`` rather than refused.
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy.orm import Session
from threatexchange.exchanges import auth
from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.collab_config import CollaborationConfigBase, CollaborationConfigWithDefaults
from threatexchange.exchanges.impl import techagainstterrorism_api as tat_impl
from threatexchange.exchanges.impl.file_api import FileCollaborationConfig, LocalFileSignalExchangeAPI
from threatexchange.exchanges.impl.static_sample import StaticSampleSignalExchangeAPI
from threatexchange.exchanges.impl.stop_ncii_api import StopNCIISignalExchangeAPI
from threatexchange.exchanges.impl.techagainstterrorism_api import TATCheckpoint, TATSignalExchangeAPI
from threatexchange.exchanges.signal_exchange_api import SignalExchangeAPI

from accord.banks import service as banks
from accord.banks.models import Bank
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import Clock
from accord.errors import DomainError, InvalidInput
from accord.exchange.threatexchange import accord_name
from accord.identity.service import Principal
from accord.signals import SIGNAL_TYPES

EXCHANGES = ("sample", "local_file", "tat", "stop_ncii")


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
    try:
        for delta in api.fetch_iter(tx_types, None):
            api.naive_fetch_merge(merged, delta.updates)
    except requests.RequestException as exc:  # pytx's exchanges talk to their services through requests
        raise InvalidInput(f"the {collab.api} exchange could not be fetched: {exc}", field="api") from None
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
    opinions = list(metadata.get_as_opinions())
    if opinions and all(o.category == state.SignalOpinionCategory.NEGATIVE_CLASS for o in opinions):
        result.refused.append(f"{name} {value[:80]}: the exchange marks it a false positive")
        return
    labels, tags = split_labels({str(tag) for opinion in opinions for tag in opinion.tags})
    details = EntryDetails(labels=labels, metadata={"exchange": source, "tags": tags})
    try:
        banks.add_entries(session, clock, principal, bank, [NewSignal(name, value)], details,
                          origin=f"{source}#{name}:{value[:200]}", imported=True)
        result.added += 1
    except DomainError as exc:
        result.refused.append(f"{name} {value[:80]}: {exc.detail}")


def split_labels(tags: t.Iterable[str]) -> tuple[list[str], list[str]]:
    """(GIFCT labels the bank vocabulary accepts, every other tag as given): an unknown label is kept, not refused."""
    labels: set[str] = set()
    kept: set[str] = set()
    for tag in tags:
        label = _as_label(tag)
        if label is None:
            kept.add(tag)
        else:
            labels.add(label)
    return sorted(labels), sorted(kept)


def _as_label(tag: str) -> str | None:
    """The bank vocabulary's label for an exchange's tag, spelling normalised, or None."""
    candidate = re.sub(r"[\s\-]+", "_", tag.strip().lower())
    try:
        accepted = banks.check_details(EntryDetails(labels=[candidate]))
    except InvalidInput:
        return None
    return str(accepted.labels[0])


@dataclass
class TATSignalMetadata(state.FetchedSignalMetadata):
    """A TAT hash list record's ideology (``islamist``, ``far-right``), kept as an opinion tag."""

    ideology: str = ""

    def get_as_opinions(self) -> t.Sequence[state.SignalOpinion]:
        """TAT's analysts verified the content: positive, tagged with its ideology."""
        tags = {self.ideology} if self.ideology else set()
        return [state.SignalOpinion(False, state.SignalOpinionCategory.POSITIVE_CLASS, tags)]


class TATWithIdeology(TATSignalExchangeAPI):
    """python-threatexchange's ``tat`` exchange and client, keeping each record's ideology, which its own
    ``fetch_iter`` drops (its records carry no metadata)."""

    def fetch_iter(self, supported_signal_types: t.Sequence[type[t.Any]],
                   checkpoint: TATCheckpoint | None) -> t.Iterator[state.FetchDelta[t.Any, t.Any, t.Any]]:
        """The same pages, keys and checkpoints as pytx's, with the ideology in each kept record."""
        for page in self.get_client().fetch_hashes_iter(checkpoint.checkpoint if checkpoint else ""):
            updates = {}
            for record in page.results:
                key, kept = tat_impl._get_delta_mapping(record)
                if key[0]:
                    ideology = getattr(record.ideology, "value", record.ideology)
                    updates[key] = None if kept is None else TATSignalMetadata(str(ideology or ""))
            yield state.FetchDelta(updates, TATCheckpoint(page.checkpoint) if page.checkpoint else checkpoint)


def exchange_for(api: str, file: Path | None) -> tuple[AnyExchange, CollaborationConfigBase]:
    """One of python-threatexchange's exchanges: ``sample`` (its example signals), ``local_file``, ``tat``
    (Tech Against Terrorism's hash list) or ``stop_ncii``, the last two with pytx's own credentials lookup."""
    if api == "sample":
        collab = CollaborationConfigBase(name="pytx-sample", api="sample", enabled=True)
        return StaticSampleSignalExchangeAPI.for_collab(collab), collab
    if api == "local_file":
        if file is None:
            raise InvalidInput("the local_file exchange reads a file: pass --file", field="file")
        local = FileCollaborationConfig(name=f"file:{file.name}", filename=str(file.resolve()))
        return LocalFileSignalExchangeAPI.for_collab(local), local
    if api == "tat":
        tat = CollaborationConfigWithDefaults(name="tat", api="tat")
        return _authenticated(lambda: TATWithIdeology.for_collab(tat)), tat
    if api == "stop_ncii":
        ncii = CollaborationConfigBase(name="stop_ncii", api="stop_ncii", enabled=True)
        return _authenticated(lambda: StopNCIISignalExchangeAPI.for_collab(ncii)), ncii
    raise InvalidInput(f"api is one of {', '.join(EXCHANGES)}", field="api")


def _authenticated(make: t.Callable[[], AnyExchange]) -> AnyExchange:
    try:
        return make()
    except auth.SignalExchangeAPIMissingAuthException as missing:
        raise InvalidInput(missing.pretty_str().replace("\n", " "), field="api") from None
    except auth.SignalExchangeAPIInvalidAuthException as invalid:
        raise InvalidInput(invalid.message, field="api") from None
