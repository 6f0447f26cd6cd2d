"""Hosted matching for members who cannot hold the lists: a daily quota per key, every lookup counted for the
bank owner (in batches: a miss writes nothing in its request), and answers that carry the match, not the list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.app import create_app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity import service as identity
from accord.matching.models import LookupCount
from accord.settings import Settings
from accord.web.state import AppState
from tests.factories import TEST_ACTOR, OrgHandle, make_org
from tests.unit.banks.helpers import PDQ_A, PDQ_B, bank_with, flip, principal

QUOTA = 4


@pytest.fixture
def hosted(settings: Settings, clock: FrozenClock) -> Iterator[tuple[TestClient, AppState]]:
    app = create_app(settings.model_copy(update={"match_quota_per_key_per_day": QUOTA,
                                                  "lookup_audit_flush_seconds": 60}), clock, role="matcher")
    with TestClient(app) as client:
        yield client, app.state.accord
    app.state.accord.engine.dispose()


@pytest.fixture
def parties(factory: sessionmaker[Session], clock: FrozenClock) -> tuple[OrgHandle, OrgHandle, dict[str, str]]:
    """A coordinator's bank shared with all, and a provider's key that may only match."""
    with unit_of_work(factory) as session:
        hub, provider = make_org(session, clock, "coordinator"), make_org(session, clock, "provider")
        bank_with(session, clock, principal(hub), "hub-list", values=(PDQ_A,), visibility="all")
        bank_with(session, clock, principal(provider), "own-private", values=(PDQ_B,))
        key, plain = identity.create_key(session, clock, TEST_ACTOR, org_id=provider.id, scopes=["match"])
    return hub, provider, {"Authorization": f"Bearer {plain}", "X-Key-Ref": f"key:{key.prefix}"}


def _lookup(client: TestClient, headers: dict[str, str], value: str, **extra: object) -> Response:
    response: Response = client.post("/v1/match", headers={"Authorization": headers["Authorization"]},
                                     json={"signals": [{"type": "pdq", "value": value}], **extra})
    return response


def _rows(factory: sessionmaker[Session]) -> int:
    with unit_of_work(factory) as session:
        return session.scalar(select(func.count()).select_from(LookupCount)) or 0


def test_lookups_are_counted_for_the_owner_in_batches_and_limited_per_day(
    hosted: tuple[TestClient, AppState], parties: tuple[OrgHandle, OrgHandle, dict[str, str]],
    factory: sessionmaker[Session], clock: FrozenClock,
) -> None:
    client, state = hosted
    hub, provider, key = parties
    miss = _lookup(client, key, flip(PDQ_A, 128))
    assert miss.status_code == 200 and miss.json()["matches"] == []
    hit = _lookup(client, key, flip(PDQ_A, 5))
    assert [m["bank"] for m in hit.json()["matches"]] == ["hub-list"]
    assert _rows(factory) == 0 and state.lookup_flush is None  # nothing written by either request

    clock.advance(timedelta(seconds=61))
    assert _lookup(client, key, flip(PDQ_A, 128)).status_code == 200
    assert state.lookup_flush is not None
    state.lookup_flush.join(timeout=30)
    audit = client.get("/v1/banks/hub-list/lookups", headers=hub.headers)
    assert audit.status_code == 200, audit.text
    assert audit.json()["lookups"] == [{"org_id": provider.id, "key": key["X-Key-Ref"], "lookups": 3, "hits": 1}]
    assert client.get("/v1/banks/hub-list/lookups", headers=provider.headers).status_code == 404  # not its bank

    assert _lookup(client, key, flip(PDQ_A, 128)).status_code == 200  # the 4th
    refused = _lookup(client, key, flip(PDQ_A, 128))
    assert refused.status_code == 429
    body = refused.json()
    assert body["type"].endswith("/quota-exceeded") and 0 < body["retry_after"] <= 86_400
    batch = client.post("/v1/match", headers=provider.headers, json={"items": [
        {"signals": [{"type": "pdq", "value": flip(PDQ_A, 100)}]}] * 5})
    assert batch.status_code == 429  # another key of the provider has its own quota, and 5 items count 5
    clock.advance(timedelta(days=1))
    assert _lookup(client, key, flip(PDQ_A, 128)).status_code == 200  # a new day


def test_answers_carry_the_match_and_never_the_list(
    hosted: tuple[TestClient, AppState], parties: tuple[OrgHandle, OrgHandle, dict[str, str]],
) -> None:
    client, state = hosted
    state.lookup_ledger.quota_per_day = 1_000  # room for the probes below
    hub, _, key = parties
    [match] = _lookup(client, key, flip(PDQ_A, 7)).json()["matches"]
    assert match["value"] is None and match["query"] == flip(PDQ_A, 7) and match["distance"] == 7
    assert match["note"] is None and match["labels"] == ["glorification_of_terrorist_acts"]
    reader = client.post("/v1/match", headers=hub.headers, json={"signals": [{"type": "pdq", "value": flip(PDQ_A, 7)}]})
    assert reader.json()["matches"][0]["value"] == PDQ_A  # the owner holds its list anyway

    # Random probes find nothing: a miss says only that nothing matched (no nearest entry, no distance, no count).
    rng = np.random.default_rng(11)
    probes = [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(200)]
    batch = client.post("/v1/match", headers=hub.headers, json={"items": [
        {"signals": [{"type": "pdq", "value": p}]} for p in probes]})
    assert batch.status_code == 200
    assert {tuple(sorted(r)) for r in batch.json()["results"]} == {("action", "case_id", "matches", "suppressed_by")}
    assert all(r["matches"] == [] and r["case_id"] is None for r in batch.json()["results"])

    # A bank the caller cannot see answers exactly as one that does not exist.
    hidden = _lookup(client, {"Authorization": hub.headers["Authorization"]}, PDQ_B, banks=["own-private"])
    absent = _lookup(client, {"Authorization": hub.headers["Authorization"]}, PDQ_B, banks=["no-such-bank"])
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"].replace("own-private", "X") == absent.json()["detail"].replace("no-such-bank", "X")
