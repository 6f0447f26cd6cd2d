"""Drills end to end over HTTP with the worker (issue 18; law requirement X-02).

An authority schedules a drill for a provider; the worker sends it at the moment drawn inside the window (the
app's seeded ``rng``), never before; one person of the provider receives it on the on-call webhook, opens it,
acknowledges it, removes and fetches the Annex II feedback, all by the real routes, in under 15 minutes; the
scorecard has each time. The drill is counted nowhere: the report figures, the decisions and statements, the
strikes and the breaches are those of the one real order sent beside it. A drill left unanswered pages the
on-call path when its hour passes but records no breach.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.cases.models import Decision, Statement, Strike
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs import webhooks
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.notices.models import Notice
from accord.readiness import drills
from accord.settings import Settings
from tests.conftest import START
from tests.factories import TEST_ACTOR, OrgHandle, make_org
from tests.helpers import Receiver

SEED = 1818
ORDER = {"kind": "removal_order", "reference": "FR-IRU-REAL-1", "urls": ["https://video.example.org/watch/1"],
         "tco_types": ["incitement"], "reasons": "Glorifies the attack.", "legal_basis": "TCO Art. 3",
         "redress": {"body": "Tribunal administratif de Paris", "deadline_days": 30}, "emergency": True,
         "emergency_reason": "Calls for an attack tonight."}


@dataclass(frozen=True)
class Orgs:
    iru: OrgHandle
    video: OrgHandle
    forum: OrgHandle


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> Orgs:
    with unit_of_work(factory) as session:
        return Orgs(make_org(session, clock, "authority", country="FR"), make_org(session, clock, "provider"),
                    make_org(session, clock, "provider"))


@pytest.fixture
def seeded(app: FastAPI) -> FastAPI:
    app.state.accord.rng = random.Random(SEED)  # the drawn moment, reproducible
    return app


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _schedule(client: TestClient, orgs: Orgs, provider: OrgHandle, minutes: tuple[int, int]) -> dict[str, Any]:
    window = {"provider_id": provider.id, "starts_after": (START + timedelta(minutes=minutes[0])).isoformat(),
              "ends_before": (START + timedelta(minutes=minutes[1])).isoformat()}
    return _ok(client.post("/v1/drills", json=window, headers=orgs.iru.headers), 201)


def _report(client: TestClient, org: OrgHandle) -> dict[str, Any]:
    """The year's report figures (without the time it was generated)."""
    report = _ok(client.get("/v1/transparency/report", params={"year": 2026}, headers=org.headers))
    report.pop("generated_at")
    return report


def _counts(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with factory() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0)  # type: ignore[return-value]
                     for m in (Decision, Statement, Strike))


def _real_order(client: TestClient, orgs: Orgs, clock: FrozenClock) -> None:
    """One real order, answered in 10 minutes: what every figure below must count, and all it must count."""
    order = _ok(client.post("/v1/notices", json={**ORDER, "provider_id": orgs.video.id}, headers=orgs.iru.headers),
                201)
    clock.advance(minutes=10)
    _ok(client.post(f"/v1/notices/{order['id']}/outcome", json={"outcome": "removed"}, headers=orgs.video.headers))


def _one_person_answers(client: TestClient, video: OrgHandle, notice_id: str, clock: FrozenClock) -> None:
    """X-02: the one member of the provider opens, acknowledges, removes and sends the Annex II feedback."""
    clock.advance(minutes=2)
    assert _ok(client.get(f"/v1/notices/{notice_id}", headers=video.headers))["drill"] is True
    clock.advance(minutes=1)
    _ok(client.post(f"/v1/notices/{notice_id}/acknowledge", headers=video.headers))
    clock.advance(minutes=5)
    answered = _ok(client.post(f"/v1/notices/{notice_id}/outcome", json={"outcome": "removed"},
                               headers=video.headers))
    assert answered["status"] == "answered" and answered["drill"] is True
    clock.advance(minutes=1)
    feedback = _ok(client.get(f"/v1/notices/{notice_id}/feedback", headers=video.headers))
    assert feedback["annex"] == "II" and feedback["drill"] is True and feedback["signature"]


