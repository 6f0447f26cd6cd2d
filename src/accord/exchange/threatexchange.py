"""Accord as a python-threatexchange exchange: the ``threatexchange`` CLI and HMA fetch from Accord and write
members' opinions back to it.

``threatexchange config extensions add accord.exchange.threatexchange`` loads ``TX_MANIFEST``; a collaboration
with ``"api": "accord"`` and the instance URL then fetches the instance's signed feed, and
``report_opinion`` / ``report_seen`` send a member's verdict on a signal back as a vote on the matching bank
entries (``POST /v1/exchange/opinions``). The API key comes from ``PYTX_ACCORD_API_KEY`` or
``~/.pytx_accord_api_key`` (or, in HMA, from the exchange API's stored credentials).

This module deliberately does NOT use ``from __future__ import annotations``: python-threatexchange's CLI
builds its argument parser from each config dataclass field's ``field.type``, and HMA's exchange schema reads
them too; under postponed evaluation those are strings and the CLI crashes (``'str' object has no attribute
'__name__'``) on every command once the extension is added. A test pins it (tests/functional/test_pytx_cli.py).
It also imports nothing from Accord's database layers, so the CLI loads it quickly and without Accord's
settings.
"""

import json
import typing as t
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import httpx
from threatexchange.exchanges import auth
from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.collab_config import CollaborationConfigWithDefaults
from threatexchange.exchanges.signal_exchange_api import SignalExchangeAPIWithSimpleUpdates
from threatexchange.extensions.manifest import ThreatExchangeExtensionManifest
from threatexchange.signal_type.signal_base import SignalType as TxSignalType

from accord.exchange import signing
from accord.signals import SIGNAL_TYPES
from accord.signals.types import FileMD5Signal, FileSHA256Signal

API_NAME = "accord"
FEED_PATH = "/v1/exchange/feed"
OPINIONS_PATH = "/v1/exchange/opinions"
TIMEOUT_SECONDS = 30.0
# pytx's label command only sends positive opinions (1.2.17 and upstream main); ThreatExchange's own word for a
# signal that matched the wrong content is this tag, so `label -l false_positive` is a "disagree".
FALSE_POSITIVE_TAG = "false_positive"


@dataclass(frozen=True)
class Answer:
    """What an HTTP call to the Accord instance answered."""

    status: int
    headers: dict[str, str]
    body: bytes


Transport = Callable[[str, str, dict[str, str], bytes | None], Answer]


class AccordExchangeError(Exception):
    """The Accord instance refused a call (the message carries its problem+json detail)."""


def accord_name(tx_name: str) -> str | None:
    """Accord's name for a python-threatexchange signal type name (``raw_text`` -> ``text``)."""
    return next((name for name, st in SIGNAL_TYPES.items() if st.tx_type.get_name() == tx_name), None)


def tx_name(name: str) -> str:
    """python-threatexchange's name for an Accord signal type."""
    return str(SIGNAL_TYPES[name].tx_type.get_name())


def base_url(url: str) -> str:
    """The instance's base URL, whether given as such or as its feed URL."""
    base = url.rstrip("/")
    return base.removesuffix(FEED_PATH)


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

    def __str__(self) -> str:
        """What ``threatexchange match`` prints: the opinion, then where the entry lives in Accord."""
        return f"{super().__str__()} bank={self.bank!r} entry_id={self.entry_id}"


@dataclass
class AccordCredentials(auth.CredentialHelper):
    """An Accord API key: ``banks:read`` to fetch, ``banks:write`` to send opinions back."""

    ENV_VARIABLE: t.ClassVar[str] = "PYTX_ACCORD_API_KEY"
    FILE_NAME: t.ClassVar[str] = "~/.pytx_accord_api_key"

    api_key: str = field(default="", metadata={"help": "an Accord API key (acc_...)"})

    @classmethod
    def _from_str(cls, s: str) -> "AccordCredentials":
        return cls(s.strip())

    def _are_valid(self) -> bool:
        return bool(self.api_key)


_Delta = state.FetchDelta[tuple[str, str], AccordSignalMetadata, AccordCheckpoint]


