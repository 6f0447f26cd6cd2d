"""/v1/notices end to end: the contract payload, validation by field, isolation, webhooks on receipt,
feedback, batch, liveness re-check, imminent threat, and the pages."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs import webhooks
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.settings import Settings
from tests.factories import PASSWORD, TEST_ACTOR, OrgHandle, make_org
from tests.helpers import Receiver, ui_login
from tests.unit.notices.helpers import payload

CONTRACT = {"kind": "removal_order", "reference": "FR-IRU-2026-0042", "urls": ["https://video.example.org/watch/123"],
            "tco_types": ["incitement"], "reasons": "Glorifies the attack.", "legal_basis": "TCO Art. 3",
            "redress": {"body": "Tribunal administratif de Paris", "deadline_days": 30}, "emergency": True,
            "emergency_reason": "Calls for an attack tonight."}


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"iru": make_org(session, clock, "authority", country="FR"),
                "iru2": make_org(session, clock, "authority", country="FR"),
                "video": make_org(session, clock, "provider", country="FR"),
                "forum": make_org(session, clock, "provider", country="FR"),
                "ngo": make_org(session, clock, "trusted_flagger", country="NL"),
                "hub": make_org(session, clock, "coordinator", country="BE")}


def _order(client: TestClient, orgs: dict[str, OrgHandle], issuer: str = "iru", provider: str = "video",
           **extra: object) -> dict[str, object]:
    response = client.post("/v1/notices", json={**CONTRACT, "provider_id": orgs[provider].id, **extra},
                           headers=orgs[issuer].headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_the_contract_payload_creates_a_removal_order(client: TestClient, orgs: dict[str, OrgHandle],
                                                      clock: FrozenClock) -> None:
    body = _order(client, orgs)
    assert body["kind"] == "removal_order" and body["status"] == "received"
    assert body["received_at"] == "2026-03-02T10:00:00Z" and body["deadline_at"] == "2026-03-02T11:00:00Z"
    assert str(body["case_id"]).startswith("case_") and str(body["id"]).startswith("ntc_")
    clock.advance(minutes=20)
    answered = client.post(f"/v1/notices/{body['id']}/outcome", json={"outcome": "removed"},
                           headers=orgs["video"].headers)
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    record = client.get(f"/v1/notices/{body['id']}/feedback", headers=orgs["iru"].headers).json()
    assert record["annex"] == "II" and record["outcome"] == "removed"
    assert record["outcome_at"] == "2026-03-02T10:20:00+00:00"
    assert record["signature"]["algorithm"] == "Ed25519" and record["signature"]["signer"]["role"] == (
        "hosting_service_provider")


@pytest.mark.parametrize(("change", "field"), [
    ({"tco_types": None}, "tco_types"),
    ({"redress": {"body": "Court"}}, "redress.deadline_days"),
    ({"colour": "red"}, "colour"),
    ({"clause": "4.2"}, "clause"),
    ({"urls": ["javascript:alert(1)"]}, "urls[0]"),
])
def test_invalid_fields_are_named_in_a_422(client: TestClient, orgs: dict[str, OrgHandle],
                                           change: dict[str, object], field: str) -> None:
    body = {**CONTRACT, "provider_id": orgs["video"].id, **change}
    response = client.post("/v1/notices", json={k: v for k, v in body.items() if v is not None},
                           headers=orgs["iru"].headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_user_reports_need_no_key_and_are_acknowledged(client: TestClient, orgs: dict[str, OrgHandle],
                                                       settings: Settings) -> None:
    report = payload("user_report", orgs["forum"].id)
    response = client.post("/v1/notices", json=report)
    assert response.status_code == 201
    assert "was received at" in response.json()["acknowledgement"]
    assert client.post("/v1/notices", json=payload("referral", orgs["forum"].id)).status_code == 401
    for _ in range(settings.public_rate_limit_per_minute - 1):
        assert client.post("/v1/notices", json=report).status_code == 201
    limited = client.post("/v1/notices", json=report)
    assert limited.status_code == 429 and limited.json()["type"].endswith("rate-limited")


def test_isolation_between_organisations(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    mine = _order(client, orgs)["id"]
    _order(client, orgs, issuer="iru2", provider="forum", urls=["https://forum.example/t/1"])
    for outsider in ("forum", "iru2", "ngo"):
        assert client.get(f"/v1/notices/{mine}", headers=orgs[outsider].headers).status_code == 404
        assert client.post(f"/v1/notices/{mine}/outcome", json={"outcome": "removed"},
                           headers=orgs[outsider].headers).status_code == 404
    assert [n["id"] for n in client.get("/v1/notices", headers=orgs["video"].headers).json()] == [mine]
    assert [n["id"] for n in client.get("/v1/notices", headers=orgs["iru"].headers).json()] == [mine]
    assert client.post(f"/v1/notices/{mine}/hold", json={"reason": "x"},
                       headers=orgs["video"].headers).status_code == 403
    assert client.post(f"/v1/notices/{mine}/hold", json={"reason": "x"},
                       headers=orgs["iru2"].headers).status_code == 404
    assert client.get(f"/v1/notices/{mine}").status_code == 401


def test_a_hold_is_seen_by_authorities_only_and_keeps_notices_from_the_provider(
    client: TestClient, orgs: dict[str, OrgHandle]
) -> None:
    held = client.post("/v1/notices", headers=orgs["iru"].headers, json=payload(
        "referral", orgs["video"].id, operational_hold="Undercover account")).json()
    flag = client.post("/v1/notices", headers=orgs["ngo"].headers,
                       json=payload("trusted_flag", orgs["video"].id)).json()
    assert held["status"] == "held" and held["hold_reason"] == "Undercover account"
    assert flag["status"] == "queued" and flag["hold_reason"] is None
    assert client.get(f"/v1/notices/{flag['id']}", headers=orgs["video"].headers).status_code == 404
    lifted = client.post(f"/v1/notices/{held['id']}/hold", json={"active": False}, headers=orgs["iru"].headers)
    assert lifted.json()["status"] == "received"
    assert client.get(f"/v1/notices/{flag['id']}", headers=orgs["video"].headers).json()["status"] == "received"


def test_the_provider_webhook_fires_on_receipt(client: TestClient, orgs: dict[str, OrgHandle],
                                               factory: sessionmaker[Session], clock: FrozenClock,
                                               settings: Settings) -> None:
    load_all()
    with Receiver() as receiver:
        with unit_of_work(factory) as session:
            webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=orgs["video"].id,
                                     url=receiver.url, events=["notice.received"])
        notice = _order(client, orgs)
        assert Worker(factory, clock, settings).drain() == 1
    [hit] = receiver.received
    body = json.loads(hit.body)
    assert body["event"] == "notice.received" and body["data"]["notice_id"] == notice["id"]
    assert body["data"]["deadline_at"] == "2026-03-02T11:00:00+00:00"


def test_batch_endpoint_reports_per_line(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    csv_text = ("kind,provider_id,urls,reasons,clause\n"
                f"referral,{orgs['video'].id},https://a.example/1,Recruits,4.2\n"
                f"referral,{orgs['video'].id},https://a.example/2,Recruits,\n")
    response = client.post("/v1/notices/batch", content=csv_text.encode(),
                           headers={**orgs["iru"].headers, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["accepted"] == 1 and report["refused"] == 1
    assert report["lines"][1] == {"line": 3, "accepted": False, "notice_id": None, "status": None,
                                  "field": "clause", "error": "a referral needs clause"}
    as_json = client.post("/v1/notices/batch", json={"notices": [payload("referral", orgs["video"].id)]},
                          headers=orgs["iru"].headers)
    assert as_json.json()["accepted"] == 1


@pytest.fixture
def gone_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(410 if "gone" in self.path else 200)
            self.end_headers()
            self.wfile.write(b"still here")

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_liveness_recheck_through_the_guarded_fetcher(client: TestClient, orgs: dict[str, OrgHandle],
                                                      gone_server: str) -> None:
    notice = _order(client, orgs, urls=[f"{gone_server}/gone", f"{gone_server}/live"])
    checks = client.post(f"/v1/notices/{notice['id']}/recheck", headers=orgs["iru"].headers).json()
    assert [(c["status"], c["online"]) for c in checks] == [(410, False), (200, True)]
    assert checks[1]["sha256"] == hashlib.sha256(b"still here").hexdigest()
    stored = client.get(f"/v1/notices/{notice['id']}", headers=orgs["iru"].headers).json()["liveness"]
    assert [c["online"] for c in stored] == [False, True]


def test_imminent_threat_reaches_the_member_states_authorities(client: TestClient,
                                                               orgs: dict[str, OrgHandle]) -> None:
    notice = _order(client, orgs)
    response = client.post(f"/v1/notices/{notice['id']}/imminent-threat", headers=orgs["video"].headers,
                           json={"details": "Names a school and a time."})
    assert response.status_code == 200
    assert {c["org_id"] for c in response.json()["contacts"]} == {orgs["iru"].id, orgs["iru2"].id}


def test_outcomes_per_provider(client: TestClient, orgs: dict[str, OrgHandle], clock: FrozenClock) -> None:
    first = _order(client, orgs)
    _order(client, orgs, urls=["https://video.example.org/watch/9"])
    clock.advance(minutes=10)
    client.post(f"/v1/notices/{first['id']}/acknowledge", headers=orgs["video"].headers)
    clock.advance(minutes=10)
    client.post(f"/v1/notices/{first['id']}/outcome", json={"outcome": "removed"}, headers=orgs["video"].headers)
    [row] = client.get("/v1/notices/outcomes", headers=orgs["iru"].headers).json()
    assert row["sent"] == 2 and row["answered"] == 1 and row["removal_rate"] == 1.0
    assert row["median_seconds_to_ack"] == 600 and row["median_seconds_to_act"] == 1200


def _login(client: TestClient, handle: OrgHandle) -> None:
    response = ui_login(client, handle.email, PASSWORD, follow_redirects=False)
    assert response.status_code == 303


def test_pages_send_track_and_answer(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    notice = _order(client, orgs)
    subset = client.post(f"/v1/notices/{notice['id']}/outcome", json={"outcome": "disabled", "countries": ["de", "AT"]},
                         headers=orgs["video"].headers)
    assert subset.status_code == 422 and subset.json()["field"] == "countries"  # TCO Art. 3(3): all Member States
    client.post(f"/v1/notices/{notice['id']}/outcome", json={"outcome": "disabled"}, headers=orgs["video"].headers)
    _login(client, orgs["iru"])
    form = client.get("/ui/notices/new").text
    assert "Send a removal order" in form
    # the header names who is signed in (the member's name and organisation), not an internal id
    assert '<span class="who" title="member:' in form and f"{orgs['iru'].name}, {orgs['iru'].name}" in form
    page = client.get(f"/ui/notices/{notice['id']}/feedback")
    assert page.status_code == 200 and "Annex II" in page.text and "AT, BE, BG" in page.text
    assert "FR-IRU-2026-0042" in client.get("/ui/notices").text
    _login(client, orgs["video"])
    _order(client, orgs, urls=["https://video.example.org/watch/77"])
    inbox = client.get("/ui/notices")
    assert "data-deadline" in inbox.text and 'hx-trigger="every 10s"' in inbox.text


def test_the_send_form_refuses_a_first_order_then_sends_an_emergency(client: TestClient,
                                                                     orgs: dict[str, OrgHandle]) -> None:
    _login(client, orgs["iru"])
    csrf = client.get("/ui/notices/new").text.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"csrf_token": csrf, "kind": "removal_order", "provider_id": orgs["forum"].id, "reference": "UI-1",
            "urls": "https://forum.example/t/5", "tco_types": "threat", "reasons": "Threat to a school.",
            "legal_basis": "TCO Art. 3", "redress_body": "Court", "redress_days": "30"}
    refused = client.post("/ui/notices/new", data=form, follow_redirects=False)
    # the form comes back with the problem beside the field that solves it, everything typed kept
    assert refused.status_code == 422 and "12 hours" in refused.text and 'id="emergency_reason-error"' in refused.text
    assert 'value="UI-1"' in refused.text and "Threat to a school." in refused.text
    sent = client.post("/ui/notices/new", data={**form, "emergency_reason": "Named school"}, follow_redirects=False)
    assert sent.status_code == 303
    detail = client.get(sent.headers["location"])
    assert "UI-1" in detail.text and "data-deadline" in detail.text


def test_list_filters_kind_status_provider_since(client: TestClient, orgs: dict[str, OrgHandle],
                                                 clock: FrozenClock) -> None:
    order = _order(client, orgs)
    clock.advance(hours=1)
    referral = client.post("/v1/notices", headers=orgs["iru"].headers,
                           json=payload("referral", orgs["forum"].id)).json()
    headers = orgs["iru"].headers

    def ids(query: str) -> list[object]:
        return [n["id"] for n in client.get(f"/v1/notices?{query}", headers=headers).json()]

    assert ids("kind=referral") == [referral["id"]]
    assert ids(f"provider={orgs['video'].id}") == [order["id"]]
    assert ids("since=2026-03-02T10:30:00Z") == [referral["id"]]
    assert ids("status=received") == [referral["id"], order["id"]]
