"""An incident drill end to end over HTTP, with a coordinator, two member providers and two outsiders.

Declare against the checklist (the incident bank is created and shared with the members, who are told by a
signed webhook), add three real PDQ hashes, members match uploads (an original and edited copies) and cases
open; one member's policy removes automatically what matches the incident bank closely, with every automated
removal sampled for a human; conclude after the clock moves; the debrief's figures are what the test did; each
member gets its policy review; nobody else reads any of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data as photos
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.demo.banks import jpeg
from accord.flows import incidents
from accord.jobs import webhooks
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.settings import Settings
from tests.factories import OrgHandle, make_org
from tests.helpers import Receiver
from tests.unit.banks.helpers import flip

CRITERIA = dict.fromkeys(incidents.CRITERIA, True)
LABEL = "glorification_of_terrorist_acts"  # GIFCT label; policies read it as "glorification"
INCIDENT_REASON = "+3 severity: linked to a declared incident"
# "Remove on a match in the incident bank at PDQ distance <= 10": matching gives a PDQ match the confidence
# 1 - distance / 64, so distance 10 is 0.844 and distance 11 is 0.828.
AUTO_REMOVE = {"category": "glorification", "sources": ["incident_bank"], "action": "remove",
               "sample_share": 1.0, "min_confidence": 0.84}


@dataclass(frozen=True)
class Orgs:
    hub: OrgHandle
    a: OrgHandle  # a member whose policy acts automatically on the incident bank
    b: OrgHandle  # a member whose reviewers decide everything
    outsider: OrgHandle  # a provider the incident does not name
    other_hub: OrgHandle  # another coordinator


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> Orgs:
    with unit_of_work(factory) as session:
        return Orgs(make_org(session, clock, "coordinator", country="NL"), make_org(session, clock, country="DE"),
                    make_org(session, clock, country="FR"), make_org(session, clock, country="IE"),
                    make_org(session, clock, "coordinator", country="BE"))


def _photo(name: str) -> Image.Image:
    """One of scikit-image's bundled photographs."""
    pixels = getattr(photos, name)()
    return Image.fromarray(np.asarray(pixels, dtype=np.uint8)).convert("RGB")


def _reencoded(name: str) -> bytes:
    """An edited copy: re-encoded at JPEG quality 40 (a few PDQ bits away from the original)."""
    return jpeg(_photo(name), 40)