def test_a_drill_runs_end_to_end_and_is_counted_nowhere(seeded: FastAPI, client: TestClient, orgs: Orgs,
                                                        factory: sessionmaker[Session], clock: FrozenClock,
                                                        settings: Settings) -> None:
    load_all()
    _real_order(client, orgs, clock)
    before = (_report(client, orgs.video), _report(client, orgs.iru), _counts(factory))
    worker = Worker(factory, clock, settings)
    with Receiver() as receiver:
        with unit_of_work(factory) as session:
            webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=orgs.video.id, url=receiver.url)
        drill = _schedule(client, orgs, orgs.video, (30, 90))
        assert drill["status"] == "scheduled" and drill["notice_id"] is None and "send_at" not in drill
        window_start = START + timedelta(minutes=30)
        moment = drills.draw(window_start, START + timedelta(minutes=90), random.Random(SEED))
        assert window_start <= moment < START + timedelta(minutes=90)
        clock.set(moment - timedelta(seconds=1))
        worker.run_duties(0.0)
        assert _ok(client.get(f"/v1/drills/{drill['id']}", headers=orgs.iru.headers))["status"] == "scheduled"
        clock.set(moment)
        worker.run_duties(1000.0)
        worker.drain()
        sent = _ok(client.get(f"/v1/drills/{drill['id']}", headers=orgs.video.headers))
        assert sent["status"] == "sent" and sent["sent_at"].startswith(moment.isoformat()[:19])
        [hit] = [json.loads(r.body) for r in receiver.received if b"notice.received" in r.body]
        assert hit["data"]["drill"] is True and hit["data"]["notice_id"] == sent["notice_id"]
        _one_person_answers(client, orgs.video, sent["notice_id"], clock)
        worker.drain()
    card = _ok(client.get(f"/v1/drills/{drill['id']}", headers=orgs.iru.headers))
    assert card["status"] == "acted" and card["passed"] is True and card["webhook"] == "delivered"
    assert card["times"] == {"delivery": 0, "first_view": 120, "acknowledgement": 180, "action": 480,
                             "feedback": 540}
    assert card["seconds_to_action"] == 480 < 15 * 60  # one person, under 15 minutes
    assert [a["text"] for a in card["advice"]] == [
        "Nothing to fix: the order was received, acted on and answered in time."]
    assert (_report(client, orgs.video), _report(client, orgs.iru), _counts(factory)) == before
    provider_orders = before[0]["tco_art7"]["c_removals"]["after_removal_orders"]
    assert provider_orders == 1 and before[1]["tco_art8"]["a_removal_orders"]["orders"] == 1
    assert before[2] == (1, 1, 0)


def test_an_unanswered_drill_pages_the_hour_but_records_no_breach(seeded: FastAPI, client: TestClient, orgs: Orgs,
                                                                  factory: sessionmaker[Session],
                                                                  clock: FrozenClock, settings: Settings) -> None:
    load_all()
    worker = Worker(factory, clock, settings)
    drill = _schedule(client, orgs, orgs.forum, (0, 10))
    with Receiver() as receiver:
        with unit_of_work(factory) as session:
            webhooks.create_endpoint(session, clock, settings, TEST_ACTOR, org_id=orgs.forum.id, url=receiver.url)
        clock.advance(minutes=10)
        worker.run_duties(0.0)
        for step, minutes in enumerate((16, 31, 46, 61, 62), start=1):
            clock.set(START + timedelta(minutes=10 + minutes))
            worker.run_duties(step * 1000.0)
        worker.drain()
        events = [json.loads(r.body) for r in receiver.received]
    card = _ok(client.get(f"/v1/drills/{drill['id']}", headers=orgs.forum.headers))
    assert card["status"] == "missed" and card["passed"] is False and card["seconds_to_action"] is None
    escalations = [e["data"]["minutes"] for e in events if e["event"] == "notice.escalation"]
    assert escalations == [15, 30, 45] and all(e["data"]["drill"] for e in events if e["event"] != "case.decided")
    assert [e["event"] for e in events].count("notice.breach") == 1  # paged once, not every run
    with factory() as session:
        notice = session.get_one(Notice, card["notice_id"])
        assert notice.breached_at is None and notice.drill
    assert _report(client, orgs.iru)["tco_art8"]["a_removal_orders"]["one_hour_breaches"] == 0
    assert _report(client, orgs.iru)["tco_art8"]["a_removal_orders"]["orders"] == 0
    assert client.get("/v1/notices/outcomes", headers=orgs.iru.headers).json() == []  # per provider: none
    fixes = " ".join(a["text"] for a in card["advice"])
    assert "Nobody opened the order within 15 minutes" in fixes and "not acted on within the hour" in fixes


def test_who_schedules_and_who_sees_a_drill(seeded: FastAPI, client: TestClient, orgs: Orgs) -> None:
    drill = _schedule(client, orgs, orgs.video, (0, 60))
    assert client.get(f"/v1/drills/{drill['id']}", headers=orgs.forum.headers).status_code == 404
    other = {"provider_id": orgs.video.id, "starts_after": START.isoformat(),
             "ends_before": (START + timedelta(hours=1)).isoformat()}
    refused = client.post("/v1/drills", json=other, headers=orgs.forum.headers)
    assert refused.status_code == 403, refused.text
    own = _ok(client.post("/v1/drills", json={**other, "provider_id": orgs.forum.id}, headers=orgs.forum.headers), 201)
    assert own["organiser_id"] == own["provider_id"] == orgs.forum.id  # a self-drill
    backwards = {**other, "ends_before": START.isoformat()}
    assert client.post("/v1/drills", json=backwards, headers=orgs.iru.headers).json()["field"] == "ends_before"
    listed = client.get("/v1/drills", headers=orgs.video.headers).json()
    assert [d["id"] for d in listed] == [drill["id"]]
