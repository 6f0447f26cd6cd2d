"""Issue 21, item 9: a key revoking itself must confirm; a bank name cannot shadow a bank shared with its owner;
``/v1/matching/status`` counts only what the caller may see."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity.service import create_key
from tests.factories import TEST_ACTOR, OrgHandle, make_org
from tests.unit.banks.helpers import PDQ_A, PDQ_B, flip

PROBLEM = "application/problem+json"


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"hub": make_org(session, clock, "coordinator"), "a": make_org(session, clock),
                "b": make_org(session, clock)}


def _prefix(handle: OrgHandle) -> str:
    return handle.key.split("_")[1]


def test_a_key_revokes_itself_only_when_it_confirms(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    a = orgs["a"]
    refused = client.post(f"/v1/keys/{_prefix(a)}/revoke", headers=a.headers)
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
    assert refused.json()["field"] == "confirm"
    assert client.get("/v1/me", headers=a.headers).status_code == 200, "the key still works"
    confirmed = client.post(f"/v1/keys/{_prefix(a)}/revoke", params={"confirm": "true"}, headers=a.headers)
    assert confirmed.status_code == 200 and confirmed.json()["revoked_at"]
    assert client.get("/v1/me", headers=a.headers).status_code == 401


def test_another_admin_key_revokes_without_confirming(client: TestClient, orgs: dict[str, OrgHandle],
                                                      factory: sessionmaker[Session], clock: FrozenClock) -> None:
    a = orgs["a"]
    with unit_of_work(factory) as session:
        _, second = create_key(session, clock, TEST_ACTOR, org_id=a.id)
    revoked = client.post(f"/v1/keys/{_prefix(a)}/revoke", headers={"Authorization": f"Bearer {second}"})
    assert revoked.status_code == 200
    assert client.get("/v1/me", headers=a.headers).status_code == 401


def _bank(client: TestClient, who: OrgHandle, name: str, **body: object) -> str:
    answer = client.post("/v1/banks", json={"name": name, **body}, headers=who.headers)
    assert answer.status_code == 201, answer.text
    bank_id: str = answer.json()["id"]
    return bank_id


def test_a_private_bank_cannot_shadow_a_shared_one(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    hub, a, b = orgs["hub"], orgs["a"], orgs["b"]
    _bank(client, hub, "incident-2026-03", visibility="shared", shared_with=[a.id])
    shadow = client.post("/v1/banks", json={"name": "incident-2026-03"}, headers=a.headers)
    assert shadow.status_code == 409 and shadow.headers["content-type"] == PROBLEM
    assert shadow.json()["field"] == "name"
    _bank(client, b, "incident-2026-03")  # b does not see the hub's bank: the name is free for it


def test_a_name_two_visible_banks_share_is_refused_not_guessed(client: TestClient,
                                                                orgs: dict[str, OrgHandle]) -> None:
    hub, a = orgs["hub"], orgs["a"]
    mine = _bank(client, a, "watchlist")
    shared = _bank(client, hub, "watchlist", visibility="all")  # shared after a named its own alike
    ambiguous = client.get("/v1/banks/watchlist", headers=a.headers)
    assert ambiguous.status_code == 409 and mine in ambiguous.json()["detail"] and shared in ambiguous.json()["detail"]
    assert client.get(f"/v1/banks/{mine}", headers=a.headers).json()["id"] == mine
    assert client.get("/v1/banks/watchlist", headers=hub.headers).json()["id"] == shared


def _entries(client: TestClient, who: OrgHandle, bank: str, values: list[str]) -> None:
    signals = [{"type": "pdq", "value": value} for value in values]
    added = client.post(f"/v1/banks/{bank}/entries", json={"signals": signals}, headers=who.headers)
    assert added.status_code == 201, added.text


def test_matching_status_counts_only_the_callers_banks(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    hub, a, b = orgs["hub"], orgs["a"], orgs["b"]
    _entries(client, hub, _bank(client, hub, "shared", visibility="all"), [PDQ_A])
    _entries(client, a, _bank(client, a, "a-private"), [PDQ_B, flip(PDQ_B, 40)])
    _entries(client, b, _bank(client, b, "b-private"), [flip(PDQ_A, 40), flip(PDQ_A, 80), flip(PDQ_A, 120)])
    seen = {name: client.get("/v1/matching/status", headers=orgs[name].headers).json() for name in ("a", "b")}
    assert seen["a"] == {"banks": 2, "entries": 3, "indexes": {"pdq": 3}}
    assert seen["b"] == {"banks": 2, "entries": 4, "indexes": {"pdq": 4}}
