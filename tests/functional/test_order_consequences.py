"""What follows an executed cross-border removal order: Art. 4 scrutiny (the content provider's own 48 hours,
the host authority's 72 hours, reinstatement on infringement) and Art. 9 reviews (annulment reinstates,
confirmation makes the order final), through the review console, the worker and the API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.cases import decisions
from accord.cases.models import Case
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import Conflict, InvalidInput
from accord.flows import decisions as flows
from accord.identity.service import authenticate_key
from accord.jobs.models import Job
from accord.jobs.registry import load_all
from accord.jobs.webhooks import create_endpoint
from accord.jobs.worker import Worker
from accord.notices import service
from accord.notices.models import Notice, ReinstatementInstruction
from accord.rights import orders, reviews
from accord.rights.models import PreservedItem
from accord.settings import Settings
from tests.factories import PASSWORD, TEST_ACTOR, OrgHandle, make_org
from tests.helpers import ui_login
from tests.unit.notices.helpers import payload


@dataclass(frozen=True)
class Executed:
    issuer: OrgHandle
    host: OrgHandle
    provider: OrgHandle
    notice_id: str
    decision_id: str
    token: str


def _execute(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> Executed:
    """An FR authority orders an IE provider; the provider removes in the review console; the worker preserves
    the content and tells the uploader (the Art. 11(2) information), whose link token the webhook carries."""
    load_all()
    with unit_of_work(factory) as session:
        issuer = make_org(session, clock, "authority", country="FR")
        host = make_org(session, clock, "authority", country="IE")
        provider = make_org(session, clock, "provider", country="IE")
        create_endpoint(session, clock, settings, TEST_ACTOR, org_id=provider.id, url="http://127.0.0.1:9/hook")
        notice = service.receive(session, clock, settings, authenticate_key(session, clock, issuer.key),
                                 payload("removal_order", provider.id))
        case = session.get(Case, notice.case_id)
        assert case is not None and notice.host_authority_id == host.id
        case.uploader_ref = "uploader@example.org"
        decision = flows.decide(session, clock, authenticate_key(session, clock, provider.key), case.id,
                                    decisions.DecisionInput(action="remove", ground="TCO Art. 3",
                                                            facts="Glorifies an attack.", ground_kind="legal"))
        notice_id, decision_id = notice.id, decision.id
    Worker(factory, clock, settings).drain()
    return Executed(issuer, host, provider, notice_id, decision_id, _token(factory))


def _token(factory: sessionmaker[Session]) -> str:
    with factory() as session:
        for job in session.scalars(select(Job).where(Job.kind == "webhook.deliver")):
            if job.payload["event"] == "user_notice.send":
                return str(job.payload["data"]["complaint_path"]).rsplit("/", 1)[1]
    raise AssertionError("the uploader was not told")


def _tags(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.tag).order_by(AuditEvent.seq)))


def _webhook_events(session: Session, org_id: str) -> list[str]:
    return [j.payload["event"] for j in session.scalars(select(Job).where(Job.kind == "webhook.deliver",
                                                                          Job.org_id == org_id))]


def test_the_content_provider_asks_for_scrutiny_within_48_hours_of_its_notice(
    factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, client: TestClient
) -> None:
    done = _execute(factory, clock, settings)
    clock.advance(hours=47)
    with unit_of_work(factory) as session:
        reached = orders.request_scrutiny_as_content_provider(session, clock, token=done.token, reason="Satire.")
        assert reached == [done.notice_id]
    with factory() as session:
        notice = session.get(Notice, done.notice_id)
        assert notice is not None and notice.scrutiny["requests"][0]["by"] == "content_provider"
        assert notice.scrutiny["decide_until"] == (clock.now() + timedelta(hours=72)).isoformat()
    clock.advance(hours=2)  # 49 hours after the notice reached the uploader
    with unit_of_work(factory) as session, pytest.raises(Conflict):
        orders.request_scrutiny_as_content_provider(session, clock, token=done.token, reason="Late.")


def test_the_content_provider_files_on_its_notice_page(factory: sessionmaker[Session], clock: FrozenClock,
                                                       settings: Settings, client: TestClient) -> None:
    done = _execute(factory, clock, settings)
    page = client.get(f"/ui/rights/n/{done.token}")
    assert "Ask for scrutiny" in page.text
    filed = client.post(f"/ui/rights/n/{done.token}/scrutiny", data={"reason": "This is reporting."})
    assert filed.status_code == 201 and "request for scrutiny was sent" in filed.text
    with factory() as session:
        notice = session.get(Notice, done.notice_id)
        assert notice is not None and notice.scrutiny["requests"][0]["reason"] == "This is reporting."


def test_the_provider_no_longer_files_for_the_uploader_on_its_own_clock(
    factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, client: TestClient
) -> None:
    done = _execute(factory, clock, settings)
    answer = client.post(f"/v1/notices/{done.notice_id}/scrutiny", headers=done.provider.headers,
                         json={"action": "request", "by": "uploader", "reason": "satire"})
    assert answer.status_code == 422, answer.text
    assert "notice page" in answer.json()["detail"]


def test_an_infringement_finding_reinstates_the_content(factory: sessionmaker[Session], clock: FrozenClock,
                                                       settings: Settings, client: TestClient) -> None:
    done = _execute(factory, clock, settings)
    asked = client.post(f"/v1/notices/{done.notice_id}/scrutiny", headers=done.provider.headers,
                        json={"action": "request", "by": "provider", "reason": "Journalism."})
    assert asked.status_code == 200, asked.text
    clock.advance(hours=71)
    decided = client.post(f"/v1/notices/{done.notice_id}/scrutiny", headers=done.host.headers,
                          json={"action": "decide", "infringement": True, "reasons": "Protected reporting."})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "voided"
    inbox = client.get("/v1/reinstatement-instructions", headers=done.provider.headers).json()
    assert [i["notice_id"] for i in inbox] == [done.notice_id] and inbox[0]["decision_id"] == done.decision_id
    with factory() as session:
        assert "rights:reinstatement:instruct" in _tags(session) and "rights:content:reinstate" in _tags(session)
        item = session.scalars(select(PreservedItem).where(PreservedItem.decision_id == done.decision_id)).one()
        assert item.reinstated_at is not None
        assert {"notice.reinstate", "content.reinstate"} <= set(_webhook_events(session, done.provider.id))
    confirmed = client.post(f"/v1/reinstatement-instructions/{inbox[0]['id']}/confirm", headers=done.provider.headers)
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_at"] is not None
    assert client.get("/v1/reinstatement-instructions", headers=done.provider.headers).json() == []
    other = client.post(f"/v1/reinstatement-instructions/{inbox[0]['id']}/confirm", headers=done.issuer.headers)
    assert other.status_code == 404


def test_the_host_authority_decides_once_and_within_72_hours_of_the_request(
    factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, client: TestClient
) -> None:
    done = _execute(factory, clock, settings)
    clock.advance(hours=47)
    client.post(f"/v1/notices/{done.notice_id}/scrutiny", headers=done.provider.headers,
                json={"action": "request", "by": "provider", "reason": "Journalism."})
    clock.advance(hours=73)
    late = client.post(f"/v1/notices/{done.notice_id}/scrutiny", headers=done.host.headers,
                       json={"action": "decide", "infringement": False, "reasons": "Lawful order."})
    assert late.status_code == 409


def test_an_annulment_on_review_reinstates_and_the_order_never_becomes_final(
    factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, client: TestClient
) -> None:
    done = _execute(factory, clock, settings)
    filed = client.post(f"/v1/notices/{done.notice_id}/reviews", headers=done.provider.headers,
                        json={"brought_by": "provider", "body": "Tribunal administratif de Paris",
                              "filed_on": clock.now().isoformat(), "case_reference": "TA-2026-1"})
    assert filed.status_code == 201, filed.text
    clock.advance(days=40)  # past the 30-day redress period: a pending appeal keeps the order from being final
    with unit_of_work(factory) as session:
        assert reviews.finalise_orders(session, clock, settings) == 0
    assert client.get(f"/v1/notices/{done.notice_id}/finality",
                      headers=done.issuer.headers).json()["state"] == "appeal_pending"
    annulled = client.post(f"/v1/notices/{done.notice_id}/reviews/{filed.json()['id']}/outcome",
                           headers=done.issuer.headers, json={"outcome": "annulled", "reasons": "Not terrorist."})
    assert annulled.status_code == 200, annulled.text
    listed = client.get(f"/v1/notices/{done.notice_id}/reviews", headers=done.provider.headers).json()
    assert [r["outcome"] for r in listed] == ["annulled"]
    assert client.get(f"/v1/notices/{done.notice_id}/finality", headers=done.issuer.headers).json()["state"] == "void"
    with factory() as session:
        instruction = session.scalars(select(ReinstatementInstruction)).one()
        assert instruction.reason == "review" and instruction.decision_id == done.decision_id
    outsider = make_org_committed(factory, clock)
    assert client.get(f"/v1/notices/{done.notice_id}/reviews", headers=outsider.headers).status_code == 404


def test_a_confirmed_order_is_final_at_the_confirmation(factory: sessionmaker[Session], clock: FrozenClock,
                                                        settings: Settings, client: TestClient) -> None:
    done = _execute(factory, clock, settings)
    client.post(f"/v1/notices/{done.notice_id}/reviews", headers=done.provider.headers,
                json={"brought_by": "content_provider", "body": "Conseil d'Etat", "filed_on": clock.now().isoformat()})
    clock.advance(days=10)
    review_id = client.get(f"/v1/notices/{done.notice_id}/reviews", headers=done.issuer.headers).json()[0]["id"]
    client.post(f"/v1/notices/{done.notice_id}/reviews/{review_id}/outcome", headers=done.issuer.headers,
                json={"outcome": "confirmed"})
    final = client.get(f"/v1/notices/{done.notice_id}/finality", headers=done.host.headers).json()
    assert final["state"] == "final" and final["final_at"].startswith(clock.now().isoformat()[:19])
    shown = client.get(f"/v1/notices/{done.notice_id}", headers=done.provider.headers).json()
    assert shown["final_at"] == final["final_at"]
    with factory() as session:
        events = [e for e in session.scalars(select(AuditEvent).where(AuditEvent.tag == "notices:order:final"))]
        assert [e.payload["basis"] for e in events] == ["confirmed_on_appeal"]


def test_a_review_names_a_known_outcome(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings,
                                        client: TestClient) -> None:
    done = _execute(factory, clock, settings)
    bad = client.post(f"/v1/notices/{done.notice_id}/reviews", headers=done.provider.headers,
                      json={"brought_by": "provider", "body": "Court", "filed_on": clock.now().isoformat(),
                            "outcome": "order_upheld"})
    assert bad.status_code == 422
    with unit_of_work(factory) as session, pytest.raises(InvalidInput):
        reviews.record_review(session, clock, settings, authenticate_key(session, clock, done.provider.key),
                              done.notice_id, brought_by="provider", body="  ", filed_on=clock.now())


def make_org_committed(factory: sessionmaker[Session], clock: FrozenClock) -> OrgHandle:
    with unit_of_work(factory) as session:
        return make_org(session, clock, "provider", country="IE")


def _login(client: TestClient, handle: OrgHandle) -> str:
    response = ui_login(client, handle.email, PASSWORD, follow_redirects=False)
    assert response.status_code == 303
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/notices").text)
    assert match is not None
    return match.group(1)


def test_the_notice_page_records_a_review_and_the_inbox_lists_the_reinstatement(
    factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, client: TestClient
) -> None:
    done = _execute(factory, clock, settings)
    csrf = _login(client, done.provider)
    page = client.get(f"/ui/notices/{done.notice_id}").text
    assert "Finality and review" in page and "No review recorded" in page
    recorded = client.post(f"/ui/notices/{done.notice_id}/reviews", follow_redirects=False, data={
        "csrf_token": csrf, "body": "Tribunal administratif de Paris", "brought_by": "content_provider",
        "filed_on": clock.now().date().isoformat()})
    assert recorded.status_code == 303
    page = client.get(f"/ui/notices/{done.notice_id}").text
    assert "Tribunal administratif de Paris" in page and "a review is pending" in page
    review_id = re.findall(r'/reviews/(rvw_[^/]+)/outcome', page)[0]
    annulled = client.post(f"/ui/notices/{done.notice_id}/reviews/{review_id}/outcome", follow_redirects=False,
                           data={"csrf_token": csrf, "outcome": "annulled", "reasons": "Not terrorist content."})
    assert annulled.status_code == 303
    inbox = client.get("/ui/").text  # a provider's home page is its inbox
    assert "Reinstate now" in inbox and "annulled the order on review" in inbox
    instruction_id = re.findall(r'/reinstatements/([^/]+)/confirm', inbox)[0]
    confirmed = client.post(f"/ui/notices/reinstatements/{instruction_id}/confirm", follow_redirects=False,
                            data={"csrf_token": csrf})
    assert confirmed.status_code == 303 and "Reinstate now" not in client.get("/ui/").text
