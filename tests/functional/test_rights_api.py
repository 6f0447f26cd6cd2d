"""Rights over HTTP: complaints, user notices and the public page, preservation, profile, and 404 across orgs."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity.models import Member
from accord.rights import preservation
from accord.settings import Settings
from tests.factories import PASSWORD, TEST_ACTOR, OrgHandle, make_org
from tests.helpers import ui_login
from tests.unit.transparency import history

FACTS = {"what": "your video 'night raid'", "why": "It glorifies an attack.", "ground": "TCO Art. 2(7)(a)",
         "automated": False}


@dataclass(frozen=True)
class Setup:
    provider: OrgHandle
    other: OrgHandle
    authority: OrgHandle
    reviewer_id: str
    removed: str
    kept: str
    item_id: str


@pytest.fixture
def setup(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> Setup:
    with unit_of_work(factory) as session:
        provider, other = make_org(session, clock, "provider"), make_org(session, clock, "provider")
        authority = make_org(session, clock, "authority")
        notice_id = history.notice(session, clock, provider_id=provider.id, issuer_id=authority.id)
        removed = history.decision(session, clock, provider.id, notice_ids=[notice_id])
        kept = history.decision(session, clock, provider.id, action="no_action", notice_ids=[notice_id])
        item = preservation.preserve(session, clock, settings, TEST_ACTOR, provider_id=provider.id,
                                     decision_id=removed, content=b"clip", metadata={"url": "https://v.example/1"})
        reviewer = session.scalar(select(Member.id).where(Member.org_id == provider.id))
        assert reviewer is not None
    return Setup(provider, other, authority, reviewer, removed, kept, item.id)


def test_complaint_lifecycle(client: TestClient, setup: Setup) -> None:
    filed = client.post("/v1/complaints", headers=setup.provider.headers,
                        json={"decision_id": setup.removed, "statement": "It is reporting."})
    assert filed.status_code == 201, filed.text
    complaint = filed.json()
    assert complaint["state"] == "pending" and not complaint["overdue"]
    queue = client.get("/v1/complaints", headers=setup.provider.headers).json()
    assert [c["id"] for c in queue] == [complaint["id"]]
    url = f"/v1/complaints/{complaint['id']}/decision"
    missing = client.post(url, headers=setup.provider.headers,
                          json={"outcome": "upheld", "reasons": " ", "reviewer_id": setup.reviewer_id})
    assert missing.status_code == 422 and missing.json()["field"] == "reasons"
    reversed_ = client.post(url, headers=setup.provider.headers,
                            json={"outcome": "reversed", "reasons": "News report.", "reviewer_id": setup.reviewer_id})
    assert reversed_.status_code == 200 and reversed_.json()["outcome"] == "reversed"
    item = client.get(f"/v1/preservation/{setup.item_id}", headers=setup.provider.headers).json()
    assert item["reinstated_at"] is not None


def test_a_notifier_files_after_no_action_and_sees_only_its_own(client: TestClient, setup: Setup) -> None:
    filed = client.post("/v1/complaints", headers=setup.authority.headers,
                        json={"decision_id": setup.kept, "by": "notifier", "statement": "This is propaganda."})
    assert filed.status_code == 201, filed.text
    mine = client.get("/v1/complaints", headers=setup.authority.headers).json()
    assert [c["id"] for c in mine] == [filed.json()["id"]]
    refused = client.post("/v1/complaints", headers=setup.other.headers,
                          json={"decision_id": setup.kept, "by": "notifier", "statement": "x"})
    assert refused.status_code == 404


def test_another_organisation_gets_404(client: TestClient, setup: Setup) -> None:
    complaint = client.post("/v1/complaints", headers=setup.provider.headers,
                            json={"decision_id": setup.removed, "statement": "x"}).json()
    for path in (f"/v1/complaints/{complaint['id']}", f"/v1/preservation/{setup.item_id}"):
        assert client.get(path, headers=setup.other.headers).status_code == 404
    access = client.post(f"/v1/preservation/{setup.item_id}/access", headers=setup.other.headers,
                         json={"purpose": "review"})
    assert access.status_code == 404
    assert client.get("/v1/preservation", headers=setup.other.headers).json() == []
    assert client.post("/v1/complaints", headers=setup.other.headers,
                       json={"decision_id": setup.removed, "statement": "x"}).status_code == 404


def test_preservation_access_needs_a_purpose(client: TestClient, setup: Setup) -> None:
    url = f"/v1/preservation/{setup.item_id}/access"
    assert client.post(url, headers=setup.provider.headers, json={}).status_code == 403
    read = client.post(url, headers=setup.provider.headers, json={"purpose": "investigation", "note": "case 7"})
    assert read.status_code == 200
    assert base64.b64decode(read.json()["content_base64"]) == b"clip"
    events = client.get("/v1/audit/events", headers=setup.provider.headers,
                        params={"tag": "rights:preservation:access"}).json()
    assert events and events[0]["payload"]["purpose"] == "investigation"


def test_user_notice_link_opens_the_public_complaint_page(client: TestClient, setup: Setup,
                                                           clock: FrozenClock) -> None:
    issued = client.post("/v1/user-notices", headers=setup.provider.headers, json={
        "decision_id": setup.removed, "uploader_contact": "up@example.org", "facts": FACTS})
    assert issued.status_code == 201, issued.text
    path = issued.json()["complaint_path"]
    page = client.get(path)
    assert page.status_code == 200 and "night raid" in page.text
    filed = client.post(path, data={"statement": "This was satire."})
    assert filed.status_code == 201 and "complaint was received" in filed.text
    queue = client.get("/v1/complaints", headers=setup.provider.headers).json()
    assert [c["by"] for c in queue] == ["uploader"]
    assert client.get(path[:-3] + "abc").status_code == 404
    listed = client.get("/v1/user-notices", headers=setup.provider.headers).json()
    assert "complaint_path" not in listed[0] and listed[0]["state"] == "sent"


def test_a_held_notice_has_no_link(client: TestClient, setup: Setup, clock: FrozenClock) -> None:
    until = clock.now().replace(month=clock.now().month + 1).isoformat()
    issued = client.post("/v1/user-notices", headers=setup.provider.headers, json={
        "decision_id": setup.removed, "uploader_contact": "up@example.org", "facts": FACTS,
        "nondisclosure_until": until}).json()
    assert issued["state"] == "held" and issued["complaint_path"] is None


def test_profile_switch(client: TestClient, setup: Setup) -> None:
    switched = client.put("/v1/rights/profile", headers=setup.provider.headers, json={"micro_small": True}).json()
    duties = {d["source"]: d["applies"] for d in switched["duties"]}
    assert duties["DSA Art. 16"] and duties["DSA Art. 17"] and duties["TCO Art. 10"]
    assert duties["DSA Art. 24(3), kept by Art. 19(1)"] and not duties["DSA Art. 24(5), spared by Art. 19(1)"]
    assert not duties["DSA Art. 15(1), spared by Art. 15(2)"]
    assert client.get("/v1/rights/profile", headers=setup.provider.headers).json()["micro_small"] is True
    assert client.put("/v1/rights/profile", headers=setup.authority.headers,
                      json={"micro_small": True}).status_code == 403


def _login(client: TestClient, handle: OrgHandle) -> str:
    ui_login(client, handle.email, PASSWORD, follow_redirects=False)
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/rights").text)
    assert match is not None
    return match.group(1)


def test_the_rights_page_decides_with_the_logged_in_reviewer(client: TestClient, setup: Setup) -> None:
    complaint = client.post("/v1/complaints", headers=setup.provider.headers,
                            json={"decision_id": setup.removed, "statement": "Reporting."}).json()
    csrf = _login(client, setup.provider)
    page = client.get("/ui/rights").text
    assert "13 d" in page or "14 d" in page
    url = f"/ui/rights/complaints/{complaint['id']}/decide"
    assert client.post(url, data={"csrf_token": csrf, "outcome": "upheld", "reasons": ""}).status_code == 422
    assert client.post(url, data={"csrf_token": "wrong", "outcome": "upheld", "reasons": "x"}).status_code == 403
    done = client.post(url, data={"csrf_token": csrf, "outcome": "upheld", "reasons": "Glorification."},
                       follow_redirects=False)
    assert done.status_code == 303
    decided = client.get(f"/v1/complaints/{complaint['id']}", headers=setup.provider.headers).json()
    assert decided["reviewer_id"] == setup.reviewer_id and decided["reasons"] == "Glorification."
