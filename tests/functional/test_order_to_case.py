"""A provider that answers a removal order directly has acted: the order's case leaves the review queues."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.cases.models import Case
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import make_org

ORDER = {"kind": "removal_order", "reference": "FR-IRU-2026-0042", "urls": ["https://video.example.org/watch/1"],
         "tco_types": ["incitement"], "reasons": "Glorifies an attack and calls for more.",
         "legal_basis": "Regulation (EU) 2021/784, Art. 3", "redress": {"body": "Tribunal administratif",
                                                                       "deadline_days": 30},
         "emergency": True, "emergency_reason": "An attack is being live-streamed."}


def _state(factory: sessionmaker[Session], case_id: str) -> str:
    with factory() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.state


def test_a_direct_answer_decides_the_case_for_every_order_in_it(client: TestClient,
                                                                 factory: sessionmaker[Session],
                                                                 clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider")
        first, second = make_org(session, clock, "authority"), make_org(session, clock, "authority")
    orders = []
    for authority in (first, second):
        created = client.post("/v1/notices", json={**ORDER, "provider_id": provider.id}, headers=authority.headers)
        assert created.status_code == 201, created.text
        orders.append(created.json())
    assert orders[0]["case_id"] == orders[1]["case_id"]
    case_id = orders[0]["case_id"]
    clock.advance(minutes=20)
    answered = client.post(f"/v1/notices/{orders[0]['id']}/outcome", json={"outcome": "removed"},
                           headers=provider.headers)
    assert answered.status_code == 200, answered.text
    # A direct answer is a decision on the content, and a decision answers every notice of its case.
    assert _state(factory, case_id) == "decided"
    second = client.get(f"/v1/notices/{orders[1]['id']}", headers=provider.headers).json()
    assert second["status"] == "answered" and second["outcome"] == "removed"
    again = client.post(f"/v1/notices/{orders[1]['id']}/outcome", json={"outcome": "removed"},
                        headers=provider.headers)
    assert again.status_code == 409
