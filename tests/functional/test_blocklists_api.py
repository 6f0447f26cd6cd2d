"""The blocking-list contract over HTTP: lists, entries, the over-blocking guard, the overseer, operators and
their clocks, appeals and figures, and who may see what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.blocklists import jobs
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs.registry import JobContext
from accord.settings import Settings
from tests.factories import OrgHandle, make_org

LEGAL = "Décret 2015-253; LCEN art. 6-1"


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"authority": make_org(session, clock, "authority"), "other": make_org(session, clock, "authority"),
                "overseer": make_org(session, clock, "overseer", country="DE"),
                "operator": make_org(session, clock, "network_operator"),
                "late": make_org(session, clock, "network_operator"),
                "provider": make_org(session, clock, "provider")}


def _create(client: TestClient, org: OrgHandle, **body: Any) -> dict[str, Any]:
    spec = {"name": "fr-dns", "kind": "dns_block", "legal_basis": LEGAL, "action": "nxdomain",
            "review_required": False, **body}
    response = client.post("/v1/blocklists", json=spec, headers=org.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _add(client: TestClient, org: OrgHandle, list_id: str, value: str, **body: Any) -> Any:
    entry = {"type": "domain", "value": value, "subdomains": True, "reason": "terrorist propaganda", **body}
    return client.post(f"/v1/blocklists/{list_id}/entries", json=entry, headers=org.headers)


def _rpz(client: TestClient, org: OrgHandle, list_id: str) -> str:
    response = client.get(f"/v1/blocklists/{list_id}/export", params={"format": "rpz"}, headers=org.headers)
    assert response.status_code == 200, response.text
    return response.text


def test_an_entry_without_prior_review_is_live_at_once(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    blocklist = _create(client, orgs["authority"])
    assert blocklist["serial"] == 1
    added = _add(client, orgs["authority"], blocklist["id"], "Propaganda.Example.")
    assert added.status_code == 201 and added.json()["state"] == "active"
    assert added.json()["value"] == "propaganda.example"
    zone = _rpz(client, orgs["authority"], blocklist["id"])
    assert "propaganda.example CNAME .\n*.propaganda.example CNAME ." in zone
    assert " 2 3600 600 604800 " in zone  # the serial grew with the change
    gone = client.delete(f"/v1/blocklists/{blocklist['id']}/entries/{added.json()['id']}",
                         headers=orgs["authority"].headers)
    assert gone.json()["state"] == "delisted"
    zone = _rpz(client, orgs["authority"], blocklist["id"])
    assert "propaganda.example" not in zone and " 3 3600 600 604800 " in zone


@pytest.mark.parametrize(("value", "platform"), [
    ("youtube.com", "youtube.com"), ("drive.google.com", "drive.google.com"), ("cdn.cloudflare.com", "cloudflare.com"),
    ("google.com", "drive.google.com"), ("someone.blogspot.com", "blogspot.com")])
def test_the_guard_refuses_a_shared_platform_and_says_what_to_do(client: TestClient, orgs: dict[str, OrgHandle],
                                                                 value: str, platform: str) -> None:
    blocklist = _create(client, orgs["authority"])
    refused = _add(client, orgs["authority"], blocklist["id"], value)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"].endswith("/over-blocking") and problem["field"] == "value"
    assert platform in problem["detail"] and "send a removal order" in problem["detail"]


def test_the_guard_refuses_public_suffixes_and_unexplained_or_shared_addresses(
        client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    list_id = _create(client, orgs["authority"])["id"]
    assert "public suffix" in _add(client, orgs["authority"], list_id, "co.uk").json()["detail"]
    bare = _add(client, orgs["authority"], list_id, "198.51.100.7", type="ip")
    assert bare.status_code == 422  # documentation range: not public
    unexplained = _add(client, orgs["authority"], list_id, "8.8.4.4", type="ip")
    assert unexplained.status_code == 422 and unexplained.json()["field"] == "ip_reason"
    cdn = _add(client, orgs["authority"], list_id, "104.16.1.1", type="ip", ip_reason="dedicated")
    assert cdn.status_code == 422 and "104.16.0.0/13" in cdn.json()["detail"]
    explained = _add(client, orgs["authority"], list_id, "9.9.9.10", type="ip",
                     ip_reason="reverse lookup and the host's statement: a dedicated server")
    assert explained.status_code == 201
    assert "32.10.9.9.9.rpz-ip CNAME ." in _rpz(client, orgs["authority"], list_id)
    url = _add(client, orgs["authority"], list_id, "https://propaganda.example/a", type="url")
    assert url.status_code == 422 and "search_delisting" in url.json()["detail"]


def test_nothing_is_blocked_forever(client: TestClient, orgs: dict[str, OrgHandle], clock: FrozenClock,
                                    factory: sessionmaker[Session], settings: Settings) -> None:
    list_id = _create(client, orgs["authority"], max_expiry_days=30, default_expiry_days=10)["id"]
    too_long = _add(client, orgs["authority"], list_id, "a.example",
                    expires_at=(clock.now() + timedelta(days=31)).isoformat())
    assert too_long.status_code == 422 and too_long.json()["field"] == "expires_at"
    entry = _add(client, orgs["authority"], list_id, "a.example").json()
    assert entry["expires_at"].startswith((clock.now() + timedelta(days=10)).date().isoformat())
    clock.advance(days=10)
    with unit_of_work(factory) as session:
        assert jobs.expire_due(JobContext(session, clock, settings, "t")) == 1
        assert jobs.expire_due(JobContext(session, clock, settings, "t")) == 0
    entries = client.get(f"/v1/blocklists/{list_id}/entries", headers=orgs["authority"].headers).json()
    assert entries[0]["state"] == "expired"
    assert "a.example" not in _rpz(client, orgs["authority"], list_id)


def test_the_overseer_reviews_and_objects_and_the_exchange_is_kept(client: TestClient,
                                                                    orgs: dict[str, OrgHandle]) -> None:
    list_id = _create(client, orgs["authority"], review_required=True, overseer_id=orgs["overseer"].id)["id"]
    entry = _add(client, orgs["authority"], list_id, "propaganda.example").json()
    assert entry["state"] == "proposed" and "propaganda" not in _rpz(client, orgs["authority"], list_id)
    base = f"/v1/blocklists/{list_id}/entries/{entry['id']}"
    assert client.post(f"{base}/review", json={}, headers=orgs["authority"].headers).status_code == 404
    reviewed = client.post(f"{base}/review", json={"note": "orders unexecuted"}, headers=orgs["overseer"].headers)
    assert reviewed.json()["state"] == "active" and "propaganda" in _rpz(client, orgs["overseer"], list_id)
    objected = client.post(f"{base}/objection", json={"text": "a news site quoting it"},
                           headers=orgs["overseer"].headers)
    assert objected.json()["state"] == "suspended" and "propaganda" not in _rpz(client, orgs["authority"], list_id)
    answered = client.post(f"{base}/answer", json={"decision": "maintain", "text": "dedicated to the propaganda"},
                           headers=orgs["authority"].headers)
    assert answered.json()["state"] == "active"
    assert [x["kind"] for x in answered.json()["exchange"]] == ["review", "objection", "answer"]


def test_operators_acknowledge_serials_against_the_24_hour_clock(client: TestClient, orgs: dict[str, OrgHandle],
                                                                  clock: FrozenClock) -> None:
    list_id = _create(client, orgs["authority"])["id"]
    for slug in ("operator", "late"):
        created = client.post(f"/v1/blocklists/{list_id}/subscriptions", json={"operator_id": orgs[slug].id},
                              headers=orgs["authority"].headers)
        assert created.status_code == 201 and created.json()["feed_url"].endswith(".rpz")
    serial = _add(client, orgs["authority"], list_id, "propaganda.example").json() and 2
    applied = client.post(f"/v1/blocklists/{list_id}/applied", json={"serial": serial},
                          headers=orgs["operator"].headers)
    assert applied.status_code == 200 and applied.json()["status"] == "current"
    assert client.post(f"/v1/blocklists/{list_id}/applied", json={"serial": 9},
                       headers=orgs["operator"].headers).status_code == 422
    clock.advance(hours=23)
    rows = {r["operator_id"]: r for r in client.get(f"/v1/blocklists/{list_id}/operators",
                                                    headers=orgs["authority"].headers).json()}
    assert rows[orgs["late"].id]["status"] == "pending" and rows[orgs["late"].id]["behind"] == 2
    clock.advance(hours=2)
    rows = {r["operator_id"]: r for r in client.get(f"/v1/blocklists/{list_id}/operators",
                                                    headers=orgs["authority"].headers).json()}
    assert rows[orgs["late"].id]["status"] == "late" and rows[orgs["operator"].id]["status"] == "current"
    own = client.get(f"/v1/blocklists/{list_id}/operators", headers=orgs["late"].headers).json()
    assert [r["operator_id"] for r in own] == [orgs["late"].id]
    figures = client.get(f"/v1/public/blocklists/{list_id}/figures").json()
    assert (figures["operators"], figures["operators_current"], figures["operators_late"]) == (2, 1, 1)


def test_a_delisting_list_runs_on_the_48_hour_clock_and_has_no_zone(client: TestClient, orgs: dict[str, OrgHandle],
                                                                     clock: FrozenClock) -> None:
    list_id = _create(client, orgs["authority"], name="fr-search", kind="search_delisting")["id"]
    url = _add(client, orgs["authority"], list_id, "https://propaganda.example/video/1", type="url")
    assert url.status_code == 201
    client.post(f"/v1/blocklists/{list_id}/subscriptions", json={"operator_id": orgs["operator"].id},
                headers=orgs["authority"].headers)
    clock.advance(hours=47)
    row = client.get(f"/v1/blocklists/{list_id}/operators", headers=orgs["authority"].headers).json()[0]
    assert row["status"] == "pending"
    clock.advance(hours=2)
    row = client.get(f"/v1/blocklists/{list_id}/operators", headers=orgs["authority"].headers).json()[0]
    assert row["status"] == "late"
    rpz = client.get(f"/v1/blocklists/{list_id}/export?format=rpz", headers=orgs["operator"].headers)
    assert rpz.status_code == 422
    csv = client.get(f"/v1/blocklists/{list_id}/export?format=csv", headers=orgs["operator"].headers)
    assert "https://propaganda.example/video/1" in csv.text


def test_only_the_lists_parties_see_it(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    list_id = _create(client, orgs["authority"], overseer_id=orgs["overseer"].id)["id"]
    entry = _add(client, orgs["authority"], list_id, "propaganda.example").json()
    for outsider in ("other", "provider", "operator"):
        headers = orgs[outsider].headers
        assert client.get(f"/v1/blocklists/{list_id}", headers=headers).status_code == 404
        assert client.get(f"/v1/blocklists/{list_id}/export", headers=headers).status_code == 404
        assert client.delete(f"/v1/blocklists/{list_id}/entries/{entry['id']}", headers=headers).status_code in (403,
                                                                                                               404)
    assert client.get("/v1/blocklists", headers=orgs["other"].headers).json() == []
    client.post(f"/v1/blocklists/{list_id}/subscriptions", json={"operator_id": orgs["operator"].id},
                headers=orgs["authority"].headers)
    assert client.get(f"/v1/blocklists/{list_id}/export", headers=orgs["operator"].headers).status_code == 200
    assert client.get(f"/v1/blocklists/{list_id}/entries", headers=orgs["operator"].headers).status_code == 404
    assert client.get(f"/v1/blocklists/{list_id}/entries", headers=orgs["overseer"].headers).status_code == 200
    assert client.post("/v1/blocklists", json={"name": "x", "kind": "dns_block", "legal_basis": LEGAL},
                       headers=orgs["operator"].headers).status_code == 403


def test_an_appeal_answered_delisted_reaches_the_export_at_once(client: TestClient, orgs: dict[str, OrgHandle],
                                                                clock: FrozenClock, factory: sessionmaker[Session],
                                                                settings: Settings) -> None:
    list_id = _create(client, orgs["authority"], action="stop_page", stop_host="stop.example.gouv")["id"]
    _add(client, orgs["authority"], list_id, "archive-mirror.example")
    assert "archive-mirror.example CNAME stop.example.gouv." in _rpz(client, orgs["authority"], list_id)
    page = client.get(f"/blocklists/{list_id}")
    assert page.status_code == 200 and LEGAL in page.text and orgs["authority"].name in page.text
    wrong = client.post(f"/blocklists/{list_id}/appeal", data={"value": "nothere.example", "statement": "x",
                                                               "contact": "o@example.org"})
    assert wrong.status_code == 422
    filed = client.post(f"/blocklists/{list_id}/appeal", data={"value": "archive-mirror.example",
                                                               "statement": "The material was removed.",
                                                               "contact": "owner@archive-mirror.example"})
    assert filed.status_code == 201 and "answers with reasons by" in filed.text
    appeal = client.get(f"/v1/blocklists/{list_id}/appeals", headers=orgs["authority"].headers).json()[0]
    clock.advance(days=31)
    with unit_of_work(factory) as session:
        assert jobs.appeal_reminders(JobContext(session, clock, settings, "t")) == 1
        assert jobs.appeal_reminders(JobContext(session, clock, settings, "t")) == 0
    answer = client.post(f"/v1/blocklists/{list_id}/appeals/{appeal['id']}/answer",
                         json={"outcome": "delisted", "reasons": "Checked: gone."}, headers=orgs["authority"].headers)
    assert answer.status_code == 200 and answer.json()["outcome"] == "delisted"
    assert "archive-mirror" not in _rpz(client, orgs["authority"], list_id)
    figures = client.get(f"/v1/public/blocklists/{list_id}/figures").json()
    assert (figures["entries_added"], figures["delisted"], figures["appeals_delisted"]) == (1, 1, 1)


def test_the_authority_is_reminded_to_reexamine_every_interval(client: TestClient, orgs: dict[str, OrgHandle],
                                                               clock: FrozenClock, factory: sessionmaker[Session],
                                                               settings: Settings) -> None:
    list_id = _create(client, orgs["authority"], reexamine_days=91)["id"]
    entry = _add(client, orgs["authority"], list_id, "propaganda.example").json()
    clock.advance(days=91)
    with unit_of_work(factory) as session:
        assert jobs.remind_reexaminations(JobContext(session, clock, settings, "t")) == 1
        assert jobs.remind_reexaminations(JobContext(session, clock, settings, "t")) == 0
    done = client.post(f"/v1/blocklists/{list_id}/entries/{entry['id']}/reexamination",
                       json={"note": "still online, still propaganda"}, headers=orgs["authority"].headers)
    assert done.json()["next_reexamination_at"].startswith((clock.now() + timedelta(days=91)).date().isoformat())


def test_the_public_appeal_door_cannot_bury_the_authority(client: TestClient, orgs: dict[str, OrgHandle],
                                                          settings: Settings, clock: FrozenClock) -> None:
    list_id = _create(client, orgs["authority"])["id"]
    _add(client, orgs["authority"], list_id, "propaganda.example")
    appeal = {"value": "propaganda.example", "statement": "wrong", "contact": "owner@propaganda.example"}
    for _ in range(settings.public_rate_limit_per_minute):
        assert client.post(f"/v1/public/blocklists/{list_id}/appeals", json=appeal).status_code == 201
    assert client.post(f"/v1/public/blocklists/{list_id}/appeals", json=appeal).status_code == 429
    clock.advance(minutes=1, seconds=1)
    assert client.post(f"/v1/public/blocklists/{list_id}/appeals", json=appeal).status_code == 201
