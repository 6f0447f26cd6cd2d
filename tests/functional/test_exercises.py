"""A joint exercise over HTTP: the coordinator declares a drill incident for three providers, shares a hash,
and each gets a drill order at a random moment of the window; the report compares their response times. The
coordinator sees every provider; a provider sees its own row and the group's anonymous figures, never another
provider's name, id or times; an organisation outside the exercise gets 404."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.settings import Settings
from tests.conftest import START
from tests.factories import OrgHandle, make_org

MD5 = "0123456789abcdef0123456789abcdef"


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _answer(client: TestClient, provider: OrgHandle, notice_id: str) -> None:
    _ok(client.post(f"/v1/notices/{notice_id}/outcome", json={"outcome": "removed"}, headers=provider.headers))


def test_a_joint_exercise_compares_providers_without_showing_one_to_another(
        app: FastAPI, client: TestClient, factory: sessionmaker[Session], clock: FrozenClock,
        settings: Settings) -> None:
    load_all()
    app.state.accord.rng = random.Random(7)  # reproducible moments
    with unit_of_work(factory) as session:
        hub = make_org(session, clock, "coordinator")
        fast, slow, silent, outsider = (make_org(session, clock, "provider") for _ in range(4))
    spec = {"title": "Livestreamed attack", "scenario": "An attack is streamed live.",
            "provider_ids": [fast.id, slow.id, silent.id], "starts_after": START.isoformat(),
            "ends_before": (START + timedelta(minutes=20)).isoformat(), "signals": [{"type": "md5", "value": MD5}]}
    started = _ok(client.post("/v1/exercises", json=spec, headers=hub.headers), 201)
    incident = _ok(client.get(f"/v1/incidents/{started['incident_id']}", headers=hub.headers))
    assert incident["drill"] is True
    bank = _ok(client.get(f"/v1/banks/{incident['bank_id']}/entries", headers=fast.headers))
    assert [e["value"] for e in bank["entries"]] == [MD5]  # the scenario's hash, shared with the members
    clock.advance(minutes=20)
    Worker(factory, clock, settings).run_duties(0.0)
    report = _ok(client.get(f"/v1/exercises/{started['id']}", headers=hub.headers))
    notices = {row["provider_id"]: _ok(client.get(f"/v1/drills/{row['drill_id']}", headers=hub.headers))
               ["notice_id"] for row in report["rows"]}
    clock.advance(minutes=3)
    _answer(client, fast, notices[fast.id])
    clock.advance(minutes=30)
    _answer(client, slow, notices[slow.id])
    clock.advance(minutes=40)  # the silent one's hour has passed
    report = _ok(client.get(f"/v1/exercises/{started['id']}", headers=hub.headers))
    rows = {row["provider_id"]: row for row in report["rows"]}
    assert {rows[p.id]["status"] for p in (fast, slow)} == {"acted"} and rows[silent.id]["status"] == "missed"
    assert rows[fast.id]["times"]["action"] < rows[slow.id]["times"]["action"]
    assert report["group"]["providers"] == 3 and report["group"]["acted"] == 2 and report["group"]["passed"] == 2
    as_slow = _ok(client.get(f"/v1/exercises/{started['id']}", headers=slow.headers))
    assert [row["provider_id"] for row in as_slow["rows"]] == [slow.id] and as_slow["rank"] == 2
    assert as_slow["group"] == report["group"]
    shown = json.dumps(as_slow)
    for other in (fast, silent):
        assert other.id not in shown and other.name not in shown
        assert client.get(f"/v1/drills/{rows[other.id]['drill_id']}", headers=slow.headers).status_code == 404
    assert client.get(f"/v1/exercises/{started['id']}", headers=outsider.headers).status_code == 404
    refused = client.post("/v1/exercises", json=spec, headers=fast.headers)
    assert refused.status_code == 403, refused.text
