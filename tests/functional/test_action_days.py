"""Referral Action Days (EUR-04): 2,000 URLs across 200 providers in one campaign, one shared deadline, and a
summary per provider of what each did; only the issuer sees its day."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.audit.models import AuditEvent
from accord.cli.main import app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity import service as identity
from accord.notices.models import ActionDayNotice, Notice
from tests.factories import PASSWORD, TEST_ACTOR, OrgHandle, make_org
from tests.helpers import ui_login
from tests.unit.notices.helpers import payload


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"europol": make_org(session, clock, "coordinator", country="NL"),
                "iru": make_org(session, clock, "authority", country="FR"),
                "video": make_org(session, clock, "provider", country="FR")}


def _providers(factory: sessionmaker[Session], clock: FrozenClock, count: int) -> list[str]:
    with unit_of_work(factory) as session:
        return [identity.create_organisation(session, clock, TEST_ACTOR, kind="provider", name=f"Platform {i:03d}",
                                             country="DE", contact_languages=["en"]).id for i in range(count)]


def _day(client: TestClient, issuer: OrgHandle, clock: FrozenClock, hours: int = 8) -> str:
    response = client.post("/v1/action-days", headers=issuer.headers, json={
        "name": "RAD 2026-12 jihadist propaganda", "deadline_at": (clock.now() + timedelta(hours=hours)).isoformat()})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _jsonl(lines: list[dict[str, object]]) -> bytes:
    return "\n".join(json.dumps(line) for line in lines).encode()


def test_two_thousand_urls_across_two_hundred_providers(client: TestClient, orgs: dict[str, OrgHandle],
                                                        factory: sessionmaker[Session], clock: FrozenClock) -> None:
    providers = _providers(factory, clock, 200)
    day = _day(client, orgs["europol"], clock)
    lines = [payload("referral", providers[i % 200], f"https://p{i % 200}.example/post/{i}") for i in range(2000)]
    lines.append(payload("referral", "org_nobody", "https://nowhere.example/x"))  # refused, reported by line
    imported = client.post(f"/v1/action-days/{day}/notices", content=_jsonl(lines),
                           headers={**orgs["europol"].headers, "Content-Type": "application/x-ndjson"})
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert (report["accepted"], report["refused"]) == (2000, 1), str(report["lines"][0])
    assert report["lines"][-1]["line"] == 2001 and report["lines"][-1]["field"] == "provider_id"

    with unit_of_work(factory) as session:
        linked = session.scalar(select(func.count()).select_from(ActionDayNotice))
        dispatched = session.scalar(select(func.count(func.distinct(Notice.provider_id))))
        chunks = session.scalar(select(func.count()).where(AuditEvent.tag == "notices:action_day:import"))
    assert (linked, dispatched, chunks) == (2000, 200, 4), "every notice linked, to its own provider, per chunk"

    first, second = providers[0], providers[1]
    notices = client.get("/v1/notices", headers=orgs["europol"].headers, params={"limit": 500}).json()
    by_provider = [n for n in notices if n["provider_id"] in (first, second)]
    assert by_provider, "the issuer sees the day's notices in its list"

    summary = client.get(f"/v1/action-days/{day}", headers=orgs["europol"].headers).json()
    assert (summary["notices"], summary["providers"], summary["answered"], summary["late"]) == (2000, 200, 0, 0)
    assert {p["notices"] for p in summary["per_provider"]} == {10}
    assert summary["by_outcome"] == {"removed": 0, "disabled": 0, "no_action": 0, "cannot_comply": 0}


def test_summary_counts_answers_and_lateness_against_the_shared_deadline(
        client: TestClient, orgs: dict[str, OrgHandle], clock: FrozenClock) -> None:
    europol, video = orgs["europol"], orgs["video"]
    day = _day(client, europol, clock, hours=2)
    lines = [payload("referral", video.id, f"https://v.example/{i}") for i in range(3)]
    client.post(f"/v1/action-days/{day}/notices", content=_jsonl(lines),
                headers={**europol.headers, "Content-Type": "application/x-ndjson"})
    ids = [n["id"] for n in client.get("/v1/notices", headers=video.headers).json()]
    assert len(ids) == 3
    answer = {"outcome": "removed", "reasons": "Terms 4.2: terrorist propaganda."}
    assert client.post(f"/v1/notices/{ids[0]}/outcome", headers=video.headers, json=answer).status_code == 200
    clock.advance(hours=3)
    late = {"outcome": "no_action", "reasons": "Journalism about the attack, not propaganda."}
    assert client.post(f"/v1/notices/{ids[1]}/outcome", headers=video.headers, json=late).status_code == 200
    summary = client.get(f"/v1/action-days/{day}", headers=europol.headers).json()
    line = summary["per_provider"][0]
    assert (line["notices"], line["answered"], line["open"], line["late"]) == (3, 2, 1, 2)
    assert line["by_outcome"]["removed"] == 1 and line["by_outcome"]["no_action"] == 1
    assert summary["past_deadline"] is True
    closed = client.post(f"/v1/action-days/{day}/notices", content=_jsonl(lines[:1]),
                         headers={**europol.headers, "Content-Type": "application/x-ndjson"})
    assert closed.status_code == 422 and "deadline" in closed.json()["detail"]


def test_only_the_issuer_sees_its_action_day(client: TestClient, orgs: dict[str, OrgHandle],
                                             clock: FrozenClock) -> None:
    day = _day(client, orgs["europol"], clock)
    for other in ("iru", "video"):
        assert client.get(f"/v1/action-days/{day}", headers=orgs[other].headers).status_code == 404
        sent = client.post(f"/v1/action-days/{day}/notices", content=b"{}",
                           headers={**orgs[other].headers, "Content-Type": "application/x-ndjson"})
        assert sent.status_code in (403, 404)
        assert client.get("/v1/action-days", headers=orgs[other].headers).json() == []
    refused = client.post("/v1/action-days", headers=orgs["video"].headers,
                          json={"name": "x", "deadline_at": (clock.now() + timedelta(hours=1)).isoformat()})
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "RAD", "deadline_at": "2020-01-01T00:00:00Z"}, "deadline_at"),
    ({"name": "RAD", "deadline_at": "2030-01-01T00:00:00"}, "deadline_at"),
    ({"name": "", "deadline_at": "2030-01-01T00:00:00Z"}, "name"),
])
def test_bad_action_days_are_refused(client: TestClient, orgs: dict[str, OrgHandle], body: dict[str, str],
                                     field: str) -> None:
    response = client.post("/v1/action-days", headers=orgs["europol"].headers, json=body)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert field in response.text


def test_the_command_line_creates_imports_and_summarises(cli: CliRunner, orgs: dict[str, OrgHandle],
                                                         tmp_path: Path) -> None:
    europol, video = orgs["europol"], orgs["video"]
    deadline = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    created = cli.invoke(app, ["notice", "action-day", "create", "--as", europol.id, "--name", "RAD CLI",
                               "--deadline", deadline, "--json"])
    assert created.exit_code == 0, created.output
    day = json.loads(created.output)["id"]
    file = tmp_path / "day.jsonl"
    file.write_bytes(_jsonl([payload("referral", video.id, f"https://v.example/{i}") for i in range(5)]
                            + [payload("referral", video.id, "not a url")]))
    imported = cli.invoke(app, ["notice", "action-day", "import", day, str(file), "--as", europol.id, "--json"])
    assert imported.exit_code == 2, imported.output
    assert json.loads(imported.output)["accepted"] == 5
    shown = cli.invoke(app, ["notice", "action-day", "show", day, "--as", europol.id, "--json"])
    assert shown.exit_code == 0 and json.loads(shown.output)[0]["notices"] == 5
    other = cli.invoke(app, ["notice", "action-day", "show", day, "--as", video.id])
    assert other.exit_code != 0 and "no action day" in other.output
    bad = cli.invoke(app, ["notice", "action-day", "create", "--as", europol.id, "--name", "x", "--deadline", "soon"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output


def test_the_pages_create_a_day_take_its_file_and_show_every_provider(
        client: TestClient, orgs: dict[str, OrgHandle], clock: FrozenClock) -> None:
    europol, video = orgs["europol"], orgs["video"]
    ui_login(client, europol.email, PASSWORD)
    listing = client.get("/ui/action-days")
    assert listing.status_code == 200 and "No action day yet" in listing.text
    csrf = listing.text.split('name="csrf_token" value="')[1].split('"')[0]
    deadline = (clock.now() + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    created = client.post("/ui/action-days", data={"name": "RAD pages", "deadline_at": deadline, "csrf_token": csrf},
                          follow_redirects=False)
    assert created.status_code == 303, created.text
    page_url = created.headers["location"]
    lines = _jsonl([payload("referral", video.id, f"https://v.example/{i}") for i in range(4)]
                   + [payload("referral", video.id, "not a url")])
    sent = client.post(f"{page_url}/notices", data={"csrf_token": csrf},
                       files={"file": ("day.jsonl", lines, "application/x-ndjson")})
    assert sent.status_code == 200, sent.text
    assert "4 notices sent, 1 lines refused" in sent.text and "Line 5" in sent.text
    page = client.get(page_url).text
    assert "4 notices to 1 providers" in page and video.name in page
    forged = client.post(f"{page_url}/notices", data={"csrf_token": "forged"},
                         files={"file": ("day.jsonl", lines, "application/x-ndjson")})
    assert forged.status_code == 403
    ui_login(client, video.email, PASSWORD)
    assert client.get(page_url).status_code == 404, "another organisation's day is not found"
