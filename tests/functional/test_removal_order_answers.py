"""How a removal order may be answered (TCO Art. 3(3), (7)-(8), Annex II/III), at every door.

An order is executed by removing the content or by disabling access to it in all Member States; the only
alternative is not executing it on an Annex III ground (``cannot_comply``), which is not a decision on the
content and which the Art. 7/8 reports count as not executed. ``disabled`` in some Member States only,
``no_action`` and ``restrict`` are refused (422), whether answered directly or through a console decision.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cases.models import Case, Decision, Statement
from accord.cli import context
from accord.cli import notices as notices_cli
from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows import decisions as flows
from accord.identity.models import Organisation
from accord.jobs.models import Job
from accord.law.eu import EU_MEMBER_STATES
from accord.notices import feedback
from accord.notices.models import Notice
from accord.rights.models import UserNotice
from accord.settings import Settings
from accord.transparency import reports
from tests.factories import OrgHandle, make_org
from tests.functional.test_every_door import ORDER


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"iru": make_org(session, clock, "authority", country="FR"),
                "video": make_org(session, clock, "provider", country="DE")}


def _order(client: TestClient, orgs: dict[str, OrgHandle]) -> dict[str, str]:
    sent = client.post("/v1/notices", json={**ORDER, "provider_id": orgs["video"].id}, headers=orgs["iru"].headers)
    assert sent.status_code == 201, sent.text
    body: dict[str, str] = sent.json()
    return body


def _answer(client: TestClient, orgs: dict[str, OrgHandle], notice_id: str, **body: object) -> tuple[int, str]:
    answered = client.post(f"/v1/notices/{notice_id}/outcome", json=body, headers=orgs["video"].headers)
    return answered.status_code, str(answered.json().get("field"))


def _nothing_decided(factory: sessionmaker[Session], notice_id: str) -> None:
    with factory() as session:
        notice = session.get_one(Notice, notice_id)
        assert notice.status == "received" and notice.outcome is None
        assert session.scalar(select(func.count()).select_from(Decision)) == 0
        assert session.get_one(Case, notice.case_id).state == "open"


def test_disabling_an_order_in_some_member_states_is_refused(client: TestClient, orgs: dict[str, OrgHandle],
                                                             factory: sessionmaker[Session]) -> None:
    order = _order(client, orgs)
    assert _answer(client, orgs, order["id"], outcome="disabled", countries=["DE", "AT"]) == (422, "countries")
    almost = [c for c in EU_MEMBER_STATES if c != "MT"]
    assert _answer(client, orgs, order["id"], outcome="disabled", countries=almost) == (422, "countries")
    _nothing_decided(factory, order["id"])


def test_disabling_an_order_reaches_every_member_state(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    order = _order(client, orgs)
    assert _answer(client, orgs, order["id"], outcome="disabled")[0] == 200  # none named: all Member States
    record = client.get(f"/v1/notices/{order['id']}/feedback", headers=orgs["iru"].headers).json()
    assert record["annex"] == "II" and record["countries"] == sorted(EU_MEMBER_STATES)


def test_a_disabling_in_some_member_states_never_renders_as_annex_ii(
    client: TestClient, orgs: dict[str, OrgHandle], factory: sessionmaker[Session], settings: Settings,
    clock: FrozenClock,
) -> None:
    """An outcome recorded before Accord refused it (or written by hand) is not shown as executing the order."""
    order = _order(client, orgs)
    with unit_of_work(factory) as session:
        notice = session.get_one(Notice, order["id"])
        notice.status, notice.outcome, notice.outcome_at = "answered", "disabled", notice.received_at
        notice.outcome_detail = {"countries": ["DE"], "reasons": "", "ground": None, "explanation": ""}
    with factory() as session:
        assert feedback.feedback_record(session, clock, settings, session.get_one(Notice, order["id"]))["annex"] is None


@pytest.mark.parametrize("outcome", ["no_action"])
def test_an_order_is_not_answered_no_action(client: TestClient, orgs: dict[str, OrgHandle],
                                            factory: sessionmaker[Session], outcome: str) -> None:
    order = _order(client, orgs)
    assert _answer(client, orgs, order["id"], outcome=outcome, reasons="we disagree") == (422, "outcome")
    _nothing_decided(factory, order["id"])


@pytest.mark.parametrize(("action", "extra"), [("no_action", {}), ("restrict", {"restriction": "demoted"}),
                                               ("disable", {"countries": ["DE"]})])
def test_a_console_decision_on_an_order_must_execute_it(client: TestClient, orgs: dict[str, OrgHandle],
                                                        factory: sessionmaker[Session], action: str,
                                                        extra: dict[str, object]) -> None:
    order = _order(client, orgs)
    decided = client.post(f"/v1/cases/{order['case_id']}/decision", headers=orgs["video"].headers,
                          json={"action": action, "ground": "Terms 4.2", "facts": "reviewed", **extra})
    assert decided.status_code == 422, decided.text
    assert decided.json()["field"] in ("action", "countries")
    _nothing_decided(factory, order["id"])


def test_the_cli_refuses_a_partial_disabling_in_one_line(orgs: dict[str, OrgHandle], client: TestClient,
                                                         settings: Settings, clock: FrozenClock,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         factory: sessionmaker[Session]) -> None:
    order = _order(client, orgs)
    monkeypatch.setenv("ACCORD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ACCORD_MODE", "test")
    context.settings.cache_clear()
    monkeypatch.setattr(notices_cli, "clock", lambda: clock)
    result = CliRunner().invoke(app, ["notice", "answer", order["id"], "--as", orgs["video"].id,
                                      "--outcome", "disabled", "--countries", "DE,AT"])
    assert result.exit_code != 0 and "all Member States" in result.output
    _nothing_decided(factory, order["id"])


def test_cannot_comply_is_not_a_decision_and_counts_as_not_executed(
    client: TestClient, orgs: dict[str, OrgHandle], factory: sessionmaker[Session], clock: FrozenClock
) -> None:
    order = _order(client, orgs)
    status = _answer(client, orgs, order["id"], outcome="cannot_comply", ground="manifest_error",
                     explanation="The URL points to a news report about the attack.", uploader="u@example.org")
    assert status[0] == 200
    with factory() as session:  # Annex III: nothing was restricted, so no statement, preservation or notice
        for model in (Decision, Statement, UserNotice):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == flows.PRESERVE_JOB)) == 0
        assert flows.decision_of(session, session.get_one(Notice, order["id"])) is None
        provider = session.get_one(Organisation, orgs["video"].id)
        removals = reports.provider_report(session, clock, org=provider, year=2026)["tco_art7"]["c_removals"]
        assert removals == {"after_removal_orders": 0, "after_specific_measures": 0, "orders_not_executed": 1,
                            "not_executed_by_ground": {"manifest_error": 1}}
        authority = session.get_one(Organisation, orgs["iru"].id)
        issued = reports.authority_report(session, clock, org=authority, year=2026)["tco_art8"]
        assert issued["a_removal_orders"]["executed"] == 0
        assert issued["a_removal_orders"]["not_executed_by_ground"] == {"manifest_error": 1}


def test_an_order_awaiting_clarification_still_forbids_no_action(client: TestClient, orgs: dict[str, OrgHandle],
                                                                 factory: sessionmaker[Session]) -> None:
    order = _order(client, orgs)
    assert _answer(client, orgs, order["id"], outcome="cannot_comply", ground="insufficient_information",
                   explanation="Which of the two videos?")[0] == 200
    decided = client.post(f"/v1/cases/{order['case_id']}/decision", headers=orgs["video"].headers,
                          json={"action": "no_action", "ground": "Terms 4.2", "facts": "reviewed"})
    assert decided.status_code == 422 and decided.json()["field"] == "action"
