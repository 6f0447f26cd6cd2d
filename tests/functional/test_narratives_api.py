"""Counter-narrative campaigns through the API: the contract outside tools rely on, refusals, idempotent
figures, impact, allocation, publishing and isolation between organisations."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import OrgHandle, make_org

CONTRACT: dict[str, Any] = {
    "name": "Second chances",
    "goal": "More get-help clicks",
    "variants": [
        {"key": "control", "control": True, "messenger": "peer", "format": "text"},
        {"key": "former", "messenger": "former_extremist", "format": "video"},
        {"key": "imam", "messenger": "religious_figure", "format": "video"},
    ],
    "segments": [{"key": "fr-ar", "country": "FR", "language": "ar"},
                 {"key": "fr-fr", "country": "FR", "language": "fr"}],
}


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {kind: make_org(session, clock, kind) for kind in
                ("civil_society", "authority", "provider", "trusted_flagger", "coordinator")}


def _create(client: TestClient, org: OrgHandle, body: dict[str, Any] | None = None) -> str:
    response = client.post("/v1/campaigns", json=body or CONTRACT, headers=org.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _row(day: str, variant: str, segment: str, impressions: int, clicks: int, **extra: Any) -> dict[str, Any]:
    return {"date": day, "variant": variant, "segment": segment, "impressions": impressions, "clicks": clicks,
            "watch_seconds": 30.0 * clicks, "get_help_clicks": clicks // 10, **extra}


def _events(factory: sessionmaker[Session], tag: str) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.tag == tag)) or 0)


def test_contract_create_answers_201_with_id(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    org = orgs["civil_society"]
    response = client.post("/v1/campaigns", json=CONTRACT, headers=org.headers)
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("cmp_")
    assert [v["key"] for v in body["variants"]] == ["control", "former", "imam"]
    listed = client.get("/v1/campaigns", headers=org.headers).json()
    assert [c["id"] for c in listed] == [body["id"]]
    assert client.get(f"/v1/campaigns/{body['id']}", headers=org.headers).json()["segments"][0]["key"] == "fr-ar"


@pytest.mark.parametrize("kind", ["authority", "provider"])
def test_authorities_and_providers_run_campaigns_too(client: TestClient, orgs: dict[str, OrgHandle],
                                                     kind: str) -> None:
    assert client.post("/v1/campaigns", json=CONTRACT, headers=orgs[kind].headers).status_code == 201


@pytest.mark.parametrize("kind", ["trusted_flagger", "coordinator"])
def test_other_kinds_cannot_run_campaigns(client: TestClient, orgs: dict[str, OrgHandle], kind: str) -> None:
    response = client.post("/v1/campaigns", json=CONTRACT, headers=orgs[kind].headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"segments": [{"key": "s", "country": "FR", "religion": "muslim"}]}, "segments[0].religion", "Art. 26(3)"),
        ({"segments": [{"key": "s", "country": "FR", "ethnicity": "arab"}]}, "segments[0].ethnicity", "special"),
        ({"segments": [{"key": "s", "language": "fr", "political_views": "far-right"}]},
         "segments[0].political_views", "special"),
        ({"segments": [{"key": "s", "country": "FR", "user_ids": ["u1"]}]}, "segments[0].user_ids", "individuals"),
        ({"segments": [{"key": "s", "keywords": ["write to someone@example.org"]}]}, "segments[0].keywords[0]",
         "e-mail"),
        ({"religion": "muslim"}, "religion", "Art. 26(3)"),
    ],
)
def test_individual_or_special_category_targeting_is_refused(
    client: TestClient, orgs: dict[str, OrgHandle], change: dict[str, Any], field: str, words: str
) -> None:
    response = client.post("/v1/campaigns", json={**CONTRACT, **change}, headers=orgs["civil_society"].headers)
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == field
    assert words in problem["detail"]
    assert client.get("/v1/campaigns", headers=orgs["civil_society"].headers).json() == []


def test_figures_are_validated_line_by_line(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    org = orgs["civil_society"]
    campaign = _create(client, org, {**CONTRACT, "starts_on": "2026-03-01", "ends_on": "2026-03-31"})
    rows = [
        _row("2026-03-02", "control", "fr-ar", 100, 5),
        _row("2026-03-02", "former", "fr-ar", 100, 101),
        _row("2026-03-02", "nobody", "fr-ar", 100, 5),
        _row("2026-04-02", "former", "fr-fr", 100, 5),
        _row("2026-03-03", "imam", "fr-fr", -4, 0),
        {**_row("2026-03-03", "imam", "fr-ar", 10, 1), "user_id": "u1"},
    ]
    response = client.post(f"/v1/campaigns/{campaign}/figures", json=rows, headers=org.headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problems = {(p["line"], p["field"]) for p in response.json()["problems"]}
    assert problems == {(2, "clicks"), (3, "variant"), (4, "date"), (5, "impressions"), (6, "user_id")}
    impact = client.get(f"/v1/campaigns/{campaign}/impact", headers=org.headers).json()
    assert impact["totals"]["impressions"] == 0, "nothing is stored when any line is wrong"


def test_reimporting_changes_nothing_and_a_changed_row_is_audited(
    client: TestClient, orgs: dict[str, OrgHandle], factory: sessionmaker[Session]
) -> None:
    org = orgs["civil_society"]
    campaign = _create(client, org)
    rows = [_row("2026-03-02", v, s, 1000, 30) for v in ("control", "former", "imam") for s in ("fr-ar", "fr-fr")]
    first = client.post(f"/v1/campaigns/{campaign}/figures", json=rows, headers=org.headers)
    assert first.json() == {"inserted": 6, "updated": 0, "unchanged": 0}
    imports = _events(factory, "narratives:figures:import")
    again = client.post(f"/v1/campaigns/{campaign}/figures", json={"rows": rows}, headers=org.headers)
    assert again.json() == {"inserted": 0, "updated": 0, "unchanged": 6}
    assert _events(factory, "narratives:figures:import") == imports, "re-importing records nothing"
    rows[0]["clicks"] = 40
    changed = client.post(f"/v1/campaigns/{campaign}/figures", json=rows, headers=org.headers)
    assert changed.json() == {"inserted": 0, "updated": 1, "unchanged": 5}
    with factory() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.tag == "narratives:figure:update")).one()
    assert event.payload["before"]["clicks"] == 30 and event.payload["after"]["clicks"] == 40
    impact = client.get(f"/v1/campaigns/{campaign}/impact", headers=org.headers).json()
    assert impact["totals"]["clicks"] == 6 * 30 + 10


def test_impact_contract_and_small_cells_suppressed(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    org = orgs["civil_society"]
    campaign = _create(client, org)
    rows = [
        _row("2026-03-02", "control", "fr-ar", 4000, 80),
        _row("2026-03-02", "former", "fr-ar", 4000, 120),
        _row("2026-03-02", "imam", "fr-ar", 4000, 9),
        _row("2026-03-02", "control", "fr-fr", 4000, 60),
    ]
    assert client.post(f"/v1/campaigns/{campaign}/figures", json=rows, headers=org.headers).status_code == 200
    report = client.get(f"/v1/campaigns/{campaign}/impact", headers=org.headers).json()
    cells = {(c["variant"], c["segment"]): c for c in report["cells"]}
    former = cells[("former", "fr-ar")]
    for key in ("impressions", "clicks", "rate", "ci_low", "ci_high", "p_beats_control"):
        assert key in former
    assert former["rate"] == pytest.approx(0.03)
    assert former["ci_low"] < 0.03 < former["ci_high"]
    assert former["p_beats_control"] > 0.99
    small = cells[("imam", "fr-ar")]
    assert small["suppressed"] is True and small["clicks"] is None and small["rate"] is None
    assert small["p_beats_control"] is None
    assert "fewer than 10" in report["suppression"]
    assert {"messenger_by_segment", "format_by_segment", "segment_ranking", "stop_rules"} <= set(report)
    assert report["stop_rules"]["verdict"] in {"continue", "success", "no_winner"}


def test_allocation_keeps_the_control_share_and_the_minimum(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    org = orgs["civil_society"]
    experiment = {"primary_outcome": "get_help_clicks", "allocation": "thompson", "min_share": 0.1,
                  "control_share": 0.3}
    campaign = _create(client, org, {**CONTRACT, "experiment": experiment})
    rows = [
        {**_row(f"2026-03-0{d}", v, "fr-fr", 5000, 100), "get_help_clicks": g}
        for d in range(1, 8) for v, g in (("control", 20), ("former", 60), ("imam", 22))
    ]
    assert client.post(f"/v1/campaigns/{campaign}/figures", json=rows, headers=org.headers).status_code == 200
    split = client.get(f"/v1/campaigns/{campaign}/allocation", headers=org.headers).json()
    assert split["method"] == "thompson"
    assert split["shares"]["control"] == pytest.approx(0.3)
    assert all(share >= 0.1 - 1e-9 for share in split["shares"].values())
    assert sum(split["shares"].values()) == pytest.approx(1.0)
    assert split["shares"]["former"] > split["shares"]["imam"]


def test_clicks_cannot_be_the_primary_outcome(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    body = {**CONTRACT, "experiment": {"primary_outcome": "clicks"}}
    response = client.post("/v1/campaigns", json=body, headers=orgs["civil_society"].headers)
    assert response.status_code == 422 and response.json()["field"] == "primary_outcome"


def test_design_is_frozen_once_figures_arrive(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    org = orgs["civil_society"]
    campaign = _create(client, org)
    url = f"/v1/campaigns/{campaign}/experiment"
    assert client.put(url, json={"primary_outcome": "watch_seconds"}, headers=org.headers).status_code == 200
    client.post(f"/v1/campaigns/{campaign}/figures", json=[_row("2026-03-02", "control", "fr-fr", 10, 1)],
                headers=org.headers)
    assert client.put(url, json={"primary_outcome": "completions"}, headers=org.headers).status_code == 409


def test_variants_and_redirect_rules(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    org = orgs["civil_society"]
    campaign = _create(client, org)
    url = f"/v1/campaigns/{campaign}/variants"
    added = client.post(url, json={"key": "survivor", "messenger": "survivor", "format": "story"},
                        headers=org.headers)
    assert added.status_code == 201
    assert client.post(url, json={"key": "survivor", "messenger": "peer", "format": "text"},
                       headers=org.headers).status_code == 409
    second_control = client.post(url, json={"key": "c2", "messenger": "peer", "format": "text", "control": True},
                                 headers=org.headers)
    assert second_control.status_code == 422
    rule = {"keywords": ["join the caliphate"], "variant": "former", "url": "https://example.org/playlist"}
    assert client.post(f"/v1/campaigns/{campaign}/redirects", json=rule, headers=org.headers).status_code == 201
    match = client.get(f"/v1/campaigns/{campaign}/redirects/match", params={"q": "how to JOIN the caliphate"},
                       headers=org.headers)
    assert match.json()["variant"] == "former"
    miss = client.get(f"/v1/campaigns/{campaign}/redirects/match", params={"q": "football"}, headers=org.headers)
    assert miss.json() is None


def test_sample_size_calculator(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    response = client.get("/v1/campaigns/sample-size", params={"control_rate": 0.02, "variant_rate": 0.024},
                          headers=orgs["trusted_flagger"].headers)
    body = response.json()
    expected = NormalIndPower().solve_power(proportion_effectsize(0.024, 0.02), alpha=0.05, power=0.8)
    assert body["per_arm"] == pytest.approx(expected, abs=1)
    assert 20_000 < body["per_arm"] < 22_000 and "per arm" in body["summary"]


def test_another_organisations_campaign_is_not_found_until_published(
    client: TestClient, orgs: dict[str, OrgHandle]
) -> None:
    owner, other = orgs["civil_society"], orgs["provider"]
    campaign = _create(client, owner)
    for path in ("", "/impact", "/allocation", "/redirects", "/charts/rates.png"):
        assert client.get(f"/v1/campaigns/{campaign}{path}", headers=other.headers).status_code == 404, path
    rows = [_row("2026-03-02", "control", "fr-fr", 100, 10)]
    assert client.post(f"/v1/campaigns/{campaign}/figures", json=rows, headers=other.headers).status_code == 404
    lesson = {"title": "What we learnt", "lessons": "Video beat text."}
    assert client.post(f"/v1/campaigns/{campaign}/publish", json=lesson, headers=other.headers).status_code == 404
    assert client.get(f"/v1/library/lessons/{campaign}", headers=other.headers).status_code == 404
    assert client.get("/v1/library/lessons", headers=other.headers).json() == []

    published = client.post(f"/v1/campaigns/{campaign}/publish", json=lesson, headers=owner.headers)
    assert published.status_code == 201
    for reader in (other, orgs["trusted_flagger"], orgs["coordinator"]):
        shared = client.get(f"/v1/library/lessons/{campaign}", headers=reader.headers)
        assert shared.status_code == 200
        assert shared.json()["publisher"] is None, "anonymous unless the organisation chose to be named"
        assert "cells" in shared.json()["results"]
    assert client.get(f"/v1/campaigns/{campaign}", headers=other.headers).status_code == 404


def test_published_lessons_must_be_anonymised(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    org = orgs["civil_society"]
    campaign = _create(client, org)
    response = client.post(f"/v1/campaigns/{campaign}/publish",
                           json={"title": "Lessons", "lessons": "Ask @recruiter_42 how it went"}, headers=org.headers)
    assert response.status_code == 422 and response.json()["field"] == "lessons"


def test_every_change_is_audited(client: TestClient, orgs: dict[str, OrgHandle],
                                 factory: sessionmaker[Session]) -> None:
    org = orgs["civil_society"]
    campaign = _create(client, org)
    client.post(f"/v1/campaigns/{campaign}/segments", json={"key": "be-nl", "country": "BE", "language": "nl"},
                headers=org.headers)
    client.post(f"/v1/campaigns/{campaign}/figures", json=[_row("2026-03-02", "control", "be-nl", 10, 1)],
                headers=org.headers)
    client.post(f"/v1/campaigns/{campaign}/publish", json={"title": "t", "lessons": "l"}, headers=org.headers)
    for tag in ("narratives:campaign:create", "narratives:segment:add", "narratives:figures:import",
                "narratives:lesson:publish"):
        assert _events(factory, tag) == 1, tag
