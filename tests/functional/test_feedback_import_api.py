"""EUR-03 over the API: ``POST /v1/notices/feedback/import`` takes an Annex II/III document onto the caller's
order; the provider, another authority and a body that is no Annex II/III are refused."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import make_org
from tests.functional.test_annex_documents import ORDER

IMPORT = "/v1/notices/feedback/import"


def test_the_issuer_imports_feedback_onto_its_order(client: TestClient, factory: sessionmaker[Session],
                                                    clock: FrozenClock, app: FastAPI) -> None:
    with unit_of_work(factory) as session:
        iru, other = make_org(session, clock, "authority"), make_org(session, clock, "authority")
        video = make_org(session, clock, "provider")
    answered = client.post("/v1/notices", json={**ORDER, "provider_id": video.id}, headers=iru.headers).json()
    other_item = {**ORDER, "reference": "FR-IRU-2026-0043", "urls": ["https://video.example.org/watch/9"]}
    pending = client.post("/v1/notices", json={**other_item, "provider_id": video.id}, headers=iru.headers).json()
    clock.advance(minutes=9)
    client.post(f"/v1/notices/{answered['id']}/outcome", json={"outcome": "removed"}, headers=video.headers)
    record = client.get(f"/v1/notices/{answered['id']}/feedback", headers=iru.headers).json()
    # The same answer, given for the second order in another system (unsigned: that system signs nothing).
    doc: dict[str, Any] = {**{k: v for k, v in record.items() if k != "signature"}, "reference": "FR-IRU-2026-0043"}
    assert client.post(IMPORT, json=doc, headers=video.headers).status_code == 403
    assert client.post(IMPORT, json=doc, headers=other.headers).status_code == 404
    assert client.post(IMPORT, content=b"[1]", headers=iru.headers).status_code == 422
    assert client.post(IMPORT, json={**doc, "schema": "accord:tco-annex-i:v1"}, headers=iru.headers).status_code == 422
    imported = client.post(IMPORT, json=doc, headers=iru.headers)
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert (body["id"], body["status"], body["outcome"]) == (pending["id"], "answered", "removed")
    assert body["details"]["imported_feedback"]["annex"] == "II"
    assert client.post(IMPORT, json=doc, headers=iru.headers).status_code == 409
    assert "requestBody" in app.openapi()["paths"][IMPORT]["post"]
