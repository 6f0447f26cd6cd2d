"""Outcomes reach people (TCO Art. 10(2), 11; DSA Art. 16(5), 17, 20(5)): the public notifier, the complainant and
the uploader are told by e-mail, through a real SMTP server, and on a status page opened by a capability link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.cases import decisions
from accord.cases.models import Case
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows import decisions as flows
from accord.identity.models import Member
from accord.identity.service import authenticate_key
from accord.jobs.models import Job
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.rights import complaints
from accord.settings import Settings
from tests.conftest import free_port
from tests.factories import TEST_ACTOR, OrgHandle, make_org
from tests.unit.notices.helpers import payload

LINK = re.compile(r"(http://\S+/status/([A-Za-z0-9_-]+))")
REPORTER = "reader@example.org"
UPLOADER = "uploader-7@example.org"
JSON = {"Accept": "application/json"}


class Inbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def settings(settings: Settings, inbox: Inbox) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_starttls": False,
                                       "smtp_from": "Accord <accord@provider.example>"})


def _deliver(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> int:
    load_all()
    return Worker(factory, clock, settings).drain()


def _body(message: EmailMessage) -> str:
    return str(message.get_content())


def _link(message: EmailMessage) -> tuple[str, str]:
    found = LINK.search(_body(message))
    assert found is not None, _body(message)
    return found.group(1), found.group(2)


def _decide(factory: sessionmaker[Session], clock: FrozenClock, provider: OrgHandle, case_id: str, action: str,
            uploader: str | None = None, ground: str = "Terms 4.2 (violent extremism)",
            settings: Settings | None = None) -> str:
    with unit_of_work(factory) as session:
        case = session.get_one(Case, case_id)
        case.uploader_ref = uploader
        principal = authenticate_key(session, clock, provider.key)
        decision = flows.decide(session, clock, principal, case_id, decisions.DecisionInput(
            action=action, ground=ground, facts="The video shows a news report, not praise.",
            ground_kind="terms" if ground.startswith("Terms") else "legal"), settings=settings)
        return decision.id


def _reviewer(factory: sessionmaker[Session], provider: OrgHandle) -> str:
    with factory() as session:
        member = session.scalar(select(Member.id).where(Member.org_id == provider.id))
        assert member is not None
        return member


def _report(client: TestClient, provider: OrgHandle, url: str = "https://video.example.org/watch/9") -> str:
    created = client.post("/v1/notices", json=payload("user_report", provider.id, url=url))
    assert created.status_code == 201, created.text
    return str(created.json()["case_id"])


def test_a_public_notifier_learns_the_decision_complains_and_receives_the_reasoned_answer(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, inbox: Inbox
) -> None:
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider")
    case_id = _report(client, provider)
    _decide(factory, clock, provider, case_id, "no_action")
    assert _deliver(factory, clock, settings) >= 2  # telling the notifier, then the e-mail itself
    [told] = inbox.to(REPORTER)
    assert told["Subject"] == "The decision on your report" and told["From"] == "Accord <accord@provider.example>"
    assert "took no action" in _body(told) and "Terms 4.2" in _body(told) and "news report" in _body(told)
    assert "six months" in _body(told) and "DSA Art. 21" in _body(told) and "without automated" in _body(told)
    url, token = _link(told)
    assert url.startswith(settings.public_base_url)

    page = client.get(f"/status/{token}")
    assert page.status_code == 200 and "Terms 4.2" in page.text and 'name="statement"' in page.text
    state = client.get(f"/status/{token}", headers=JSON).json()
    assert (state["about"], state["decision"]["action"], state["may_complain"]) == ("notice", "no_action", True)

    filed = client.post(f"/status/{token}", data={"statement": "It is a beheading video, not news."},
                        headers=JSON)
    assert filed.status_code == 201, filed.text
    complaint_url = filed.json()["filed"]["status_url"]
    _deliver(factory, clock, settings)
    receipt = inbox.to(REPORTER)[-1]
    assert receipt["Subject"] == "Your complaint was received" and complaint_url in _body(receipt)

    with unit_of_work(factory) as session:
        [complaint] = complaints.queue(session, provider_id=provider.id)
        assert (complaint.by, complaint.contact) == ("notifier", REPORTER)
        clock.advance(days=3)
        complaints.decide_complaint(session, clock, settings, TEST_ACTOR, provider_id=provider.id,
                                    complaint_id=complaint.id, outcome="upheld",
                                    reasons="A second reviewer found it is broadcast news footage.",
                                    reviewer_id=_reviewer(factory, provider))
    _deliver(factory, clock, settings)
    answer = inbox.to(REPORTER)[-1]
    assert answer["Subject"] == "The decision on your complaint"
    assert "We keep our decision" in _body(answer) and "broadcast news footage" in _body(answer)
    assert "out-of-court dispute settlement body (DSA Art. 21)" in _body(answer)
    followed = client.get(complaint_url.removeprefix(settings.public_base_url), headers=JSON).json()
    assert followed["complaint"]["outcome"] == "upheld" and "broadcast news" in followed["complaint"]["reasons"]
    assert followed["may_complain"] is False


def test_a_notifier_whose_report_led_to_removal_is_told_and_offered_no_complaint_form(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, inbox: Inbox
) -> None:
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider")
    _decide(factory, clock, provider, _report(client, provider), "remove")
    _deliver(factory, clock, settings)
    [told] = inbox.to(REPORTER)
    assert "removed the content" in _body(told) and "complain to us" not in _body(told)
    _, token = _link(told)
    state = client.get(f"/status/{token}", headers=JSON).json()
    assert state["may_complain"] is False
    assert client.post(f"/status/{token}", data={"statement": "x"}, headers=JSON).status_code == 409


def test_the_uploader_is_mailed_the_notice_and_the_complaint_decision(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, inbox: Inbox
) -> None:
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider")
    _decide(factory, clock, provider, _report(client, provider), "remove", uploader=UPLOADER, settings=settings)
    _deliver(factory, clock, settings)
    [notice] = inbox.to(UPLOADER)
    assert notice["Subject"] == "About your content" and "Terms 4.2" in _body(notice)
    assert "How to contest" in _body(notice)
    _, token = _link(notice)
    page = client.get(f"/status/{token}")
    assert page.status_code == 200 and 'name="statement"' in page.text
    filed = client.post(f"/status/{token}", data={"statement": "This is my news channel's report."})
    assert filed.status_code == 201 and "Your complaint was received" in filed.text
    with unit_of_work(factory) as session:
        [complaint] = complaints.queue(session, provider_id=provider.id)
        complaints.decide_complaint(session, clock, settings, TEST_ACTOR, provider_id=provider.id,
                                    complaint_id=complaint.id, outcome="reversed",
                                    reasons="News reporting is exempt (TCO Art. 1(3)).",
                                    reviewer_id=_reviewer(factory, provider))
    _deliver(factory, clock, settings)
    # The receipt of the complaint and its decision leave in the same delivery run, in either order.
    [answer] = [mail for mail in inbox.to(UPLOADER) if "We reversed our decision" in _body(mail)]
    assert "TCO Art. 1(3)" in _body(answer)
    state = client.get(f"/status/{token}", headers=JSON).json()
    assert state["complaints"][0]["outcome"] == "reversed"
    with factory() as session:
        tags = set(session.scalars(select(AuditEvent.tag)))
    assert {"rights:notifier:inform", "rights:complainant:inform", "rights:user_notice:send"} <= tags


def test_mail_waits_in_the_queue_and_is_retried_until_the_server_answers(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, inbox: Inbox
) -> None:
    inbox.controller.stop()  # the SMTP server is down
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider")
    _decide(factory, clock, provider, _report(client, provider), "no_action")
    _deliver(factory, clock, settings)
    with factory() as session:
        job = session.scalars(select(Job).where(Job.kind == "mail.send")).one()
        assert (job.state, job.attempts) == ("pending", 1) and job.last_error
        assert REPORTER not in str(job.payload), "the queued message is sealed"
    inbox.controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    inbox.controller.start()
    assert _deliver(factory, clock, settings) == 0, "not before its backoff"
    clock.advance(seconds=settings.job_backoff_base_seconds + 1)
    assert _deliver(factory, clock, settings) == 1
    assert len(inbox.to(REPORTER)) == 1


def test_a_removal_executing_a_removal_order_is_contested_before_the_courts(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, inbox: Inbox
) -> None:
    with unit_of_work(factory) as session:
        provider, authority = make_org(session, clock, "provider"), make_org(session, clock, "authority", country="FR")
    order = client.post("/v1/notices", json=payload("removal_order", provider.id), headers=authority.headers).json()
    decision_id = _decide(factory, clock, provider, order["case_id"], "remove", uploader=UPLOADER,
                          ground="TCO Art. 3 removal order FR-IRU-2026-0042", settings=settings)
    refused = client.post("/v1/complaints", json={"decision_id": decision_id, "by": "uploader",
                                                  "statement": "My video is news."}, headers=provider.headers)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/contest-before-courts") and "TCO Art. 9" in problem["detail"]
    assert problem["redress"] == [{"order_reference": "FR-IRU-2026-0042", "member_state": "FR",
                                   "issuer": authority.name, "body": "Tribunal administratif", "deadline_days": 30,
                                   "national_law": None}]
    _deliver(factory, clock, settings)
    [notice] = inbox.to(UPLOADER)
    assert "courts of FR (TCO Art. 9): Tribunal administratif within 30 days" in _body(notice)
    _, token = _link(notice)
    state = client.get(f"/status/{token}", headers=JSON).json()
    assert state["may_complain"] is False and "TCO Art. 9" in state["refusal"]
    assert client.post(f"/status/{token}", data={"statement": "x"}, headers=JSON).status_code == 409

    own_terms = _decide(factory, clock, provider, _report(client, provider, "https://video.example.org/watch/10"),
                        "remove")
    opened = client.post("/v1/complaints", json={"decision_id": own_terms, "by": "uploader",
                                                 "statement": "My video is news.", "contact": UPLOADER},
                         headers=provider.headers)
    assert opened.status_code == 201, opened.text
    assert opened.json()["status_url"].startswith(f"{settings.public_base_url}/status/")


def test_an_unknown_token_opens_nothing(client: TestClient) -> None:
    assert client.get("/status/not-a-token").status_code == 404
    assert client.get("/status/not-a-token", headers=JSON).json()["type"].endswith("/not-found")
    assert client.post("/status/not-a-token", data={"statement": "x"}).status_code == 404
