"""Policies and incidents over HTTP: isolation, versions and diff, resolution, incident membership.

The incident drill end to end is ``test_incident_drill.py``."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord import demo
from accord.audit.service import Actor
from accord.cases.models import Case
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows import incidents
from accord.identity import service as identity
from accord.policies import service
from accord.settings import Settings
from tests.factories import OrgHandle, make_org, make_orgs

CRITERIA = dict.fromkeys(incidents.CRITERIA, True)


def _policy(client: TestClient, org: OrgHandle) -> dict[str, Any]:
    response = client.post("/v1/policies", json={"name": "TVEC", "template": "small-provider-eu-de"},
                           headers=org.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def _activate(client: TestClient, org: OrgHandle, policy_id: str, number: int) -> None:
    for step in ("publish", "activate"):
        response = client.post(f"/v1/policies/{policy_id}/versions/{number}/{step}", headers=org.headers)
        assert response.status_code == 200, response.text


def test_versions_diff_and_resolution(client: TestClient, factory: sessionmaker[Session],
                                      clock: FrozenClock) -> None:
    provider = make_orgs(factory, clock)["provider"]
    policy = _policy(client, provider)
    _activate(client, provider, policy["id"], 1)
    [first] = client.get(f"/v1/policies/{policy['id']}/versions", headers=provider.headers).json()
    body = first["body"]
    body["rules"] = [dict(r, action="remove") if r["category"] == "glorification" else r for r in body["rules"]]
    created = client.post(f"/v1/policies/{policy['id']}/versions", json={"body": body, "note": "stricter"},
                          headers=provider.headers)
    assert created.status_code == 201 and created.json()["number"] == 2
    diff = client.get(f"/v1/policies/{policy['id']}/diff", params={"from_version": 1, "to_version": 2},
                      headers=provider.headers).json()
    assert [(c["key"], c["change"], c["fields"]) for c in diff["changes"]] == [("glorification", "changed", ["action"])]
    de = client.get("/v1/policies/resolve", params={"category": "glorification", "country": "DE"},
                    headers=provider.headers).json()
    assert (de["action"], de["countries"], de["version"]) == ("disable", ["DE"], 1)
    assert "StGB § 140" in de["legal_ref"] and de["statement"].startswith("We disabled access")
    _activate(client, provider, policy["id"], 2)
    now = client.get("/v1/policies/resolve", params={"category": "glorification", "country": "DE"},
                     headers=provider.headers).json()
    assert (now["action"], now["countries"], now["version"]) == ("remove", [], 2)
    assert client.get(f"/v1/policies/{policy['id']}", headers=provider.headers).json()["active_version"] == 2


def test_a_zero_sample_share_is_refused_over_http(client: TestClient, factory: sessionmaker[Session],
                                                  clock: FrozenClock) -> None:
    provider = make_orgs(factory, clock)["provider"]
    policy = _policy(client, provider)
    body = client.get(f"/v1/policies/{policy['id']}/versions/1", headers=provider.headers).json()["body"]
    body["automation"] = [{"category": "instruction", "sources": ["coordinator_bank"], "action": "remove",
                           "sample_share": 0}]
    response = client.post(f"/v1/policies/{policy['id']}/versions", json={"body": body}, headers=provider.headers)
    assert response.status_code == 422 and response.json()["field"] == "automation[0].sample_share"


def test_another_providers_policy_is_404(client: TestClient, factory: sessionmaker[Session],
                                         clock: FrozenClock) -> None:
    provider = make_orgs(factory, clock)["provider"]
    with unit_of_work(factory) as session:
        other = make_org(session, clock, "provider")
    policy = _policy(client, provider)
    for method, path in [("GET", ""), ("GET", "/versions"), ("GET", "/versions/1"), ("POST", "/versions/1/publish"),
                         ("GET", "/diff?from_version=1&to_version=1")]:
        response = client.request(method, f"/v1/policies/{policy['id']}{path}", headers=other.headers)
        assert response.status_code == 404, (method, path, response.status_code)
    assert client.get("/v1/policies", headers=other.headers).json() == []
    assert client.get("/v1/policies/resolve", params={"category": "threat"}, headers=other.headers).status_code == 404


def test_the_jurisdiction_guide_and_templates_are_served(client: TestClient, factory: sessionmaker[Session],
                                                         clock: FrozenClock) -> None:
    orgs = make_orgs(factory, clock)
    guide = client.get("/v1/jurisdictions", headers=orgs["authority"].headers).json()
    assert guide["jurisdictions"][0]["code"] == "EU" and len(guide["jurisdictions"][0]["countries"]) == 27
    names = [t["name"] for t in client.get("/v1/policy-templates", headers=orgs["provider"].headers).json()]
    assert "small-provider-eu" in names


def test_incidents_are_readable_by_their_coordinator_and_members_and_declarable_only_by_coordinators(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock
) -> None:
    orgs = make_orgs(factory, clock)
    spec = {"title": "Attack", "level": "content_incident_protocol", "criteria": CRITERIA}
    for kind in ("provider", "authority", "trusted_flagger", "civil_society"):
        response = client.post("/v1/incidents", json=spec, headers=orgs[kind].headers)
        assert response.status_code == 403, kind
    created = client.post("/v1/incidents", json=spec, headers=orgs["coordinator"].headers)
    assert created.status_code == 201
    incident_id = created.json()["id"]
    assert created.json()["members"] == [orgs["provider"].id], "every provider takes part by default"
    for kind, org in orgs.items():
        response = client.get(f"/v1/incidents/{incident_id}", headers=org.headers)
        takes_part = kind in ("coordinator", "provider")
        assert response.status_code == (200 if takes_part else 404), kind
        assert takes_part == (response.json().get("tag") == created.json()["tag"]), kind
    conclude = client.post(f"/v1/incidents/{incident_id}/conclude", json={}, headers=orgs["provider"].headers)
    assert conclude.status_code == 403
    missing = client.post("/v1/incidents", json={**spec, "criteria": {"ongoing_event": True}},
                          headers=orgs["coordinator"].headers)
    assert missing.status_code == 422 and missing.json()["field"] == "criteria"
    stranger = client.post("/v1/incidents", json={**spec, "members": [orgs["authority"].id]},
                           headers=orgs["coordinator"].headers)
    assert stranger.status_code == 422 and stranger.json()["field"] == "members"


def test_only_the_coordinators_own_bank_may_become_the_incident_bank(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock
) -> None:
    orgs = make_orgs(factory, clock)
    hub, provider = orgs["coordinator"], orgs["provider"]
    spec = {"title": "Drill", "level": "content_incident", "criteria": CRITERIA, "drill": True}
    incident = client.post("/v1/incidents", json=spec, headers=hub.headers).json()
    assert incident["bank_id"], "declaring creates the incident bank"
    mine = client.post("/v1/banks", json={"name": "hub list", "visibility": "all"}, headers=hub.headers).json()
    theirs = client.post("/v1/banks", json={"name": "own list"}, headers=provider.headers).json()
    refused = client.post(f"/v1/incidents/{incident['id']}/bank", json={"bank_id": theirs["id"]},
                          headers=hub.headers)
    assert refused.status_code == 404
    linked = client.post(f"/v1/incidents/{incident['id']}/bank", json={"bank_id": mine["id"]},
                         headers=hub.headers)
    assert linked.status_code == 200 and linked.json()["bank_id"] == mine["id"]


def _routes() -> list[tuple[str, str]]:
    from fastapi.routing import APIRoute

    from accord.web.api.policies import router

    return [(method, route.path) for route in router.routes if isinstance(route, APIRoute)
            for method in sorted(route.methods)]


def test_every_policy_route_needs_a_key_and_never_touches_what_does_not_exist(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock
) -> None:
    orgs = make_orgs(factory, clock)
    routes = _routes()
    assert len(routes) >= 17
    for method, path in routes:
        url = re.sub(r"{[^}]+}", "x_missing", path)
        assert client.request(method, url, json={}).status_code == 401, (method, path)
        for kind, org in orgs.items():
            status = client.request(method, url, json={}, headers=org.headers).status_code
            assert status < 500, (method, path, kind, status)
            assert "{" not in path or status >= 400, (method, path, kind, status)


def test_demo_policies_are_reachable_only_by_their_provider(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    with unit_of_work(factory) as session:
        world = demo.seed(session, clock, settings)
        assert world is not None
        keys = {slug: identity.create_key(session, clock, Actor("test", None), org_id=org.id)[1]
                for slug, org in world.orgs.items()}
        owned = [(p.id, slug) for slug, org in world.orgs.items() for p in service.list_policies(session, org.id)]
    assert len(owned) == 2
    for policy_id, owner in owned:
        for slug, key in keys.items():
            status = client.get(f"/v1/policies/{policy_id}/versions", headers={"Authorization": f"Bearer {key}"})
            assert (status.status_code == 200) == (slug == owner), (slug, owner, status.status_code)
    versions = client.get(f"/v1/policies/{owned[0][0]}/versions",
                          headers={"Authorization": f"Bearer {keys[owned[0][1]]}"}).json()
    assert [v["number"] for v in versions] == [1, 2]
    assert any(o["jurisdiction"] == "DE" for o in versions[1]["body"]["overlays"])
    assert [a["sources"] for a in versions[1]["body"]["automation"]] == [["coordinator_bank"]]
    listed = client.get("/v1/incidents", headers={"Authorization": f"Bearer {keys['forumnest']}"}).json()
    # the readiness demo's joint exercise is a concluded drill incident (accord.demo.readiness)
    assert sorted((i["state"], i["drill"]) for i in listed) == [("active", True), ("concluded", False),
                                                                ("concluded", True)]


def test_demo_incidents_have_hashes_matches_and_a_raised_case(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    """`make run` shows living incidents: hashes in each incident bank soon after the declaration, a member's
    re-upload matching them, and (for the active drill) that member's case raised in review."""
    with unit_of_work(factory) as session:
        world = demo.seed(session, clock, settings)
        assert world is not None
        hub_key = identity.create_key(session, clock, Actor("test", None), org_id=world.orgs["hub"].id)[1]
    hub = {"Authorization": f"Bearer {hub_key}"}
    for incident in client.get("/v1/incidents", headers=hub).json():
        debrief = client.get(f"/v1/incidents/{incident['id']}/debrief", headers=hub).json()
        assert debrief["hashes_added"] > 0, incident["title"]
        # a readiness exercise (accord.demo.readiness) measures response times to its orders, not uploads
        assert debrief["matches"] >= 1 or incident["title"].startswith("Exercise: "), incident["title"]
    with unit_of_work(factory) as session:
        drill = next(i for i in incidents.list_incidents(session, state="active"))
        raised = [c for c in session.scalars(select(Case).where(Case.state == "open"))
                  if any(drill.tag in s.get("labels", []) for s in c.signals)]
        assert raised and any("incident" in " ".join(map(str, c.score_reasons)) for c in raised), raised
