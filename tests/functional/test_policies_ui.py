"""The policy editor (versions, preview, diff) and the incident pages (declare, timeline, conclude)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.flows import incidents
from tests.factories import PASSWORD, OrgHandle, make_orgs
from tests.helpers import ui_login


def _login(client: TestClient, handle: OrgHandle) -> str:
    response = ui_login(client, handle.email, PASSWORD, follow_redirects=False)
    assert response.status_code == 303
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/policies").text)
    assert match is not None
    return match.group(1)


def test_editor_versions_preview_and_diff(client: TestClient, factory: sessionmaker[Session],
                                          clock: FrozenClock) -> None:
    provider = make_orgs(factory, clock)["provider"]
    csrf = _login(client, provider)
    created = client.post("/ui/policies", data={"name": "TVEC", "template": "small-provider-eu",
                                                "csrf_token": csrf}, follow_redirects=False)
    assert created.status_code == 303
    page_url = created.headers["location"]
    page = client.get(page_url).text
    assert "We removed this content worldwide under clause 4.1" in page and "Publish" in page
    count = int(re.findall(r'name="count" value="(\d+)"', page)[0])
    form = {"csrf_token": csrf, "count": str(count), "note": "own category"}
    for i, (cat, action, clause, text) in enumerate(re.findall(
            r'name="category_\d+" value="([^"]*)".*?<option selected>(\w+)</option>.*?'
            r'name="clause_ref_\d+" value="([^"]*)".*?<textarea name="text_\d+" rows="2">([^<]*)</textarea>',
            page, re.S)):
        form.update({f"category_{i}": cat, f"action_{i}": action, f"clause_ref_{i}": clause, f"text_{i}": text})
    form.update({f"category_{count - 1}": "hate_symbols", f"action_{count - 1}": "restrict",
                 f"clause_ref_{count - 1}": "4.9", f"text_{count - 1}": "We restrict hateful symbols."})
    assert client.post(f"{page_url}/versions", data=form, follow_redirects=False).status_code == 303
    page = client.get(page_url).text
    assert "v2" in page and 'id="diff"' in page and "hate_symbols" in page and "added" in page
    preview = client.post("/ui/policies-preview", data={"row": "1", "category_1": "threat", "action_1": "remove",
                                                        "clause_ref_1": "9", "text_1": "No <threats>.",
                                                        "category_0": "x", "text_0": "other row"},
                          headers={"X-CSRF-Token": csrf})
    assert preview.text == "<span>We removed this content worldwide under clause 9 of our terms: " \
                           "No &lt;threats&gt;.</span>"
    publish = client.post(f"{page_url}/versions/2/publish", data={"csrf_token": csrf}, follow_redirects=False)
    assert publish.status_code == 303
    client.post(f"{page_url}/versions/2/activate", data={"csrf_token": csrf})
    assert "v2 active" in client.get(page_url).text
    refused = client.post(f"{page_url}/versions/1/activate", data={"csrf_token": "wrong"})
    assert refused.status_code == 403


def test_incident_pages_declare_timeline_and_conclude(client: TestClient, factory: sessionmaker[Session],
                                                      clock: FrozenClock) -> None:
    orgs = make_orgs(factory, clock)
    csrf = _login(client, orgs["coordinator"])
    form = {"csrf_token": csrf, "title": "UI drill", "level": "content_incident", "drill": "on",
            **dict.fromkeys(incidents.CRITERIA, "on")}
    declared = client.post("/ui/incidents", data=form, follow_redirects=False)
    assert declared.status_code == 303
    url = declared.headers["location"]
    page = client.get(url).text
    assert "policies:incident:declare" in page and "Conclude" in page and "drill" in page
    assert "shared with 1 member provider." in page and "banks:bank:create" in page
    clock.advance(hours=2)
    client.post(f"{url}/conclude", data={"csrf_token": csrf, "conclusion": "all good"})
    page = client.get(url).text
    assert "Debrief" in page and "policies:incident:conclude" in page and "2.0 h" in page
    csrf = _login(client, orgs["provider"])
    listing = client.get("/ui/incidents").text
    assert "UI drill" in listing and "Declare an incident" not in listing
    refused = client.post("/ui/incidents", data={**form, "csrf_token": csrf})
    assert "only a coordinator" in refused.text
    _login(client, orgs["authority"])  # not a member: the incident does not exist for it
    assert "UI drill" not in client.get("/ui/incidents").text
    assert client.get(url).status_code == 404
