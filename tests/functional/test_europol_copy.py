"""TCO Art. 14(4): an issuing authority may send Europol a copy of its removal order.

Europol is an authority organisation with country ``EU``. The copy goes at dispatch (not while the order is on
an operational hold), is recorded on the order and in the audit trail, reaches Europol's webhooks, and puts the
order in Europol's view, read-only: Europol reads the order, its Annex I and its feedback, and acts on nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs.models import Job
from accord.jobs.webhooks import create_endpoint
from accord.settings import Settings
from tests.factories import OrgHandle, make_org
from tests.unit.notices.helpers import payload


@dataclass
class Parties:
    iru: OrgHandle
    video: OrgHandle
    europol: OrgHandle
    other: OrgHandle


@pytest.fixture
def parties(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> Parties:
    with unit_of_work(factory) as session:
        found = Parties(make_org(session, clock, "authority", country="FR"),
                        make_org(session, clock, "provider", country="DE"),
                        make_org(session, clock, "authority", name="Europol EU IRU", country="EU"),
                        make_org(session, clock, "authority", country="NL"))
        create_endpoint(session, clock, settings, Actor.system(), org_id=found.europol.id,
                        url="http://127.0.0.1:9/europol")
        return found


def _send(client: TestClient, parties: Parties, url: str, **extra: Any) -> dict[str, Any]:
    sent = client.post("/v1/notices", headers=parties.iru.headers,
                       json=payload("removal_order", parties.video.id, url=url, **extra))
    assert sent.status_code == 201, sent.text
    body: dict[str, Any] = sent.json()
    return body


def _listed(client: TestClient, who: OrgHandle) -> list[str]:
    return [n["id"] for n in client.get("/v1/notices", headers=who.headers).json()]


def _copied_to_europol(factory: sessionmaker[Session], europol: OrgHandle) -> list[dict[str, Any]]:
    with factory() as session:
        jobs = session.scalars(select(Job).where(Job.kind == "webhook.deliver", Job.org_id == europol.id))
        return [j.payload["data"] for j in jobs if j.payload["event"] == "notice.copied"]


def test_a_copied_order_reaches_europols_view_with_its_record(client: TestClient, parties: Parties,
                                                              factory: sessionmaker[Session],
                                                              clock: FrozenClock) -> None:
    order = _send(client, parties, "https://video.example.org/watch/1", copy_to_europol=True)
    plain = _send(client, parties, "https://video.example.org/watch/2")
    assert _listed(client, parties.europol) == [order["id"]]
    seen = client.get(f"/v1/notices/{order['id']}", headers=parties.europol.headers)
    assert seen.status_code == 200
    copy = seen.json()["details"]["europol_copy"]
    assert copy == {"sent_at": clock.now().isoformat(), "org_ids": [parties.europol.id]}
    assert client.get(f"/v1/notices/{plain['id']}", headers=parties.europol.headers).status_code == 404
    assert order["id"] not in _listed(client, parties.other)
    assert client.get(f"/v1/notices/{order['id']}", headers=parties.other.headers).status_code == 404
    [told] = _copied_to_europol(factory, parties.europol)
    assert told["notice_id"] == order["id"] and told["urls"] == ["https://video.example.org/watch/1"]
    with factory() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.tag == "notices:order:europol_copy"))
        assert event.subject == order["id"] and event.payload["org_ids"] == [parties.europol.id]
        assert event.org_id == parties.iru.id
    annex = client.get(f"/v1/notices/{order['id']}/annex-i.json", headers=parties.europol.headers)
    assert annex.status_code == 200 and annex.json()["section_a"]["reference"] == order["reference"]
    client.post(f"/v1/notices/{order['id']}/outcome", headers=parties.video.headers, json={"outcome": "removed"})
    feedback = client.get(f"/v1/notices/{order['id']}/feedback", headers=parties.europol.headers)
    assert feedback.status_code == 200 and feedback.json()["annex"] == "II"


def test_europols_copy_is_read_only(client: TestClient, parties: Parties) -> None:
    order = _send(client, parties, "https://video.example.org/watch/3", copy_to_europol=True)
    path = f"/v1/notices/{order['id']}"
    attempts = {
        "outcome": {"outcome": "removed"}, "acknowledge": None, "hold": {"active": True, "reason": "ours"},
        "clarification": {"text": "which video?"}, "nondisclosure": {"extend_days": 7},
        "recheck": None, "imminent-threat": {"details": "an attack tonight"},
        "scrutiny": {"action": "decide", "infringement": True, "reasons": "no"},
    }
    for action, body in attempts.items():
        answer = client.post(f"{path}/{action}", headers=parties.europol.headers, json=body)
        assert answer.status_code in (403, 409), (action, answer.status_code, answer.text)
    assert client.get(path, headers=parties.europol.headers).json()["status"] == "received"


def test_the_copy_waits_for_the_dispatch_of_a_held_order(client: TestClient, parties: Parties,
                                                         factory: sessionmaker[Session]) -> None:
    order = _send(client, parties, "https://video.example.org/watch/4", copy_to_europol=True,
                  operational_hold="Ongoing investigation")
    assert _listed(client, parties.europol) == [] and _copied_to_europol(factory, parties.europol) == []
    lifted = client.post(f"/v1/notices/{order['id']}/hold", headers=parties.iru.headers, json={"active": False})
    assert lifted.status_code == 200, lifted.text
    assert _listed(client, parties.europol) == [order["id"]]
    assert [t["notice_id"] for t in _copied_to_europol(factory, parties.europol)] == [order["id"]]


def test_a_copy_nobody_can_receive_is_refused(client: TestClient, factory: sessionmaker[Session],
                                              clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        iru, video = make_org(session, clock, "authority", country="FR"), make_org(session, clock, "provider")
    refused = client.post("/v1/notices", headers=iru.headers, json=payload("removal_order", video.id,
                                                                           copy_to_europol=True))
    assert refused.status_code == 422 and refused.json()["field"] == "copy_to_europol"
    referral = client.post("/v1/notices", headers=iru.headers, json=payload("referral", video.id,
                                                                            copy_to_europol=True))
    assert referral.status_code == 422 and referral.json()["field"] == "copy_to_europol"
