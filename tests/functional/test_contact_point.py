"""TCO Art. 15 over HTTP and the CLI: a provider declares its contact point, anyone reads it without a key,
and an authority's order in a language it does not accept comes back flagged."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cli import context
from accord.cli.main import app as cli
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.factories import make_org
from tests.unit.notices.helpers import payload


def test_the_contact_point_is_public_and_an_unaccepted_language_is_flagged(
        client: TestClient, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        iru = make_org(session, clock, "authority", country="FR")
        video = make_org(session, clock, "provider", country="AT")
    refused = client.put("/v1/organisation/contact-point", headers=video.headers,
                         json={"email": "orders@video.example", "languages": ["en"]})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert "AT" in refused.json()["detail"]
    declared = client.put("/v1/organisation/contact-point", headers=video.headers,
                          json={"email": "orders@video.example", "phone": "+43 1 234", "languages": ["de", "en"]})
    assert declared.status_code == 200, declared.text
    public = client.get(f"/v1/public/providers/{video.id}/contact-point")
    assert public.status_code == 200
    assert public.json() == {"provider_id": video.id, "name": video.name, "country": "AT",
                             "email": "orders@video.example", "phone": "+43 1 234", "languages": ["de", "en"],
                             "establishment_languages": ["de"], "includes_establishment_language": True}
    assert client.get(f"/v1/public/providers/{iru.id}/contact-point").status_code == 404
    order = client.post("/v1/notices", headers=iru.headers, json=payload("removal_order", video.id, language="fr"))
    assert order.status_code == 201, order.text
    assert order.json()["details"]["language_accepted"] is False
    bad = client.post("/v1/notices", headers=iru.headers, json=payload("removal_order", video.id, language="xyz"))
    assert bad.status_code == 422 and "language" in bad.text


def test_the_cli_declares_the_contact_point(factory: sessionmaker[Session], clock: FrozenClock,
                                            settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ACCORD_MODE", "test")
    context.settings.cache_clear()
    with unit_of_work(factory) as session:
        video = make_org(session, clock, "provider", country="FI")
    runner = CliRunner()
    refused = runner.invoke(cli, ["org", "contact-point", "--as", video.id, "--language", "en"])
    assert refused.exit_code != 0 and "FI" in refused.output + (refused.stderr if refused.stderr_bytes else "")
    done = runner.invoke(cli, ["org", "contact-point", "--as", video.id, "--language", "sv", "--language", "en",
                               "--email", "orders@video.example", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["contact_languages"] == ["sv", "en"]
