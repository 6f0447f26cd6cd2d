from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs import service as jobs
from tests.factories import make_org


def test_healthz_reaches_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "reachable"


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz", headers={"X-Request-ID": "bad id!"}).headers["x-request-id"]) == 16


def test_metrics_count_requests_and_jobs(client: TestClient, factory: sessionmaker[Session],
                                         clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock)
        jobs.enqueue(session, clock, "test.kind", {}, org_id=org.id)
    client.get("/v1/me", headers=org.headers)
    text = client.get("/metrics").text
    assert 'accord_http_requests_total{method="GET",route="/v1/me",status="200"} 1.0' in text
    assert 'accord_jobs{state="pending"} 1.0' in text
    assert "accord_job_queue_depth 1.0" in text
    assert "accord_http_request_seconds_bucket" in text


def test_me_and_audit_are_scoped_to_the_caller(client: TestClient, factory: sessionmaker[Session],
                                               clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        a, b = make_org(session, clock), make_org(session, clock)
    assert client.get("/v1/me", headers=a.headers).json()["organisation"]["id"] == a.id
    events = client.get("/v1/audit/events", headers=b.headers).json()
    assert events and {e["subject"] for e in events}.isdisjoint({a.id})


def test_revoking_another_organisations_key_is_404(client: TestClient, factory: sessionmaker[Session],
                                                   clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        a, b = make_org(session, clock), make_org(session, clock)
    key_id = client.get("/v1/keys", headers=a.headers).json()[0]["id"]
    assert client.post(f"/v1/keys/{key_id}/revoke", headers=b.headers).status_code == 404
    assert client.post(f"/v1/keys/{key_id}/revoke", headers=a.headers).status_code == 409  # itself: confirm
    assert client.post(f"/v1/keys/{key_id}/revoke", params={"confirm": "true"},
                       headers=a.headers).json()["revoked_at"] is not None
    assert client.get("/v1/me", headers=a.headers).status_code == 401


def test_webhook_secret_shown_once(client: TestClient, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        a = make_org(session, clock)
    created = client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=a.headers)
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    assert "secret" not in client.get("/v1/webhooks", headers=a.headers).json()[0]


def test_metrics_count_intake_groups_and_notices(client: TestClient, factory: sessionmaker[Session],
                                                 clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        iru, host = make_org(session, clock, "authority"), make_org(session, clock, "provider")
    order = {"kind": "removal_order", "provider_id": host.id, "reference": "M-1", "urls": ["https://m.example/1"],
             "tco_types": ["incitement"], "reasons": "r", "legal_basis": "TCO Art. 3",
             "redress": {"body": "Court", "deadline_days": 30}, "emergency": True, "emergency_reason": "now"}
    assert client.post("/v1/notices", json=order, headers=iru.headers).status_code == 201
    text = client.get("/metrics").text
    assert "accord_intake_groups_total 1.0" in text and "accord_intake_notices_total 1.0" in text
