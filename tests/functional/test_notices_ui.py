"""The notice pages as a person uses them: answers need a choice, errors come back beside their field with what
was typed, consequential answers are confirmed first, and each kind sees only its own form fields."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import ui_login
from tests.unit.notices.helpers import payload


def _login(client: TestClient, handle: OrgHandle) -> str:
    ui_login(client, handle.email, PASSWORD)
    page = client.get("/ui/settings").text
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def _parties(factory: sessionmaker[Session], clock: FrozenClock) -> tuple[OrgHandle, OrgHandle, OrgHandle]:
    with unit_of_work(factory) as session:
        return (make_org(session, clock, "coordinator"), make_org(session, clock, "provider"),
                make_org(session, clock, "trusted_flagger"))


def test_an_answer_without_a_choice_or_its_reasons_comes_back_with_what_was_typed(
        client: TestClient, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    hub, provider, _ = _parties(factory, clock)
    referral = client.post("/v1/notices", json=payload("referral", provider.id), headers=hub.headers).json()
    csrf = _login(client, provider)
    url = f"/ui/notices/{referral['id']}/outcome"
    unchosen = client.post(url, data={"csrf_token": csrf, "uploader": "@someone"})
    assert unchosen.status_code == 422 and "Choose an answer." in unchosen.text and 'value="@someone"' in unchosen.text
    no_reasons = client.post(url, data={"csrf_token": csrf, "outcome": "no_action", "uploader": "@someone"})
    assert no_reasons.status_code == 422 and "the reasons are required for “No action”" in no_reasons.text
    assert 'value="no_action" required checked' in no_reasons.text  # the choice made is kept
    done = client.post(url, data={"csrf_token": csrf, "outcome": "no_action", "reasons": "Satire, not a call."},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?answered=1")
    assert "Answer recorded: No action" in client.get(done.headers["location"]).text


def test_removing_is_recorded_only_once_confirmed(client: TestClient, factory: sessionmaker[Session],
                                                  clock: FrozenClock) -> None:
    hub, provider, _ = _parties(factory, clock)
    referral = client.post("/v1/notices", json=payload("referral", provider.id), headers=hub.headers).json()
    csrf = _login(client, provider)
    asked = client.post(f"/ui/notices/{referral['id']}/outcome", data={"csrf_token": csrf, "outcome": "removed"})
    assert asked.status_code == 200 and "Confirm: Removed" in asked.text and hub.name in asked.text
    status = client.get(f"/v1/notices/{referral['id']}", headers=provider.headers).json()
    assert status["outcome"] is None  # nothing recorded before the confirmation


def test_each_sender_sees_only_its_own_fields(client: TestClient, factory: sessionmaker[Session],
                                              clock: FrozenClock) -> None:
    _, _, flagger = _parties(factory, clock)
    _login(client, flagger)
    form = client.get("/ui/notices/new").text
    assert "Send a trusted flag" in form and 'name="legal_basis"' not in form and 'name="tco_types"' not in form
    assert "/ui/cases" not in form.split("</nav>")[0]  # no review console in a flagger's menu
