"""/v1/scans and the scans pages: a provider reads its scans and their figures; another organisation's is 404."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.flows.decisions import decide
from accord.scans import service
from accord.settings import Settings
from tests.factories import PASSWORD, make_org
from tests.helpers import ui_login
from tests.unit.banks.helpers import LIMITS, principal
from tests.unit.scans.helpers import archive, world


def test_scans_are_read_with_their_figures_by_their_organisation_only(
        client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings,
        tmp_path: Path) -> None:
    w = world(factory, clock)
    with unit_of_work(factory) as session:
        host = make_org(session, clock, "provider", name="Scanning host")
        outsider = make_org(session, clock, "provider")
        scan = service.start_scan(session, clock, principal(host), sources_=[str(archive(tmp_path / "a"))],
                                  shadow=True)
    service.run_scan(factory, clock, principal(host), scan.id, service.InProcess(), settings=settings,
                     limits=LIMITS, decide=decide)
    listed = client.get("/v1/scans", headers=host.headers)
    assert listed.status_code == 200 and [s["id"] for s in listed.json()] == [scan.id]
    one = client.get(f"/v1/scans/{scan.id}", headers=host.headers).json()
    assert (one["status"], one["shadow"], one["items_done"], one["items_matched"], one["items_failed"]) == (
        "finished", True, 12, 3, 2)
    assert one["figures"]["banks"] == {w.bank.name: 3} and len(one["errors"]) == 2
    assert client.get("/v1/scans", headers=outsider.headers).json() == []
    hidden = client.get(f"/v1/scans/{scan.id}", headers=outsider.headers)
    assert hidden.status_code == 404 and hidden.headers["content-type"].startswith("application/problem+json")

    assert ui_login(client, host.email, PASSWORD, follow_redirects=False).status_code == 303
    page = client.get("/ui/scans")
    assert page.status_code == 200 and scan.id in page.text and "shadow" in page.text
    assert 'href="/ui/scans"' in page.text  # in the menu
    detail = client.get(f"/ui/scans/{scan.id}").text
    assert "glorification of terrorist acts" in detail and w.bank.name in detail and "bomb.png" in detail
    client.cookies.clear()
    assert ui_login(client, outsider.email, PASSWORD, follow_redirects=False).status_code == 303
    assert client.get(f"/ui/scans/{scan.id}").status_code == 404
