"""The campaign pages through the HTTP client: create, import a CSV, publish, read the library."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.web.ui.narratives import EXAMPLE
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import ui_login

CSV = ("date,variant,segment,impressions,clicks,watch_seconds,get_help_clicks\n"
       "2026-03-02,control,fr-fr,2000,40,1200,4\n2026-03-02,former,fr-fr,2000,70,5000,9\n")


def _login(client: TestClient, org: OrgHandle) -> str:
    client.cookies.clear()
    ui_login(client, org.email, PASSWORD)
    page = client.get("/ui/campaigns")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> tuple[OrgHandle, OrgHandle]:
    with unit_of_work(factory) as session:
        return make_org(session, clock, "civil_society"), make_org(session, clock, "provider")


def test_campaign_lifecycle_in_the_ui(client: TestClient, orgs: tuple[OrgHandle, OrgHandle]) -> None:
    owner, other = orgs
    csrf = _login(client, owner)
    bad = dict(EXAMPLE, segments=[{"key": "s", "country": "FR", "ethnicity": "x"}])
    refused = client.post("/ui/campaigns", data={"spec": json.dumps(bad), "csrf_token": csrf})
    assert refused.status_code == 422 and "segments[0].ethnicity" in refused.text
    created = client.post("/ui/campaigns", data={"spec": json.dumps(EXAMPLE), "csrf_token": csrf},
                          follow_redirects=False)
    assert created.status_code == 303
    url = created.headers["location"]
    broken = client.post(f"{url}/figures", data={"csrf_token": csrf},
                         files={"file": ("f.csv", CSV.replace("70,", "7000,"), "text/csv")})
    assert broken.status_code == 422 and "import-problems" in broken.text and "cannot exceed" in broken.text
    imported = client.post(f"{url}/figures", data={"csrf_token": csrf}, files={"file": ("f.csv", CSV, "text/csv")})
    assert imported.status_code == 200 and "2 new, 0 updated, 0 unchanged" in imported.text
    assert "impact-table" in imported.text
    chart = client.get(f"{url}/charts/formats.png")
    assert chart.headers["content-type"] == "image/png" and chart.content.startswith(b"\x89PNG")
    assert "about 21," in client.get(url, params={"control_rate": "0.02", "variant_rate": "0.024"}).text
    published = client.post(f"{url}/publish", data={"title": "Video works", "lessons": "Former beat official.",
                                                     "csrf_token": csrf})
    assert published.status_code == 200 and "published" in published.text

    _login(client, other)
    assert client.get(url).status_code == 404
    library = client.get("/ui/campaigns/library")
    assert "Video works" in library.text
    lesson_url = re.search(r'href="(/ui/campaigns/library/lsn_[^"]+)"', library.text)
    assert lesson_url
    lesson = client.get(lesson_url.group(1))
    assert "Former beat official." in lesson.text and "impact-table" in lesson.text
    assert client.get(f"{lesson_url.group(1)}/charts/rates.png").content.startswith(b"\x89PNG")
