"""The blocking-list pages: the authority opens a list and adds entries (the guard's refusal shown in words),
the overseer reviews and objects, the operator sees where it stands; the stop page names the authority."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import ui_login


def _login(app: FastAPI, handle: OrgHandle) -> tuple[TestClient, str]:
    client = TestClient(app)
    ui_login(client, handle.email, PASSWORD)
    page = client.get("/ui/blocklists").text
    return client, page.split('name="csrf_token" value="')[1].split('"')[0]


def test_authority_and_overseer_work_a_list_in_the_browser(app: FastAPI, factory: sessionmaker[Session],
                                                           clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority", name="IRU France")
        overseer = make_org(session, clock, "overseer", name="Qualified Person")
    client, csrf = _login(app, authority)
    assert 'href="/ui/blocklists"' in client.get("/ui/").text  # in the authority's menu
    created = client.post("/ui/blocklists", data={"csrf_token": csrf, "name": "fr-dns", "kind": "dns_block",
                                                  "legal_basis": "Décret 2015-253", "action": "nxdomain",
                                                  "review_required": "1"}, follow_redirects=False)
    assert created.status_code == 303
    detail = created.headers["location"]
    list_id = detail.rsplit("/", 1)[1]
    refused = client.post(f"{detail}/entries", data={"csrf_token": csrf, "type": "domain", "value": "mega.nz",
                                                     "reason": "x"})
    assert refused.status_code == 200 and "send a removal order" in refused.text
    added = client.post(f"{detail}/entries", data={"csrf_token": csrf, "type": "domain", "value": "propaganda.example",
                                                   "subdomains": "1", "reason": "dedicated propaganda site"})
    assert "propaganda.example" in added.text and ">proposed<" in added.text
    entry_id = re.search(r"/entries/(ble_[^/]+)/delist", added.text)
    assert entry_id is not None

    watcher, watcher_csrf = _login(app, overseer)
    assert "fr-dns" in watcher.get("/ui/blocklists").text
    assert "fr-dns" in watcher.get("/ui/").text  # an overseer lands on the lists it oversees
    reviewed = watcher.post(f"{detail}/entries/{entry_id.group(1)}/review", data={"csrf_token": watcher_csrf})
    assert ">active<" in reviewed.text
    objected = watcher.post(f"{detail}/entries/{entry_id.group(1)}/object",
                            data={"csrf_token": watcher_csrf, "text": "quotes for criticism"})
    assert ">suspended<" in objected.text and "quotes for criticism" in objected.text
    answered = client.post(f"{detail}/entries/{entry_id.group(1)}/answer",
                           data={"csrf_token": csrf, "decision": "delist", "text": "agreed"})
    assert ">delisted<" in answered.text

    stop = TestClient(app).get(f"/blocklists/{list_id}")
    assert stop.status_code == 200 and "IRU France" in stop.text and "Décret 2015-253" in stop.text


def test_a_list_is_not_found_by_an_organisation_outside_it(app: FastAPI, factory: sessionmaker[Session],
                                                           clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority")
        operator = make_org(session, clock, "network_operator")
    client, csrf = _login(app, authority)
    created = client.post("/ui/blocklists", data={"csrf_token": csrf, "name": "fr-dns", "kind": "dns_block",
                                                  "legal_basis": "law"}, follow_redirects=False)
    stranger, _ = _login(app, operator)
    assert stranger.get(created.headers["location"]).status_code == 404


def test_the_authority_hands_the_list_to_an_operator_which_records_its_serial(
        app: FastAPI, factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority")
        operator = make_org(session, clock, "network_operator", name="FibreNet")
    client, csrf = _login(app, authority)
    detail = client.post("/ui/blocklists", data={"csrf_token": csrf, "name": "fr-dns", "kind": "dns_block",
                                                 "legal_basis": "law"}, follow_redirects=False).headers["location"]
    client.post(f"{detail}/entries", data={"csrf_token": csrf, "value": "propaganda.example", "reason": "r"})
    handed = client.post(f"{detail}/subscriptions", data={"csrf_token": csrf, "operator_id": operator.id})
    feed = re.search(r"rpz: <code>(http[^<]+)</code>", handed.text)
    assert feed is not None and "/blocklists/feed/" in feed.group(1)
    assert "propaganda.example CNAME ." in TestClient(app).get(feed.group(1).split("8000", 1)[1]).text
    assert ">pending<" in handed.text
    op, op_csrf = _login(app, operator)
    recorded = op.post(f"{detail}/applied", data={"csrf_token": op_csrf, "serial": "2"})
    assert ">current<" in recorded.text and "FibreNet" in recorded.text
    assert 'name="operator_id"' not in recorded.text  # only the authority hands the list on
