"""/v1 review console end to end: queues, next (204 when empty), decision contract, statements, notices
answered, escalation, quality figures, dashboard and isolation between organisations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.cases import intake, service
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import TEST_ACTOR, OrgHandle, make_org

ORDER = {"kind": "removal_order", "reference": "FR-IRU-2026-0099", "urls": ["https://video.example.org/watch/9"],
         "tco_types": ["incitement"], "reasons": "Glorifies the attack.", "legal_basis": "TCO Art. 3",
         "redress": {"body": "Tribunal administratif de Paris", "deadline_days": 30}, "emergency": True,
         "emergency_reason": "Calls for an attack tonight."}


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"iru": make_org(session, clock, "authority", country="FR"),
                "video": make_org(session, clock, "provider", country="FR"),
                "forum": make_org(session, clock, "provider", country="IE")}


def _match_case(factory: sessionmaker[Session], clock: FrozenClock, provider_id: str, value: str) -> str:
    with unit_of_work(factory) as session:
        case, _ = service.open_case_from_match(session, clock, TEST_ACTOR, provider_id=provider_id,
                                               signal_type="md5", value=value)
        return case.id


def test_next_answers_204_when_nothing_waits(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    response = client.post("/v1/cases/next", headers=orgs["video"].headers)
    assert response.status_code == 204 and response.content == b""


def test_the_decision_contract(client: TestClient, orgs: dict[str, OrgHandle], factory: sessionmaker[Session],
                               clock: FrozenClock) -> None:
    case_id = _match_case(factory, clock, orgs["video"].id, "a" * 32)
    claimed = client.post("/v1/cases/next", headers=orgs["video"].headers)
    assert claimed.status_code == 200 and claimed.json()["id"] == case_id
    assert claimed.json()["wellness"]["blur"] is True and claimed.json()["score_reasons"]
    refused = client.post(f"/v1/cases/{case_id}/decision", json={"action": "remove", "ground": "", "facts": "x"},
                          headers=orgs["video"].headers)
    assert refused.status_code == 422 and refused.json()["field"] == "ground"
    decided = client.post(f"/v1/cases/{case_id}/decision",
                          json={"action": "remove", "ground": "TCO Art. 2(7)(a)", "facts": "ISIS nasheed video"},
                          headers=orgs["video"].headers)
    assert decided.status_code == 201, decided.text
    statement_id = decided.json()["statement_id"]
    statement = client.get(f"/v1/statements/{statement_id}", headers=orgs["video"].headers)
    assert statement.status_code == 200 and statement.json()["body"]["puid"].startswith(
        f"{orgs['video'].id.replace('-', '_')}-dec_")  # the provider's puid namespace
    assert client.get(f"/v1/statements/{statement_id}", headers=orgs["forum"].headers).status_code == 404
    detail = client.get(f"/v1/cases/{case_id}", headers=orgs["video"].headers).json()
    assert detail["state"] == "decided" and detail["decisions"][0]["id"] == decided.json()["id"]


def test_disable_needs_countries(client: TestClient, orgs: dict[str, OrgHandle], factory: sessionmaker[Session],
                                 clock: FrozenClock) -> None:
    case_id = _match_case(factory, clock, orgs["video"].id, "b" * 32)
    body = {"action": "disable", "ground": "Terms §4", "facts": "banned symbol"}
    missing = client.post(f"/v1/cases/{case_id}/decision", json=body, headers=orgs["video"].headers)
    assert missing.status_code == 422 and missing.json()["field"] == "countries"
    done = client.post(f"/v1/cases/{case_id}/decision", json={**body, "countries": ["DE"]},
                       headers=orgs["video"].headers)
    assert done.status_code == 201 and done.json()["countries"] == ["DE"]


def test_a_removal_order_is_reviewed_first_and_its_notice_answered(
    client: TestClient, orgs: dict[str, OrgHandle], factory: sessionmaker[Session], clock: FrozenClock
) -> None:
    _match_case(factory, clock, orgs["video"].id, "c" * 32)
    clock.advance(minutes=1)
    notice = client.post("/v1/notices", json={**ORDER, "provider_id": orgs["video"].id},
                         headers=orgs["iru"].headers)
    assert notice.status_code == 201, notice.text
    listed = client.get("/v1/cases", headers=orgs["video"].headers).json()
    assert listed[0]["id"] == notice.json()["case_id"] and listed[0]["tier"] == 0
    assert listed[0]["seconds_left"] == 3600
    claimed = client.post("/v1/cases/next", headers=orgs["video"].headers).json()
    assert claimed["id"] == notice.json()["case_id"]
    clock.advance(minutes=12)
    decided = client.post(f"/v1/cases/{claimed['id']}/decision",
                          json={"action": "remove", "ground": "TCO Art. 3", "facts": "as ordered"},
                          headers=orgs["video"].headers)
    assert decided.status_code == 201, decided.text
    assert decided.json()["notice_ids"] == [notice.json()["id"]]
    statement = client.get(f"/v1/statements/{decided.json()['statement_id']}", headers=orgs["video"].headers)
    assert statement.json()["body"] is None and "Art. 17(5)" in statement.json()["exemption"]
    seen = client.get(f"/v1/notices/{notice.json()['id']}", headers=orgs["iru"].headers).json()
    assert seen["status"] == "answered"


def test_escalation_quality_and_dashboard(client: TestClient, orgs: dict[str, OrgHandle],
                                          factory: sessionmaker[Session], clock: FrozenClock) -> None:
    headers = orgs["video"].headers
    case_id = _match_case(factory, clock, orgs["video"].id, "d" * 32)
    escalated = client.post(f"/v1/cases/{case_id}/escalate", json={"to": "law_enforcement", "reason": "threat"},
                            headers=headers)
    assert escalated.status_code == 200 and escalated.json()["band"] == "high"
    assert client.post(f"/v1/cases/{case_id}/escalate", json={"to": "senior", "reason": "x"},
                       headers=orgs["forum"].headers).status_code == 404
    figures = client.get("/v1/quality", headers=headers).json()
    assert figures["overall"]["count"] == 0 and figures["automated"]["configured_share"] > 0
    refused = client.patch("/v1/review/settings", json={"values": {"automated_verify_share": 0}}, headers=headers)
    assert refused.status_code == 422
    board = client.get("/v1/review/dashboard", headers=headers).json()
    assert board["oldest_waiting"]["case_id"] == case_id
    assert [q["kind"] for q in client.get("/v1/queues", headers=headers).json()] == ["default"]


def test_queues_route_and_are_isolated(client: TestClient, orgs: dict[str, OrgHandle],
                                       factory: sessionmaker[Session], clock: FrozenClock) -> None:
    created = client.post("/v1/queues", json={"name": "Trusted", "position": 1, "rules": {"sources": ["hash_match"]}},
                          headers=orgs["video"].headers)
    assert created.status_code == 201
    case_id = _match_case(factory, clock, orgs["video"].id, "e" * 32)
    assert client.get(f"/v1/cases/{case_id}", headers=orgs["video"].headers).json()["queue_id"] == created.json()["id"]
    assert client.get(f"/v1/cases/{case_id}", headers=orgs["forum"].headers).status_code == 404
    assert client.get("/v1/cases", headers=orgs["forum"].headers).json() == []
    assert client.post(f"/v1/cases/{case_id}/claim", headers=orgs["forum"].headers).status_code == 404


def test_release_returns_a_case_to_the_pool(client: TestClient, orgs: dict[str, OrgHandle],
                                            factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        case, _ = intake.open_or_join(session, clock, TEST_ACTOR, provider_id=orgs["video"].id,
                                      content_keys=["https://video.example.org/x"], source="own_initiative")
    claimed = client.post(f"/v1/cases/{case.id}/claim", headers=orgs["video"].headers)
    assert claimed.json()["claimed_by"] is not None
    released = client.post(f"/v1/cases/{case.id}/release", headers=orgs["video"].headers)
    assert released.status_code == 200 and released.json()["claimed_by"] is None