class AccordSignalExchangeAPI(
    auth.SignalExchangeWithAuth[AccordCollabConfig, AccordCredentials],
    SignalExchangeAPIWithSimpleUpdates[AccordCollabConfig, AccordCheckpoint, AccordSignalMetadata],
):
    """Fetches an Accord instance's signed feed as python-threatexchange deltas; sends opinions back."""

    def __init__(self, collab: AccordCollabConfig, api_key: str, transport: Transport | None = None) -> None:
        """``transport(method, url, headers, body)`` defaults to plain HTTP(S) with a timeout."""
        self.collab = collab
        self.api_key = api_key
        self.transport = transport or http_transport

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
                   credentials: AccordCredentials | None = None) -> "AccordSignalExchangeAPI":
        """An authenticated instance (credentials from HMA's store, the environment or the file when not given)."""
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

    def report_opinion(self, s_type: type[TxSignalType], signal: str, opinion: state.SignalOpinion) -> None:
        """A member's verdict on a signal, as a vote on every entry it matches: positive -> agree; negative
        (or tagged ``false_positive``) -> disagree; an investigation seed -> seen."""
        verdict, labels = opinion_verdict(opinion)
        self._post_opinion(s_type, signal, verdict, labels)

    def report_seen(self, s_type: type[TxSignalType], signal: str,
                    metadata: state.FetchedSignalMetadata | None = None) -> None:
        """The member saw this signal on its service (pytx's ``report_seen``, commented out in its base)."""
        self._post_opinion(s_type, signal, "seen", [])

    def _post_opinion(self, s_type: type[TxSignalType], signal: str, verdict: str, labels: list[str]) -> None:
        body = json.dumps({"signal_type": s_type.get_name(), "value": signal, "opinion": verdict,
                           "labels": labels}).encode()
        answer = self._call("POST", base_url(self.collab.url) + OPINIONS_PATH, body)
        if answer.status != 200:
            raise _refusal(self, answer)

    def _page(self, cursor: int) -> dict[str, t.Any]:
        answer = self._call("GET", f"{base_url(self.collab.url)}{FEED_PATH}?cursor={cursor}", None)
        if answer.status != 200:
            raise _refusal(self, answer)
        page: dict[str, t.Any] = json.loads(answer.body)
        key = self.collab.public_key or str(page.get("public_key", ""))
        signature = next((v for k, v in answer.headers.items() if k.lower() == signing.HEADER.lower()), "")
        signing.verify(key, answer.body, signature)
        return page

    def _call(self, method: str, url: str, body: bytes | None) -> Answer:
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.transport(method, url, headers, body)


def opinion_verdict(opinion: state.SignalOpinion) -> tuple[str, list[str]]:
    """(``agree`` | ``disagree`` | ``seen``, the other labels) for a python-threatexchange opinion."""
    tags = {str(tag) for tag in opinion.tags}
    labels = sorted(tags - {FALSE_POSITIVE_TAG})
    if opinion.category == state.SignalOpinionCategory.NEGATIVE_CLASS or FALSE_POSITIVE_TAG in tags:
        return "disagree", labels
    if opinion.category == state.SignalOpinionCategory.INVESTIGATION_SEED:
        return "seen", labels
    return "agree", labels


def _refusal(api: AccordSignalExchangeAPI, answer: Answer) -> Exception:
    detail = _problem_detail(answer.body)
    if answer.status in (401, 403):
        return auth.SignalExchangeAPIInvalidAuthException(type(api), f"Accord answered {answer.status}: {detail}")
    return AccordExchangeError(f"Accord answered HTTP {answer.status}: {detail}")


def _problem_detail(body: bytes) -> str:
    try:
        problem = json.loads(body)
    except ValueError:
        return body[:200].decode(errors="replace")
    return str(problem.get("detail") or problem.get("title") or "") if isinstance(problem, dict) else ""


def _updates(items: Sequence[dict[str, t.Any]],
             wanted: set[str]) -> dict[tuple[str, str], AccordSignalMetadata | None]:
    """Feed items as python-threatexchange updates keyed by (signal type name, value)."""
    updates: dict[tuple[str, str], AccordSignalMetadata | None] = {}
    for item in items:
        doc = item["entry"]
        if doc.get("signal_type") not in SIGNAL_TYPES or "value" not in doc:
            continue
        name = tx_name(doc["signal_type"])
        if name not in wanted:
            continue
        removed = item["op"] != "upsert"
        metadata = None if removed else AccordSignalMetadata(doc["bank"], int(doc["id"]), list(doc["labels"]))
        updates[name, doc["value"]] = metadata
    return updates


def http_transport(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Answer:
    """Plain HTTP(S): the URL is the operator's own configuration (a collaboration), not a user's input."""
    response = httpx.request(method, url, headers=headers, content=body, timeout=TIMEOUT_SECONDS,
                             follow_redirects=False)
    return Answer(response.status_code, dict(response.headers), response.content)


TX_MANIFEST = ThreatExchangeExtensionManifest(
    signal_types=(FileMD5Signal, FileSHA256Signal), apis=(AccordSignalExchangeAPI,)
)
