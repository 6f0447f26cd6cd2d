"""The e-evidence pages: an authority registers its key and issues an order (a refused one shows the article),
the provider produces a file through the form (sealed for the authority), the authority extends a preservation;
another organisation's order is a 404 page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.evidence import sealing
from accord.evidence.models import EvidenceOrder, EvidencePackage
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import ui_login


def _login(client: TestClient, handle: OrgHandle) -> str:
    client.cookies.clear()
    assert ui_login(client, handle.email, PASSWORD, follow_redirects=False).status_code == 303
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/evidence").text)
    assert match is not None
    return match.group(1)


def test_issue_produce_and_extend_through_the_pages(client: TestClient, factory: sessionmaker[Session],
                                                   clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        paris = make_org(session, clock, "authority", country="FR")
        host = make_org(session, clock, "provider", country="DE")
        outsider = make_org(session, clock, "provider", country="DE")
    public, private = sealing.generate()
    csrf = _login(client, paris)
    assert "E-evidence" in client.get("/ui/").text
    assert client.post("/ui/evidence/key", data={"public_key": public, "csrf_token": csrf},
                       follow_redirects=False).status_code == 303
    form = {"csrf_token": csrf, "kind": "production", "provider_id": host.id, "data_categories": ["content"],
            "targets": "user:attacker42", "issuer_type": "prosecutor", "offences": "terrorism",
            "legal_basis": "CPP", "max_sentence_years": "10"}
    refused = client.post("/ui/evidence", data=form)
    assert refused.status_code == 422 and "Art. 4(2)" in refused.text
    issued = client.post("/ui/evidence", data={**form, "data_categories": ["subscriber"],
                                               "emergency_reason": "attack tonight"}, follow_redirects=False)
    assert issued.status_code == 303
    order_url = issued.headers["location"]
    assert "emergency" in client.get(order_url).text
    preservation = client.post("/ui/evidence", data={**form, "kind": "preservation"}, follow_redirects=False)
    preservation_url = preservation.headers["location"]

    csrf = _login(client, host)
    assert order_url.rsplit("/", 1)[1] in client.get("/ui/evidence").text
    produced = client.post(f"{order_url}/answer", data={"csrf_token": csrf, "outcome": "produce"},
                           files={"file": ("subscriber.txt", b"attacker42: Jean Exemple", "text/plain")},
                           follow_redirects=False)
    assert produced.status_code == 303, re.findall(r"role=\"alert\">([^<]*)", produced.text)
    with factory() as session:
        order = session.get(EvidenceOrder, order_url.rsplit("/", 1)[1])
        assert order is not None and order.status == "produced"
        package = session.get(EvidencePackage, order.answer["package_id"])
        assert package is not None and package.sealed is not None
        assert sealing.open_sealed(private, package.sealed).data == b"attacker42: Jean Exemple"

    csrf = _login(client, paris)
    extended = client.post(f"{preservation_url}/extend", data={"csrf_token": csrf, "reason": "EPOC drafted"},
                           follow_redirects=False)
    assert extended.status_code == 303
    assert "(extended)" in client.get(preservation_url).text

    _login(client, outsider)
    assert client.get(order_url).status_code == 404
    assert order_url.rsplit("/", 1)[1] not in client.get("/ui/evidence").text
