"""The real part of blocking lists: real resolvers (Unbound, and BIND 9) enforce Accord's RPZ export.

Unbound fetches the zone from the operator's capability URL on a live Accord server (``rpz: url:``, as a
resolver that cannot send headers does); dnspython asks it. A blocked name answers NXDOMAIN (or the stop host),
its subdomains too, an unrelated name still resolves, and a delisted or expired entry resolves again once the
zone is fetched again.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dns.zone
import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.blocklists import jobs
from accord.blocklists.operators import FEED_PATH
from accord.cli import context
from accord.cli.main import app as cli_app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.jobs.registry import JobContext
from accord.settings import Settings
from tests.conftest import LiveServer
from tests.factories import make_org
from tests.functional.bind import Bind
from tests.functional.unbound import Rpz, Unbound

NAMES = {"propaganda.test": "192.0.2.10", "www.propaganda.test": "192.0.2.11", "cdn.propaganda.test": "192.0.2.12",
         "recruit.test": "192.0.2.13", "www.recruit.test": "192.0.2.14", "short.test": "192.0.2.15",
         "library.test": "192.0.2.20", "stop.test": "192.0.2.99", "mirror.test": "192.0.2.30"}


def _list(client: TestClient, headers: dict[str, str], **body: Any) -> str:
    spec = {"kind": "dns_block", "legal_basis": "Décret 2015-253; LCEN art. 6-1", "review_required": False, **body}
    response = client.post("/v1/blocklists", json=spec, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _entry(client: TestClient, headers: dict[str, str], list_id: str, value: str, subdomains: bool,
           **extra: Any) -> str:
    body = {"type": "domain", "value": value, "subdomains": subdomains, "reason": "incites to terrorism", **extra}
    response = client.post(f"/v1/blocklists/{list_id}/entries", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "active"
    return str(response.json()["id"])


def _feed(client: TestClient, authority: dict[str, str], list_id: str, operator_id: str, server: LiveServer) -> str:
    response = client.post(f"/v1/blocklists/{list_id}/subscriptions", json={"operator_id": operator_id},
                           headers=authority)
    assert response.status_code == 201, response.text
    return f"{server.url}{FEED_PATH}{response.json()['feed_token']}.rpz"


def _serial(feed_url: str, origin: str) -> int:
    """Fetch the zone as Unbound does (a plain GET, no header) and read its SOA serial."""
    response = httpx.get(feed_url)
    assert response.status_code == 200
    zone = dns.zone.from_text(response.text, origin=origin, relativize=False)
    soa = zone.find_rdataset(origin, "SOA")[0]
    return int(soa.serial)


def test_unbound_enforces_the_exported_zone_and_forgets_what_leaves_it(
    client: TestClient, live_server: LiveServer, factory: sessionmaker[Session], clock: FrozenClock,
    settings: Settings, tmp_path: Path,
) -> None:
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority")
        operator = make_org(session, clock, "network_operator")
    nx = _list(client, authority.headers, name="fr-dns", action="nxdomain")
    stop = _list(client, authority.headers, name="fr-stop", action="stop_page", stop_host="stop.test")
    delisted = _entry(client, authority.headers, nx, "propaganda.test", True)
    _entry(client, authority.headers, nx, "recruit.test", False)
    _entry(client, authority.headers, nx, "short.test", False, expires_at=(clock.now() + timedelta(days=2)).isoformat())
    _entry(client, authority.headers, stop, "mirror.test", False)
    nx_feed = _feed(client, authority.headers, nx, operator.id, live_server)
    stop_feed = _feed(client, authority.headers, stop, operator.id, live_server)
    nx_zone, stop_zone = f"fr-dns.{settings.blocklist_zone_suffix}.", f"fr-stop.{settings.blocklist_zone_suffix}."
    first_serial = _serial(nx_feed, nx_zone)

    zones = [Rpz(nx_zone, url=nx_feed), Rpz(stop_zone, url=stop_feed)]
    with Unbound(tmp_path, NAMES, zones) as resolver:
        resolver.wait_for(lambda: resolver.ask("propaganda.test").rcode == "NXDOMAIN", "the RPZ zone never loaded")
        resolver.wait_for(lambda: resolver.ask("mirror.test").cnames == {"stop.test."}, "the stop zone never loaded")
        assert resolver.ask("www.propaganda.test").rcode == "NXDOMAIN"  # *.propaganda.test
        assert resolver.ask("cdn.propaganda.test").rcode == "NXDOMAIN"
        assert resolver.ask("recruit.test").rcode == "NXDOMAIN"
        assert resolver.ask("www.recruit.test").addresses == {"192.0.2.14"}  # listed without its subdomains
        assert resolver.ask("short.test").rcode == "NXDOMAIN"
        assert resolver.ask("library.test").addresses == {"192.0.2.20"}  # unrelated names still resolve
        assert resolver.ask("mirror.test").addresses == {"192.0.2.99"}  # the stop page host, not the site
        assert "rpz: applied" in resolver.log()

        delete = client.delete(f"/v1/blocklists/{nx}/entries/{delisted}", headers=authority.headers)
        assert delete.status_code == 200 and delete.json()["state"] == "delisted"
        clock.advance(days=3)
        with unit_of_work(factory) as session:
            assert jobs.expire_due(JobContext(session, clock, settings, "test")) == 1
        assert _serial(nx_feed, nx_zone) == first_serial + 2  # one change each: delisting, expiry

        resolver.restart()  # re-reads the zone from the capability URL
        resolver.wait_for(lambda: resolver.ask("recruit.test").rcode == "NXDOMAIN", "the zone did not reload")
        resolver.wait_for(lambda: resolver.ask("propaganda.test").addresses == {"192.0.2.10"},
                          "a delisted name still does not resolve")
        assert resolver.ask("www.propaganda.test").addresses == {"192.0.2.11"}
        assert resolver.ask("short.test").addresses == {"192.0.2.15"}  # expired
        assert resolver.ask("recruit.test").rcode == "NXDOMAIN"  # still listed


def test_the_capability_url_opens_one_list_and_records_the_fetch(
    client: TestClient, live_server: LiveServer, factory: sessionmaker[Session], clock: FrozenClock,
    settings: Settings,
) -> None:
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority")
        operator = make_org(session, clock, "network_operator")
    list_id = _list(client, authority.headers, name="fr-dns")
    _entry(client, authority.headers, list_id, "propaganda.test", True)
    feed = _feed(client, authority.headers, list_id, operator.id, live_server)
    body = httpx.get(feed).text
    assert "propaganda.test CNAME ." in body and "*.propaganda.test CNAME ." in body
    assert httpx.get(feed.replace(".rpz", ".csv")).text.splitlines()[0].startswith("id,type,value")
    assert httpx.get(f"{live_server.url}{FEED_PATH}{'A' * 43}.rpz").status_code == 404
    assert httpx.get(feed.replace(".rpz", ".xml")).status_code == 404
    operators = client.get(f"/v1/blocklists/{list_id}/operators", headers=authority.headers).json()
    assert operators[0]["operator_id"] == operator.id


def test_an_operator_rotates_a_leaked_feed_url(client: TestClient, live_server: LiveServer,
                                               factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority")
        operator = make_org(session, clock, "network_operator")
    list_id = _list(client, authority.headers, name="fr-dns")
    leaked = _feed(client, authority.headers, list_id, operator.id, live_server)
    rotated = client.post(f"/v1/blocklists/{list_id}/feed-token", headers=operator.headers)
    assert rotated.status_code == 200
    assert httpx.get(leaked).status_code == 404
    fresh = f"{live_server.url}{FEED_PATH}{rotated.json()['feed_token']}.rpz"
    assert httpx.get(fresh).status_code == 200
    assert client.post(f"/v1/blocklists/{list_id}/feed-token", headers=authority.headers).status_code == 404


def test_unbound_reads_the_file_accord_blocklist_export_writes(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCORD_DATABASE_URL", settings.database_url)
    context.settings.cache_clear()
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority", name="IRU")
    list_id = _list(client, authority.headers, name="fr-file")
    entry = _entry(client, authority.headers, list_id, "recruit.test", True)
    zone_file = tmp_path / "fr-file.rpz"

    def export() -> None:
        result = CliRunner().invoke(cli_app, ["blocklist", "export", "fr-file", "--format", "rpz", "--out",
                                              str(zone_file), "--org", "IRU"])
        assert result.exit_code == 0, result.output

    export()
    zone = Rpz(f"fr-file.{settings.blocklist_zone_suffix}.", zonefile=zone_file)
    with Unbound(tmp_path, NAMES, [zone]) as resolver:
        resolver.wait_for(lambda: resolver.ask("recruit.test").rcode == "NXDOMAIN", "the zone file never loaded")
        assert resolver.ask("www.recruit.test").rcode == "NXDOMAIN"
        assert resolver.ask("library.test").addresses == {"192.0.2.20"}
        assert client.delete(f"/v1/blocklists/{list_id}/entries/{entry}", headers=authority.headers).is_success
        export()
        resolver.restart()
        assert resolver.ask("recruit.test").addresses == {"192.0.2.13"}
        assert resolver.ask("www.recruit.test").addresses == {"192.0.2.14"}
    context.settings.cache_clear()


def test_bind_enforces_the_file_accord_blocklist_export_writes(
    client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/blocklists.md, "BIND 9": the exported file passes named-checkzone, a recursive named applies it as a
    response-policy zone (subdomains too, an unrelated name still resolves), and a delisted entry resolves again
    once the file is exported and loaded again."""
    monkeypatch.setenv("ACCORD_DATABASE_URL", settings.database_url)
    context.settings.cache_clear()
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority", name="IRU")
    list_id = _list(client, authority.headers, name="fr-bind")
    entry = _entry(client, authority.headers, list_id, "recruit.test", True)
    _entry(client, authority.headers, list_id, "propaganda.test", False)
    zone_file = tmp_path / "fr-bind.rpz"

    def export() -> None:
        result = CliRunner().invoke(cli_app, ["blocklist", "export", "fr-bind", "--format", "rpz", "--out",
                                              str(zone_file), "--org", "IRU"])
        assert result.exit_code == 0, result.output

    export()
    with Bind(tmp_path, NAMES, f"fr-bind.{settings.blocklist_zone_suffix}.", zone_file) as resolver:
        assert resolver.ask("recruit.test").rcode == "NXDOMAIN"
        assert resolver.ask("www.recruit.test").rcode == "NXDOMAIN"
        assert resolver.ask("propaganda.test").rcode == "NXDOMAIN"
        assert resolver.ask("www.propaganda.test").addresses == {"192.0.2.11"}  # listed without its subdomains
        assert resolver.ask("library.test").addresses == {"192.0.2.20"}
        assert client.delete(f"/v1/blocklists/{list_id}/entries/{entry}", headers=authority.headers).is_success
        export()
        resolver.restart()
        assert resolver.ask("recruit.test").addresses == {"192.0.2.13"}
        assert resolver.ask("www.recruit.test").addresses == {"192.0.2.14"}
        assert resolver.ask("propaganda.test").rcode == "NXDOMAIN"
    context.settings.cache_clear()
