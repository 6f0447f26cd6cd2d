"""One decision, whatever the door (issue 13 §1): every way a provider acts on content leaves the same legal
record — the decision, its statement of reasons (with the Transparency Database body, or the documented reason
none is due), the preservation job and the preserved copy once it ran, the user notice (held while an order's
non-disclosure runs), a complaint the uploader can file, and the audit event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.audit.models import AuditEvent
from accord.banks import service as banks
from accord.banks.service import EntryDetails, NewSignal
from accord.cases import service as cases
from accord.cases.models import Case, Decision, Statement
from accord.cli import context
from accord.cli import notices as notices_cli
from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.errors import ContestBeforeCourts
from accord.flows import decisions as flows
from accord.identity.models import Member
from accord.jobs.models import Job
from accord.jobs.registry import load_all
from accord.jobs.worker import Worker
from accord.matching import lookup
from accord.matching.lookup import QuerySignal
from accord.matching.service import Matcher
from accord.notices.models import Notice
from accord.rights import complaints
from accord.rights.models import PreservedItem, UserNotice
from accord.settings import Settings
from accord.transparency import export
from tests.factories import PASSWORD, TEST_ACTOR, OrgHandle, make_org
from tests.helpers import ui_login
from tests.unit.banks.helpers import bank_with, principal
from tests.unit.matching.test_lookup import INSTRUCTION, _auto_remove, _sha

UPLOADER = "uploader-7@example.org"
ORDER = {"kind": "removal_order", "reference": "FR-IRU-2026-0700", "urls": ["https://video.example.org/watch/700"],
         "tco_types": ["incitement"], "reasons": "Glorifies the attack of 12 March.", "legal_basis": "TCO Art. 3",
         "redress": {"body": "Tribunal administratif de Paris", "deadline_days": 30}, "emergency": True,
         "emergency_reason": "Calls for an attack tonight.", "nondisclosure_days": 28}
REFERRAL = {"kind": "referral", "urls": ["https://video.example.org/watch/701"], "reasons": "Recruitment video.",
            "clause": "Community rules 4.2 (violent extremism)", "tco_types": ["solicitation_group"]}


@dataclass
class World:
    client: TestClient
    factory: sessionmaker[Session]
    clock: FrozenClock
    settings: Settings
    monkeypatch: pytest.MonkeyPatch
    provider: OrgHandle
    notice_id: str | None = None
    case_id: str | None = None


# ---- the doors ----------------------------------------------------------------------------------------------


def _console(w: World) -> None:
    with unit_of_work(w.factory) as session:  # the console's triage knows the uploader
        cases.annotate(session, w.clock, session.get_one(Case, w.case_id), uploader_ref=UPLOADER)
    decided = w.client.post(f"/v1/cases/{w.case_id}/decision", headers=w.provider.headers, json={
        "action": "remove", "ground": "TCO Art. 3, order FR-IRU-2026-0700", "facts": "as ordered"})
    assert decided.status_code == 201, decided.text


def _direct_api(w: World) -> None:
    answered = w.client.post(f"/v1/notices/{w.notice_id}/outcome", headers=w.provider.headers,
                             json={"outcome": "removed", "uploader": UPLOADER})
    assert answered.status_code == 200, answered.text


def _direct_ui(w: World) -> None:
    login = ui_login(w.client, w.provider.email, PASSWORD, follow_redirects=False)
    assert login.status_code == 303
    page = w.client.get(f"/ui/notices/{w.notice_id}").text
    assert 'name="outcome" value="removed"' in page
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = {"csrf_token": csrf, "outcome": "removed", "uploader": UPLOADER}
    asked = w.client.post(f"/ui/notices/{w.notice_id}/outcome", follow_redirects=False, data=answer)
    assert asked.status_code == 200 and "Confirm: Removed" in asked.text  # removing is confirmed first
    sent = w.client.post(f"/ui/notices/{w.notice_id}/outcome", follow_redirects=False,
                         data={**answer, "confirmed": "yes"})
    assert sent.status_code == 303, sent.text


def _direct_cli(w: World) -> None:
    w.monkeypatch.setenv("ACCORD_DATABASE_URL", w.settings.database_url)
    w.monkeypatch.setenv("ACCORD_MODE", "test")
    context.settings.cache_clear()
    w.monkeypatch.setattr(notices_cli, "clock", lambda: w.clock)
    result = CliRunner().invoke(app, ["notice", "answer", str(w.notice_id), "--as", w.provider.id,
                                      "--outcome", "removed", "--uploader", UPLOADER, "--json"])
    assert result.exit_code == 0, result.output
    assert "dec_" in result.output


def _automatic(w: World) -> None:
    """A coordinator's bank entry, the provider's policy removing such matches alone, and an upload."""
    with unit_of_work(w.factory) as session:
        provider = principal(w.provider)
        hub = principal(make_org(session, w.clock, "coordinator"))
        bank = bank_with(session, w.clock, hub, values=(), visibility="all")
        banks.add_entries(session, w.clock, hub, bank, [NewSignal("sha256", _sha(7))],
                          EntryDetails(labels=[INSTRUCTION]))
        _auto_remove(session, w.clock, provider.org_id, 0.05)
        case, _ = cases.open_case_from_match(session, w.clock, TEST_ACTOR, provider_id=provider.org_id,
                                             signal_type="sha256", value=_sha(7), title="upload 7")
        cases.annotate(session, w.clock, case, uploader_ref=UPLOADER)
        outcome = lookup.match_content(session, w.clock, Matcher(), provider, [QuerySignal("sha256", _sha(7))],
                                       decide=flows.decide)
        assert outcome.action == "remove" and outcome.case_id == case.id
        w.case_id = case.id


# ---- the worlds they act in ---------------------------------------------------------------------------------


def _send(w: World, body: dict[str, Any]) -> None:
    with unit_of_work(w.factory) as session:
        issuer = make_org(session, w.clock, "authority", country="FR")
    sent = w.client.post("/v1/notices", json={**body, "provider_id": w.provider.id}, headers=issuer.headers)
    assert sent.status_code == 201, sent.text
    w.notice_id, w.case_id = sent.json()["id"], sent.json()["case_id"]
    w.clock.advance(minutes=20)


@dataclass(frozen=True)
class Door:
    act: Callable[[World], None]
    notice: dict[str, Any] | None  # what arrives first (None: the provider acts on its own initiative)
    held: bool  # the user notice waits for the order's non-disclosure to end
    tdb_body: bool  # a Transparency Database statement is due (not for an order under DSA Art. 9)


DOORS = {
    "console decision on an order": Door(_console, ORDER, held=True, tdb_body=False),
    "direct answer to an order (API)": Door(_direct_api, ORDER, held=True, tdb_body=False),
    "direct answer to an order (inbox)": Door(_direct_ui, ORDER, held=True, tdb_body=False),
    "direct answer to an order (CLI)": Door(_direct_cli, ORDER, held=True, tdb_body=False),
    "direct answer to a referral (API)": Door(_direct_api, REFERRAL, held=False, tdb_body=True),
    "automatic action under the policy": Door(_automatic, None, held=False, tdb_body=True),
}


@pytest.mark.parametrize("door", list(DOORS))
def test_every_door_leaves_the_same_legal_record(door: str, client: TestClient, factory: sessionmaker[Session],
                                                clock: FrozenClock, settings: Settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    load_all()
    spec = DOORS[door]
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider", country="DE")
    world = World(client, factory, clock, settings, monkeypatch, provider)
    if spec.notice is not None:
        _send(world, spec.notice)
    spec.act(world)
    decision_id = _the_decision(factory, world)
    _assert_statement(factory, provider.id, decision_id, spec.tdb_body)
    _assert_user_notice(factory, decision_id, held=spec.held, notice_id=world.notice_id)
    _assert_preserved(factory, clock, settings, decision_id)
    if spec.notice is ORDER:  # TCO Art. 9: an order's execution is contested before the issuing state's courts
        _assert_contested_before_courts(factory, clock, provider.id, decision_id)
    else:
        _assert_complaint_possible(factory, clock, provider.id, decision_id)


def _the_decision(factory: sessionmaker[Session], w: World) -> str:
    with factory() as session:
        decision = session.scalars(select(Decision).where(Decision.case_id == w.case_id)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.tag == "cases:decision:create",
                                                         AuditEvent.subject == decision.id)).one()
        assert event.payload["action"] == "remove" and event.payload["statement_id"] == decision.statement_id
        if w.notice_id is not None:  # the decision answered the notice: Annex II feedback follows
            notice = session.get_one(Notice, w.notice_id)
            assert notice.status == "answered" and notice.outcome == "removed"
            assert decision.notice_ids == [notice.id]
        return decision.id


def _assert_statement(factory: sessionmaker[Session], provider_id: str, decision_id: str, tdb_body: bool) -> None:
    with factory() as session:
        decision = session.get_one(Decision, decision_id)
        statement = session.get_one(Statement, decision.statement_id)
        assert statement.elements["redress"] and statement.elements["facts_and_circumstances"]["facts"]
        exported = list(export.statements(session, provider_id=provider_id))
        if tdb_body:
            assert statement.body is not None and statement.exemption is None
            assert len(exported) == 1 and exported[0]["decision_ground"] == statement.body["decision_ground"]
        else:  # DSA Art. 17(5): an order under Art. 9 has no statement; the uploader is told under TCO Art. 11
            assert statement.body is None and "Art. 17(5)" in (statement.exemption or "")
            assert statement.elements["legal_ground"]["reference"]
            assert exported == []


def _assert_user_notice(factory: sessionmaker[Session], decision_id: str, *, held: bool,
                        notice_id: str | None) -> None:
    with factory() as session:
        told = session.scalars(select(UserNotice).where(UserNotice.decision_id == decision_id)).one()
        assert told.uploader_contact == UPLOADER
        if held:
            order = session.get_one(Notice, notice_id)
            assert told.state == "held" and told.nondisclosure_until == order.nondisclosure_until
        else:
            assert told.state == "sent"


def _assert_preserved(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings,
                      decision_id: str) -> None:
    with factory() as session:
        jobs = session.scalars(select(Job).where(Job.kind == flows.PRESERVE_JOB)).all()
        assert [j.payload["decision_id"] for j in jobs] == [decision_id]
    Worker(factory, clock, settings).drain()
    with factory() as session:
        item = session.scalars(select(PreservedItem).where(PreservedItem.decision_id == decision_id)).one()
        assert item.content_encrypted  # kept, encrypted, for six months (TCO Art. 6)
        # the worker's run tells no one twice: the notice the decision wrote is the only one
        assert len(session.scalars(select(UserNotice).where(UserNotice.decision_id == decision_id)).all()) == 1


def _assert_complaint_possible(factory: sessionmaker[Session], clock: FrozenClock, provider_id: str,
                               decision_id: str) -> None:
    with unit_of_work(factory) as session:
        complaint = complaints.file_complaint(
            session, clock, TEST_ACTOR, provider_id=provider_id, decision_id=decision_id,
            complainant=complaints.Complainant("uploader", contact=UPLOADER), statement="It was satire.")
        assert complaint.state == "pending"


def _assert_contested_before_courts(factory: sessionmaker[Session], clock: FrozenClock, provider_id: str,
                                   decision_id: str) -> None:
    with unit_of_work(factory) as session, pytest.raises(ContestBeforeCourts) as refused:
        complaints.file_complaint(
            session, clock, TEST_ACTOR, provider_id=provider_id, decision_id=decision_id,
            complainant=complaints.Complainant("uploader", contact=UPLOADER), statement="It was satire.")
    assert "FR-IRU-2026-0700" in str(refused.value.extra)


def test_a_scrutiny_finding_reinstates_through_the_same_record(client: TestClient, factory: sessionmaker[Session],
                                                                clock: FrozenClock, settings: Settings,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """TCO Art. 4(7): the host authority finds the order infringes; what the direct answer removed comes back
    from the preserved copy, recorded beside the decision it undoes."""
    load_all()
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider", country="DE")
        host = make_org(session, clock, "authority", country="DE")
    world = World(client, factory, clock, settings, monkeypatch, provider)
    _send(world, ORDER)
    _direct_api(world)
    decision_id = _the_decision(factory, world)
    Worker(factory, clock, settings).drain()
    found = client.post(f"/v1/notices/{world.notice_id}/scrutiny", headers=host.headers,
                        json={"action": "decide", "infringement": True, "reasons": "disproportionate"})
    assert found.status_code == 200, found.text
    assert found.json()["status"] == "voided"
    with factory() as session:
        item = session.scalars(select(PreservedItem).where(PreservedItem.decision_id == decision_id)).one()
        assert item.reinstated_at is not None
        event = session.scalars(select(AuditEvent).where(AuditEvent.tag == "rights:content:reinstate")).one()
        assert event.subject == decision_id and event.payload["reason"] == "scrutiny"
        assert event.payload["preserved_item_id"] == item.id


def test_a_complaint_reversal_reinstates_what_a_direct_answer_removed(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TCO Art. 10, DSA Art. 20: the decision a direct answer took is contested like a console decision, and
    its reversal restores the preserved copy and records the reinstatement beside that decision."""
    load_all()
    with unit_of_work(factory) as session:
        provider = make_org(session, clock, "provider", country="DE")
    world = World(client, factory, clock, settings, monkeypatch, provider)
    _send(world, REFERRAL)
    _direct_api(world)
    decision_id = _the_decision(factory, world)
    Worker(factory, clock, settings).drain()
    _assert_complaint_possible(factory, clock, provider.id, decision_id)
    with unit_of_work(factory) as session:
        reviewer = session.scalars(select(Member).where(Member.org_id == provider.id)).one()
        [pending] = complaints.queue(session, provider_id=provider.id)
        complaints.decide_complaint(session, clock, settings, TEST_ACTOR, provider_id=provider.id,
                                    complaint_id=pending.id, outcome="reversed", reasons="Satire, not recruitment.",
                                    reviewer_id=reviewer.id)
    with factory() as session:
        item = session.scalars(select(PreservedItem).where(PreservedItem.decision_id == decision_id)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.tag == "rights:content:reinstate")).one()
        assert item.reinstated_at is not None and event.subject == decision_id
        assert event.payload["reason"] == "complaint" and event.payload["preserved_item_id"] == item.id
