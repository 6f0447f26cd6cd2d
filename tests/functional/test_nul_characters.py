"""PostgreSQL text cannot hold a NUL character: one in a path or query parameter is refused with a 422 problem
naming the parameter, before it reaches the database (it was a 500 on PostgreSQL), on every route."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import make_org


@pytest.mark.parametrize(("url", "field"), [
    ("/v1/notices/a%00b", "notice_id"),
    ("/v1/notices?provider=h%00", "provider"),
    ("/v1/cases?state=open%00", "state"),
    ("/v1/audit/events?tag=notices%00", "tag"),
    ("/v1/banks/a%00/entries", "name"),
    ("/v1/campaigns/cmp%00", "campaign_id"),
])
def test_a_nul_character_is_a_422_problem(client: TestClient, factory: sessionmaker[Session], clock: FrozenClock,
                                           url: str, field: str) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
    response = client.get(url, headers=org.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
