"""/v1/training end to end: golden sets shared like banks, written and anonymised golden cases, training answers
that act on nothing, accuracy and kappa against gold, and the calibration rule refusing live claims until passed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.cases import decisions, intake, quality, service
from accord.cases.models import Case, Decision, Statement, Strike
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows import decisions as flows
from accord.identity.models import Member, Organisation
from accord.identity.service import Principal, member_principal
from accord.notices.models import Notice
from accord.settings import Settings
from accord.transparency import reports
from tests.factories import TEST_ACTOR, OrgHandle, make_org

CASE: dict[str, Any] = {"title": "Recruitment poster", "facts": "Calls on readers to join a listed group.",
                        "reference_action": "remove", "reference_ground": "TCO Art. 2(7)(c)",
                        "reference_reasons": "Solicits participation in a terrorist group."}


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"hub": make_org(session, clock, "coordinator"), "video": make_org(session, clock, "provider"),
                "forum": make_org(session, clock, "provider")}


def _set(client: TestClient, org: OrgHandle, **body: Any) -> str:
    response = client.post("/v1/training/sets", json={"name": "basics", **body}, headers=org.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _case(client: TestClient, org: OrgHandle, set_id: str, **changes: Any) -> str:
    response = client.post(f"/v1/training/sets/{set_id}/cases", json={**CASE, **changes}, headers=org.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _counts(factory: sessionmaker[Session]) -> tuple[int, ...]:
    with unit_of_work(factory) as session:
        return tuple(int(session.scalar(select(func.count()).select_from(model)) or 0)
                     for model in (Case, Decision, Statement, Strike, Notice))


def _figures(factory: sessionmaker[Session], clock: FrozenClock, org_id: str) -> dict[str, Any]:
    """The provider's transparency report for the year and its console's agreement figures."""
    with unit_of_work(factory) as session:
        org = session.get(Organisation, org_id)
        assert org is not None
        return {"report": reports.provider_report(session, clock, org=org, year=clock.now().year),
                "quality": quality.agreement(session, org_id)}


def test_golden_sets_are_shared_like_banks(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    shared = _set(client, orgs["hub"], visibility="all")
    private = _set(client, orgs["video"], name="ours")
    named = _set(client, orgs["hub"], name="for video", visibility="shared", shared_with=[orgs["video"].id])
    seen = {s["id"] for s in client.get("/v1/training/sets", headers=orgs["forum"].headers).json()}
    assert shared in seen and private not in seen and named not in seen
    seen = {s["id"] for s in client.get("/v1/training/sets", headers=orgs["video"].headers).json()}
    assert {shared, private, named} <= seen
    missing = client.get(f"/v1/training/sets/{private}", headers=orgs["forum"].headers)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    refused = client.post(f"/v1/training/sets/{shared}/cases", json=CASE, headers=orgs["forum"].headers)
    assert refused.status_code == 403  # a set shared with all is read by all, curated by its owner only


def test_a_training_answer_shows_the_reference_and_acts_on_nothing(
        client: TestClient, orgs: dict[str, OrgHandle], factory: sessionmaker[Session], clock: FrozenClock) -> None:
    set_id = _set(client, orgs["hub"], visibility="all")
    case_id = _case(client, orgs["hub"], set_id)
    before, figures = _counts(factory), _figures(factory, clock, orgs["forum"].id)
    shown = client.get(f"/v1/training/sets/{set_id}/cases/{case_id}", headers=orgs["forum"].headers).json()
    assert "reference_action" not in shown and "reference_reasons" not in shown  # decided blind
    answer = client.post(f"/v1/training/sets/{set_id}/cases/{case_id}/answers",
                         json={"action": "no_action", "reasons": "looks like news"}, headers=orgs["forum"].headers)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["correct"] is False and body["reference"] == {k: CASE[k] for k in body["reference"]}
    assert _counts(factory) == before  # no case, decision, statement of reasons, strike or notice
    assert _figures(factory, clock, orgs["forum"].id) == figures  # no report or agreement figure moves
    with unit_of_work(factory) as session:
        tags = set(session.scalars(select(AuditEvent.tag).where(AuditEvent.org_id == orgs["forum"].id)))
    assert "training:answer:record" in tags and not any(t.startswith(("cases:", "transparency:", "rights:"))
                                                         for t in tags if t != "identity:api_key:create")
    bad = client.post(f"/v1/training/sets/{set_id}/cases/{case_id}/answers", json={"action": "delete"},
                      headers=orgs["forum"].headers)
    assert bad.status_code == 422 and bad.json()["field"] == "action"


def test_accuracy_and_kappa_count_first_answers(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    set_id = _set(client, orgs["hub"], visibility="all")
    gold = ["remove", "remove", "no_action", "no_action"]
    ids = [_case(client, orgs["hub"], set_id, title=f"c{i}", reference_action=a) for i, a in enumerate(gold)]
    given = ["remove", "no_action", "no_action", "no_action"]
    for case_id, action in zip(ids, given, strict=True):
        client.post(f"/v1/training/sets/{set_id}/cases/{case_id}/answers", json={"action": action},
                    headers=orgs["video"].headers)
    # A second try after reading the reference does not count.
    client.post(f"/v1/training/sets/{set_id}/cases/{ids[1]}/answers", json={"action": "remove"},
                headers=orgs["video"].headers)
    (row,) = client.get("/v1/training/accuracy", headers=orgs["video"].headers).json()
    # observed 3/4; chance (1*2 + 3*2) / 16 = 0.5; kappa (0.75 - 0.5) / 0.5 = 0.5
    assert (row["answered"], row["correct"], row["accuracy"], row["kappa"]) == (4, 3, 0.75, 0.5)
    assert client.get("/v1/training/accuracy", headers=orgs["forum"].headers).json() == []


def test_calibration_rule_refuses_live_claims_until_passed(client: TestClient, orgs: dict[str, OrgHandle],
                                                           factory: sessionmaker[Session],
                                                           clock: FrozenClock) -> None:
    set_id = _set(client, orgs["hub"], visibility="all")
    gold = ["remove", "no_action", "remove"]
    ids = [_case(client, orgs["hub"], set_id, title=f"c{i}", reference_action=a) for i, a in enumerate(gold)]
    with unit_of_work(factory) as session:
        case, _ = service.open_case_from_match(session, clock, TEST_ACTOR, provider_id=orgs["video"].id,
                                               signal_type="md5", value="b" * 32)
        case_id = case.id
    video = orgs["video"].headers
    rule = client.put("/v1/training/rule", json={"required": True, "cases": 3, "min_accuracy": 0.6,
                                                 "min_kappa": 0.3, "set_id": set_id}, headers=video)
    assert rule.status_code == 200 and rule.json()["enabled_at"], rule.text
    for path in ("/v1/cases/next", f"/v1/cases/{case_id}/claim"):
        refused = client.post(path, headers=video)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["type"].endswith("/calibration-required") and refused.json()["cases"] == 3
    for case_ref, action in zip(ids, ["remove", "no_action"], strict=False):
        client.post(f"/v1/training/sets/{set_id}/cases/{case_ref}/answers", json={"action": action}, headers=video)
    assert client.post("/v1/cases/next", headers=video).status_code == 403  # two of three: not yet
    last = client.post(f"/v1/training/sets/{set_id}/cases/{ids[2]}/answers", json={"action": "remove"},
                       headers=video)
    assert last.json()["calibration"]["passed"] is True
    claimed = client.post("/v1/cases/next", headers=video)
    assert claimed.status_code == 200 and claimed.json()["id"] == case_id
    # Another provider without the rule claims freely.
    assert client.post("/v1/cases/next", headers=orgs["forum"].headers).status_code == 204


def test_failing_the_thresholds_keeps_the_gate_shut(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    set_id = _set(client, orgs["hub"], visibility="all")
    ids = [_case(client, orgs["hub"], set_id, title=f"c{i}", reference_action=a)
           for i, a in enumerate(["remove", "no_action"])]
    video = orgs["video"].headers
    client.put("/v1/training/rule", json={"required": True, "cases": 2, "min_accuracy": 1.0}, headers=video)
    for case_ref in ids:
        client.post(f"/v1/training/sets/{set_id}/cases/{case_ref}/answers", json={"action": "remove"}, headers=video)
    status = client.get("/v1/training/calibration", headers=video).json()
    assert (status["answered"], status["accuracy"], status["passed"]) == (2, 0.5, False)
    assert client.post("/v1/cases/next", headers=video).status_code == 403
    client.put("/v1/training/rule", json={"required": False}, headers=video)
    assert client.post("/v1/cases/next", headers=video).status_code == 204  # the rule is optional


def test_a_golden_case_from_a_decision_is_anonymised(client: TestClient, orgs: dict[str, OrgHandle],
                                                     factory: sessionmaker[Session], clock: FrozenClock,
                                                     settings: Settings) -> None:
    video = orgs["video"]
    with unit_of_work(factory) as session:
        case, _ = intake.open_or_join(session, clock, TEST_ACTOR, provider_id=video.id,
                                      content_keys=["https://video.example.org/u/jdoe/42"], source="user_report",
                                      urls=["https://video.example.org/u/jdoe/42"], title="jdoe's upload")
        service.annotate(session, clock, case, uploader_ref="jdoe-1984", media=[{"url": "data:,x", "type": "image"}],
                         labels=["graphic_violence"])
        principal = _principal(session, video)
        decision = flows.decide(session, clock, principal, case.id, decisions.DecisionInput(
            action="remove", ground="TCO Art. 2(7)(a)",
            facts="Uploader jdoe-1984 (mail jdoe@example.org, @jdoe_real) posted https://video.example.org/u/jdoe/42"
                  " glorifying the attack"), settings=settings)
        decision_id = decision.id
    set_id = _set(client, video, name="ours")
    made = client.post(f"/v1/training/sets/{set_id}/cases/from-decision", json={"decision_id": decision_id},
                       headers=video.headers)
    assert made.status_code == 201, made.text
    text = " ".join(str(v) for v in made.json().values())
    for identifier in ("jdoe-1984", "jdoe@example.org", "@jdoe_real", "https://video.example.org", "jdoe's"):
        assert identifier not in text, identifier
    assert "glorifying the attack" in made.json()["facts"] and made.json()["reference_action"] == "remove"
    assert made.json()["media"] == [{"url": "data:,x", "type": "image"}] and made.json()["origin"] == "decision"
    other = client.post(f"/v1/training/sets/{_set(client, orgs['forum'], name='theirs')}/cases/from-decision",
                        json={"decision_id": decision_id}, headers=orgs["forum"].headers)
    assert other.status_code == 404  # another organisation's decision is not found


def _principal(session: Session, org: OrgHandle) -> Principal:
    member = session.scalar(select(Member).where(Member.email == org.email))
    assert member is not None
    return member_principal(session, member)