def _downscaled(name: str) -> bytes:
    """A more edited copy: half the size, re-encoded (further than 10 bits from the original)."""
    image = _photo(name)
    return jpeg(image.resize((image.width // 2, image.height // 2)), 75)


def _file(blob: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("upload.jpg", blob, "image/jpeg")}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _pdq(client: TestClient, who: OrgHandle, blob: bytes) -> str:
    signals = _ok(client.post("/v1/hashes", files=_file(blob), headers=who.headers))["signals"]
    return str(next(s["value"] for s in signals if s["type"] == "pdq"))


def _activate_policy(client: TestClient, who: OrgHandle, template: str, automation: list[dict[str, Any]]) -> None:
    policy = _ok(client.post("/v1/policies", json={"name": "TVEC", "template": template}, headers=who.headers), 201)
    body = _ok(client.get(f"/v1/policies/{policy['id']}/versions/1", headers=who.headers))["body"]
    version = _ok(client.post(f"/v1/policies/{policy['id']}/versions", headers=who.headers,
                              json={"body": {**body, "automation": automation}, "note": "incident opt-in"}), 201)
    for step in ("publish", "activate"):
        _ok(client.post(f"/v1/policies/{policy['id']}/versions/{version['number']}/{step}", headers=who.headers))


def _match(client: TestClient, who: OrgHandle, **request: Any) -> dict[str, Any]:
    result: dict[str, Any] = _ok(client.post("/v1/match", headers=who.headers, **request))
    return result


def _declare(client: TestClient, orgs: Orgs, title: str) -> dict[str, Any]:
    spec = {"title": title, "level": "content_incident_protocol", "criteria": CRITERIA,
            "members": [orgs.a.id, orgs.b.id], "description": "Attack livestreamed; perpetrator video spreading."}
    result: dict[str, Any] = _ok(client.post("/v1/incidents", json=spec, headers=orgs.hub.headers), 201)
    return result


def _bank_hashes(client: TestClient, orgs: Orgs, bank: str, values: list[str]) -> list[dict[str, Any]]:
    """The coordinator adds hashes with their label only: an incident bank's entries get the tag by themselves."""
    added = _ok(client.post(f"/v1/banks/{bank}/entries", headers=orgs.hub.headers, json={
        "signals": [{"type": "pdq", "value": v} for v in values], "labels": [LABEL]}), 201)
    entries: list[dict[str, Any]] = added["entries"]
    return entries


def _declare_and_hear(client: TestClient, orgs: Orgs, factory: sessionmaker[Session], clock: FrozenClock,
                      settings: Settings) -> dict[str, Any]:
    """Step 1: the members' webhook endpoints hear the declaration, signed; the outsider's hears nothing."""
    load_all()
    with Receiver() as receiver:
        secrets = {}
        for who in (orgs.a, orgs.b, orgs.outsider):
            hook = _ok(client.post("/v1/webhooks", json={"url": receiver.url}, headers=who.headers), 201)
            secrets[who.id] = hook["secret"]
        incident = _declare(client, orgs, "Livestreamed attack drill")
        assert Worker(factory, clock, settings).drain() == 2
    now = int(clock.now().timestamp())
    heard = {org_id for hit in receiver.received for org_id, secret in secrets.items()
             if webhooks.verify_signature(secret, hit.headers["Accord-Signature"], hit.body, now=now)}
    assert heard == {orgs.a.id, orgs.b.id}
    for hit in receiver.received:
        body = json.loads(hit.body)
        assert body["event"] == "incident.declared" == hit.headers["Accord-Event"]
        assert body["data"]["incident_id"] == incident["id"] and body["data"]["tag"] == incident["tag"]
        assert body["data"]["bank_id"] == incident["bank_id"]
    return incident


def _check_incident_bank(client: TestClient, orgs: Orgs, incident: dict[str, Any]) -> None:
    bank = _ok(client.get(f"/v1/banks/{incident['bank_id']}", headers=orgs.hub.headers))
    assert (bank["visibility"], sorted(bank["shared_with"])) == ("shared", sorted([orgs.a.id, orgs.b.id]))
    assert incident["members"] == [orgs.a.id, orgs.b.id] and incident["state"] == "active"
    for who in (orgs.a, orgs.b):
        assert _ok(client.get(f"/v1/banks/{incident['bank_id']}", headers=who.headers))["id"] == bank["id"]
    for who in (orgs.outsider, orgs.other_hub):
        assert client.get(f"/v1/banks/{incident['bank_id']}", headers=who.headers).status_code == 404


def _automated_removal(client: TestClient, who: OrgHandle, answer: dict[str, Any], tag: str) -> str:
    """Step 4: the match was acted on alone, automated in its statement of reasons, and sent to a human."""
    [match] = answer["matches"]
    assert match["incident_tags"] == [tag] and match["distance"] <= 10 and answer["action"] == "remove"
    case = _ok(client.get(f"/v1/cases/{answer['case_id']}", headers=who.headers))
    [decision] = case["decisions"]
    assert case["state"] == "decided" and decision["action"] == "remove" and decision["countries"] == []
    assert decision["automated_decision"] and decision["automated_detection"] and decision["ground_ref"] == "4.7"
    statement = _ok(client.get(f"/v1/statements/{decision['statement_id']}", headers=who.headers))
    assert statement["elements"]["automated_means"] == {"detection": True, "decision": True}
    return str(case["id"])


def test_incident_drill_end_to_end(client: TestClient, orgs: Orgs, factory: sessionmaker[Session],
                                   clock: FrozenClock, settings: Settings) -> None:
    _activate_policy(client, orgs.a, "small-provider-eu", [AUTO_REMOVE])
    _activate_policy(client, orgs.b, "small-provider-eu-de", [])
    declared_at = clock.now()

    # 1. The coordinator declares; the incident bank is shared with the two members, who are told.
    incident = _declare_and_hear(client, orgs, factory, clock, settings)
    tag, bank = incident["tag"], incident["bank_id"]
    _check_incident_bank(client, orgs, incident)

    # 2. Ten minutes later, three PDQ hashes of real photographs go into the incident bank.
    clock.advance(minutes=10)
    originals = {name: jpeg(_photo(name)) for name in ("astronaut", "coffee", "chelsea")}
    hashes = {name: _pdq(client, orgs.hub, blob) for name, blob in originals.items()}
    added = _bank_hashes(client, orgs, bank, list(hashes.values()))
    assert [e["incident_tags"] for e in added] == [[tag]] * 3, "tagged without the coordinator naming the tag"

    # 3. and 4. Five minutes later the members match uploads; member A's policy removes close matches alone.
    clock.advance(minutes=5)
    exact = _match(client, orgs.a, files=_file(originals["astronaut"]))
    edited = _match(client, orgs.a, files=_file(_reencoded("coffee")))
    assert edited["matches"][0]["distance"] > 0, "the re-encoded copy is not byte-identical"
    auto_cases = [_automated_removal(client, orgs.a, answer, tag) for answer in (exact, edited)]
    far = _match(client, orgs.a, json={"signals": [{"type": "pdq", "value": flip(hashes["chelsea"], 16)}]})
    assert far["matches"][0]["distance"] == 16 and far["action"] == "review", "beyond distance 10: a human decides"
    b_answer = _match(client, orgs.b, files=_file(_downscaled("chelsea")))
    [b_match] = b_answer["matches"]
    assert b_match["incident_tags"] == [tag] and b_match["bank_id"] == bank and b_answer["action"] == "review"
    assert 10 < b_match["distance"] <= 31, "matched although edited beyond the automatic threshold"
    waiting = _ok(client.get("/v1/cases", headers=orgs.b.headers))
    assert [c["id"] for c in waiting] == [b_answer["case_id"]] and waiting[0]["sources"] == ["hash_match"]
    assert client.post("/v1/match", headers=orgs.outsider.headers,
                       files=_file(originals["astronaut"])).json()["matches"] == [], "the outsider matches nothing"
    verifications = _ok(client.get("/v1/quality/reviews", headers=orgs.a.headers))
    assert sorted(r["case_id"] for r in verifications if r["kind"] == "verification") == sorted(auto_cases)

    # Twenty minutes later B's reviewer applies the German overlay of its policy: disabled in Germany only.
    clock.advance(minutes=20)
    resolution = _ok(client.get("/v1/policies/resolve", params={"category": "glorification", "country": "DE"},
                                headers=orgs.b.headers))
    assert (resolution["action"], resolution["countries"]) == ("disable", ["DE"])
    claimed = _ok(client.post("/v1/cases/next", headers=orgs.b.headers))
    assert claimed["id"] == b_answer["case_id"]
    _ok(client.post(f"/v1/cases/{claimed['id']}/decision", headers=orgs.b.headers, json={
        "action": "disable", "countries": resolution["countries"], "ground": resolution["legal_ref"],
        "ground_kind": "legal", "facts": "Downscaled copy of a still from the perpetrator's video.",
        "ground_explanation": resolution["statement"]}), 201)

    # 5. Forty-five minutes later the coordinator concludes; the debrief is what happened.
    clock.advance(minutes=45)
    concluded_at = clock.now()
    assert client.post(f"/v1/incidents/{incident['id']}/conclude", json={"conclusion": "contained"},
                       headers=orgs.a.headers).status_code == 403
    done = _ok(client.post(f"/v1/incidents/{incident['id']}/conclude", json={"conclusion": "contained"},
                           headers=orgs.hub.headers))
    assert done["state"] == "concluded" and done["concluded_at"].startswith(concluded_at.isoformat()[:19])
    report = _ok(client.get(f"/v1/incidents/{incident['id']}/debrief", headers=orgs.a.headers))
    full = _ok(client.get(f"/v1/incidents/{incident['id']}/debrief", headers=orgs.hub.headers))
    assert {**full, "timeline": []} == {**report, "timeline": []}
    assert [e["tag"] for e in full["timeline"]] == [e["tag"] for e in report["timeline"]]
    assert orgs.b.id in {e["org_id"] for e in full["timeline"]}, "the coordinator sees who did what"
    assert {e["org_id"] for e in report["timeline"]} == {orgs.hub.id, orgs.a.id, None}, "A sees B's only as when"
    assert (report["hashes_added"], report["matches"], report["providers_matched"]) == (3, 4, 2)
    assert report["actions"] == {"remove": 2, "disable": 1}
    assert report["action_scopes"] == [
        {"action": "disable", "countries": ["DE"], "automated": False, "count": 1},
        {"action": "remove", "countries": [], "automated": True, "count": 2}]
    assert (report["automated_actions"], report["sampled_for_verification"]) == (2, 2)
    assert report["duration_seconds"] == (concluded_at - declared_at).total_seconds() == 80 * 60
    assert report["seconds_to_first_hash"] == 10 * 60
    assert report["seconds_to_first_match"] == report["seconds_to_first_action"] == 15 * 60
    tags = [event["tag"] for event in report["timeline"]]
    assert tags[0] == "policies:incident:declare" and tags[-1] == "policies:incident:conclude"
    assert tags.count("matching:match:found") == 4 and tags.count("banks:entry:add") == 1
    for who in (orgs.a, orgs.b):
        [task] = _ok(client.get("/v1/policy-reviews", headers=who.headers))
        assert (task["incident_id"], task["state"]) == (incident["id"], "open")

    # 6. Nobody else reads the incident or its debrief, nor is asked to review anything.
    for who in (orgs.outsider, orgs.other_hub):
        for path in ("", "/debrief"):
            assert client.get(f"/v1/incidents/{incident['id']}{path}", headers=who.headers).status_code == 404
        assert _ok(client.get("/v1/incidents", headers=who.headers)) == []
    assert _ok(client.get("/v1/policy-reviews", headers=orgs.outsider.headers)) == []


def _waiting(client: TestClient, who: OrgHandle) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = _ok(client.get("/v1/cases", headers=who.headers))
    return cases


def test_incident_cases_rise_in_review_while_the_incident_is_active(
    client: TestClient, orgs: Orgs, clock: FrozenClock
) -> None:
    """Step 3 of the drill: a member's case from the incident bank ranks above an otherwise equal case from
    another bank, with the incident among the score's reasons; after the conclusion the same case drops."""
    _ok(client.post("/v1/banks", json={"name": "hub list", "visibility": "all"}, headers=orgs.hub.headers), 201)
    [plain_entry] = _bank_hashes(client, orgs, "hub list", [_pdq(client, orgs.hub, jpeg(_photo("rocket")))])
    assert plain_entry["incident_tags"] == []
    plain = _match(client, orgs.b, files=_file(_reencoded("rocket")))
    clock.advance(minutes=5)
    incident = _declare(client, orgs, "Livestreamed attack")
    _bank_hashes(client, orgs, incident["bank_id"], [_pdq(client, orgs.hub, jpeg(_photo("coffee")))])
    clock.advance(minutes=5)
    tagged = _match(client, orgs.b, files=_file(_reencoded("coffee")))
    first, second = _waiting(client, orgs.b)
    assert (first["id"], second["id"]) == (tagged["case_id"], plain["case_id"])
    assert INCIDENT_REASON in first["score_reasons"] and INCIDENT_REASON not in second["score_reasons"]
    assert first["score"] > second["score"]
    assert _ok(client.post("/v1/cases/next", headers=orgs.b.headers))["id"] == tagged["case_id"]
    _ok(client.post(f"/v1/cases/{tagged['case_id']}/release", headers=orgs.b.headers))
    clock.advance(hours=2)
    _ok(client.post(f"/v1/incidents/{incident['id']}/conclude", json={}, headers=orgs.hub.headers))
    first, second = _waiting(client, orgs.b)
    assert (first["id"], second["id"]) == (plain["case_id"], tagged["case_id"]), "the older case is first again"
    assert INCIDENT_REASON not in second["score_reasons"] and second["score"] == first["score"]
