"""``accord exchange pull URL``: follow another Accord instance's feed into a local bank.

Every page is fetched through the guarded fetcher and its Ed25519 signature checked against the key pinned on
the first pull. Entries arrive through the same door as local ones (bad hashes are counted and skipped, never
indexed) and wait in quarantine when the bank says so; removals upstream disable the local copy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.banks import service as banks
from accord.banks.models import Bank, BankEntry, EntryState, ExchangeSubscription
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import Clock
from accord.db import new_id
from accord.errors import DomainError, InvalidInput
from accord.exchange import signing
from accord.fetcher import FetchResult, fetch
from accord.identity.service import Principal
from accord.settings import Settings

FEED_PATH = "/v1/exchange/feed"
MAX_PAGES = 1000

Fetch = Callable[..., FetchResult]


@dataclass
class PullResult:
    """What one pull did."""

    upserted: int = 0
    removed: int = 0
    refused: list[str] = field(default_factory=list)
    cursor: int = 0
    pages: int = 0


def feed_url(url: str) -> str:
    """Accept an instance's base URL or its feed URL."""
    base = url.rstrip("/")
    return base if base.endswith(FEED_PATH) else base + FEED_PATH


def pull(session: Session, clock: Clock, settings: Settings, principal: Principal, *, url: str, api_key: str,
         bank_name: str, public_key: str | None = None, fetcher: Fetch = fetch) -> PullResult:
    """Pull every page past the stored cursor into ``bank_name`` (created private if missing)."""
    bank = _bank(session, clock, principal, bank_name)
    subscription = _subscription(session, bank, feed_url(url), public_key)
    result = PullResult(cursor=subscription.cursor)
    for _ in range(MAX_PAGES):
        page = _fetch_page(settings, subscription, api_key, fetcher)
        for item in page["items"]:
            _apply(session, clock, principal, bank, subscription.url, item, result)
        subscription.cursor = result.cursor = int(page["cursor"])
        result.pages += 1
        if not page.get("more"):
            break
    subscription.last_pulled_at = clock.now()
    session.flush()
    return result


def _bank(session: Session, clock: Clock, principal: Principal, name: str) -> Bank:
    existing = session.scalar(select(Bank).where(Bank.org_id == principal.org_id, Bank.name == name))
    return existing or banks.create_bank(session, clock, principal, name=name,
                                         description="Pulled from another Accord instance's feed")


def _subscription(session: Session, bank: Bank, url: str, public_key: str | None) -> ExchangeSubscription:
    found = session.scalar(
        select(ExchangeSubscription).where(ExchangeSubscription.bank_id == bank.id, ExchangeSubscription.url == url)
    )
    if found is None:
        found = ExchangeSubscription(id=new_id("sub"), bank_id=bank.id, url=url, public_key=public_key or "",
                                     cursor=0)
        session.add(found)
    elif public_key and found.public_key != public_key:
        raise InvalidInput("the given public key differs from the one pinned for this feed", field="public_key")
    return found


def _fetch_page(settings: Settings, subscription: ExchangeSubscription, api_key: str,
                fetcher: Fetch) -> dict[str, Any]:
    answer = fetcher(f"{subscription.url}?cursor={subscription.cursor}", settings,
                     headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"})
    if answer.status != 200:
        raise InvalidInput(f"the feed answered HTTP {answer.status}", field="url")
    try:
        page: dict[str, Any] = json.loads(answer.body)
    except ValueError:
        raise InvalidInput("the feed answer is not JSON", field="url") from None
    if not subscription.public_key:
        subscription.public_key = str(page.get("public_key", ""))  # trust on first use, pinned from now on
    signing.verify(subscription.public_key, answer.body, _header(answer.headers, signing.HEADER))
    return page


def _header(headers: dict[str, str], name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), "")


def _apply(session: Session, clock: Clock, principal: Principal, bank: Bank, url: str, item: dict[str, Any],
           result: PullResult) -> None:
    doc = item.get("entry") or {}
    origin = f"{url}#{doc.get('id')}"
    local = session.scalar(select(BankEntry).where(BankEntry.bank_id == bank.id, BankEntry.origin == origin))
    if item.get("op") == "remove":
        if local is not None:
            banks.withdraw_entry(session, clock, principal, bank, local)
            result.removed += 1
        return
    try:
        _upsert(session, clock, principal, bank, doc, origin, local)
        result.upserted += 1
    except DomainError as exc:
        result.refused.append(f"{doc.get('signal_type')} {str(doc.get('value'))[:80]}: {exc.detail}")


def _details(doc: dict[str, Any]) -> EntryDetails:
    return EntryDetails(labels=list(doc.get("labels") or []), incident_tags=list(doc.get("incident_tags") or []),
                        entity=doc.get("entity"), list_source=doc.get("list_source"),
                        metadata={**(doc.get("metadata") or {}), "source_owner": doc.get("owner", "")})


def _upsert(session: Session, clock: Clock, principal: Principal, bank: Bank, doc: dict[str, Any], origin: str,
            local: BankEntry | None) -> None:
    details = banks.check_details(_details(doc))
    if local is None:
        signal = NewSignal(str(doc.get("signal_type")), str(doc.get("value")),
                           tuple(str(v) for v in doc.get("variants") or []))
        banks.add_entries(session, clock, principal, bank, [signal], details, origin=origin, imported=True)
        return
    local.labels, local.incident_tags = sorted(set(details.labels)), sorted(set(details.incident_tags))
    local.entity, local.list_source, local.metadata_ = details.entity, details.list_source, details.metadata
    op = "update"
    if local.state == EntryState.DISABLED:  # withdrawn upstream, now back: through quarantine again
        local.state = EntryState.QUARANTINED if bank.quarantine_imports else EntryState.ACTIVE
        op = "enable"
    local.updated_at = clock.now()
    banks.log_change(session, clock, local, op)
