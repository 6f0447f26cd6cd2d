"""/v1/evidence-orders end to end: the contract, Art. 4/5 refusals as problem+json citing the article, the
provider's answers, the enforcing State's answer, sealed packages, isolation (another organisation gets a 404),
and the proof that neither the database nor the instance's files hold produced data in plaintext."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.evidence import sealing
from accord.identity import service as identity
from accord.models import metadata
from accord.settings import Settings
from tests.factories import TEST_ACTOR, OrgHandle, make_org

SECRET = b"PLAINTEXT-MARKER: subscriber Jean Exemple, +33 6 00 00 00 00, IP 198.51.100.23"
CONTRACT: dict[str, Any] = {
    "kind": "production", "data_categories": ["subscriber", "ip_identification"],
    "targets": ["user:attacker42", "https://forum.example.org/u/attacker42"], "issuer_type": "prosecutor",
    "emergency": False, "offences": ["participation in a terrorist group"], "legal_basis": "CPP art. 60-1",
    "max_sentence_years": 10,
}


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"paris": make_org(session, clock, "authority", country="FR"),
                "berlin": make_org(session, clock, "authority", country="DE"),
                "rome": make_org(session, clock, "authority", country="IT"),
                "host": make_org(session, clock, "provider", country="DE"),
                "other": make_org(session, clock, "provider", country="DE"),
                "ngo": make_org(session, clock, "trusted_flagger", country="NL")}


@pytest.fixture
def private_key(client: TestClient, orgs: dict[str, OrgHandle]) -> str:
    public, private = sealing.generate()
    response = client.post("/v1/evidence-keys", json={"public_key": public}, headers=orgs["paris"].headers)
    assert response.status_code == 201, response.text
    assert response.json()["fingerprint"] == sealing.fingerprint(public)
    return private


def issue(client: TestClient, orgs: dict[str, OrgHandle], **extra: Any) -> dict[str, Any]:
    response = client.post("/v1/evidence-orders", json={**CONTRACT, "provider_id": orgs["host"].id, **extra},
                           headers=orgs["paris"].headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_contract(client: TestClient, orgs: dict[str, OrgHandle], private_key: str, clock: FrozenClock) -> None:
    body = issue(client, orgs)
    assert body["id"].startswith("epo_") and body["status"] == "received"
    assert datetime.fromisoformat(body["deadline_at"]) == clock.now() + timedelta(days=10)
    seen = client.get(f"/v1/evidence-orders/{body['id']}", headers=orgs["host"].headers)
    assert seen.status_code == 200 and seen.json()["targets"] == CONTRACT["targets"]
    inbox = client.get("/v1/evidence-orders", headers=orgs["host"].headers).json()
    assert [o["id"] for o in inbox] == [body["id"]]


@pytest.mark.parametrize(("extra", "article", "field"), [
    ({"data_categories": ["content"]}, "Art. 4(2)", "issuer_type"),
    ({"data_categories": ["traffic"], "issuer_type": "other", "validated_by": "prosecutor"}, "Art. 4(2)",
     "validated_by"),
    ({"issuer_type": "other"}, "Art. 4(1)", "validated_by"),
    ({"data_categories": ["content"], "issuer_type": "judge", "max_sentence_years": 2}, "Art. 5(4)",
     "max_sentence_years"),
])
def test_refused_combinations_are_422_citing_the_article(client: TestClient, orgs: dict[str, OrgHandle],
                                                         private_key: str, extra: dict[str, Any], article: str,
                                                         field: str) -> None:
    response = client.post("/v1/evidence-orders", json={**CONTRACT, "provider_id": orgs["host"].id, **extra},
                           headers=orgs["paris"].headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert article in response.json()["detail"] and response.json()["field"] == field


def test_only_authorities_issue_and_only_the_addressee_answers(client: TestClient, orgs: dict[str, OrgHandle],
                                                               private_key: str) -> None:
    refused = client.post("/v1/evidence-orders", json={**CONTRACT, "provider_id": orgs["host"].id},
                          headers=orgs["ngo"].headers)
    assert refused.status_code == 403
    order = issue(client, orgs)
    by_issuer = client.post(f"/v1/evidence-orders/{order['id']}/answer", json={"outcome": "preserve"},
                            headers=orgs["paris"].headers)
    assert by_issuer.status_code == 403


def test_another_organisation_gets_404_everywhere(client: TestClient, orgs: dict[str, OrgHandle],
                                                  private_key: str, clock: FrozenClock) -> None:
    order = issue(client, orgs)
    produced = client.post(f"/v1/evidence-orders/{order['id']}/answer",
                           json={"outcome": "produce", "data_base64": base64.b64encode(SECRET).decode()},
                           headers=orgs["host"].headers).json()
    package_id = produced["answer"]["package_id"]
    probes = [("GET", f"/v1/evidence-orders/{order['id']}", {}),
              ("POST", f"/v1/evidence-orders/{order['id']}/answer", {"outcome": "preserve"}),
              ("POST", f"/v1/evidence-orders/{order['id']}/withdraw", {"reason": "x"}),
              ("POST", f"/v1/evidence-orders/{order['id']}/extend", {"reason": "x"}),
              ("POST", f"/v1/evidence-orders/{order['id']}/clarify", {"text": "x"}),
              ("POST", f"/v1/evidence-orders/{order['id']}/notification-answer", {"answer": "no_grounds"}),
              ("POST", f"/v1/evidence-orders/{order['id']}/validation", {"validated_by": "judge", "granted": True}),
              ("POST", f"/v1/evidence-orders/{order['id']}/review", {"decision": "withdraw"}),
              ("GET", f"/v1/evidence-packages/{package_id}", {})]
    for outsider in ("rome", "other", "ngo", "berlin"):  # berlin: not notified of an identification order
        for method, url, body in probes:
            response = client.request(method, url, json=body, headers=orgs[outsider].headers)
            assert response.status_code == 404, f"{outsider} {method} {url}: {response.status_code}"
        assert client.get("/v1/evidence-orders", headers=orgs[outsider].headers).json() == []


def test_the_enforcing_state_path(client: TestClient, orgs: dict[str, OrgHandle], private_key: str,
                                  clock: FrozenClock) -> None:
    order = issue(client, orgs, data_categories=["content"], issuer_type="investigating_judge")
    assert order["enforcing_authority_id"] == orgs["berlin"].id and order["production_waits"]
    notified = client.get(f"/v1/evidence-orders/{order['id']}", headers=orgs["berlin"].headers)
    assert notified.status_code == 200
    data = {"outcome": "produce", "data_base64": base64.b64encode(SECRET).decode()}
    early = client.post(f"/v1/evidence-orders/{order['id']}/answer", json=data, headers=orgs["host"].headers)
    assert early.status_code == 409 and "Art. 10(2)" in early.json()["detail"]
    answered = client.post(f"/v1/evidence-orders/{order['id']}/notification-answer",
                           json={"answer": "no_grounds"}, headers=orgs["berlin"].headers)
    assert answered.status_code == 200 and answered.json()["production_waits"] is None
    done = client.post(f"/v1/evidence-orders/{order['id']}/answer", json=data, headers=orgs["host"].headers)
    assert done.status_code == 200 and done.json()["status"] == "produced"


def test_the_authority_opens_what_the_provider_produced(client: TestClient, orgs: dict[str, OrgHandle],
                                                        private_key: str) -> None:
    order = issue(client, orgs)
    answered = client.post(f"/v1/evidence-orders/{order['id']}/answer",
                           json={"outcome": "produce", "data_base64": base64.b64encode(SECRET).decode(),
                                 "filename": "subscriber.txt", "media_type": "text/plain"},
                           headers=orgs["host"].headers)
    assert answered.status_code == 200, answered.text
    package_id = answered.json()["answer"]["package_id"]
    by_provider = client.get(f"/v1/evidence-packages/{package_id}", headers=orgs["host"].headers)
    assert by_provider.status_code == 403
    package = client.get(f"/v1/evidence-packages/{package_id}", headers=orgs["paris"].headers).json()
    sealed = base64.b64decode(package["sealed_base64"])
    assert sealing.open_sealed(private_key, sealed).data == SECRET
    assert package["manifest"]["sha256"] == package["sha256"] and len(package["downloads"]) == 1


def test_neither_the_database_nor_the_files_hold_plaintext(client: TestClient, orgs: dict[str, OrgHandle],
                                                           private_key: str, settings: Settings,
                                                           factory: sessionmaker[Session], tmp_path: Path) -> None:
    order = issue(client, orgs)
    response = client.post(f"/v1/evidence-orders/{order['id']}/answer",
                           json={"outcome": "produce", "data_base64": base64.b64encode(SECRET).decode()},
                           headers=orgs["host"].headers)
    assert response.status_code == 200
    disclosed = client.post("/v1/evidence-disclosures",
                            json={"authority_id": orgs["paris"].id, "details": "threat to kill announced",
                                  "data_base64": base64.b64encode(SECRET).decode()}, headers=orgs["host"].headers)
    assert disclosed.status_code == 201, disclosed.text
    marker, encoded = SECRET[:17], base64.b64encode(SECRET)[:20]
    with factory() as session:
        rows = _every_row(session)
    assert any("evp_" in row for row in rows)  # the packages are there, as ciphertext
    assert not [row for row in rows if marker.decode() in row or encoded.decode() in row]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    if settings.database_url.startswith("sqlite"):
        assert any(p.suffix == ".db" for p in files)
    for path in files:
        content = path.read_bytes()
        assert marker not in content and encoded not in content, path


def _every_row(session: Session) -> list[str]:
    """Every row of every table, as text (bytes as hex and as latin-1, so that raw plaintext would show)."""
    rows = []
    for table in metadata.sorted_tables:
        for row in session.execute(table.select()):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    raw = bytes(value)
                    rows.append(raw.decode("latin-1"))
                    rows.append(raw.hex())
                else:
                    rows.append(str(value))
    return rows


def test_a_key_without_the_evidence_scope_is_refused(client: TestClient, orgs: dict[str, OrgHandle],
                                                     factory: sessionmaker[Session], clock: FrozenClock) -> None:
    with unit_of_work(factory) as session:
        _, key = identity.create_key(session, clock, TEST_ACTOR, org_id=orgs["paris"].id, scopes=["notices:write"])
    response = client.post("/v1/evidence-orders", json={**CONTRACT, "provider_id": orgs["host"].id},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403


def test_statistics_for_the_year(client: TestClient, orgs: dict[str, OrgHandle], private_key: str,
                                 clock: FrozenClock) -> None:
    issue(client, orgs)
    issue(client, orgs, kind="preservation", data_categories=["content"])
    figures = client.get(f"/v1/evidence-orders/statistics?year={clock.now().year}",
                         headers=orgs["paris"].headers).json()
    assert figures["by_kind"] == {"production": 1, "preservation": 1}


def test_the_forms_as_signed_json_and_pdf(client: TestClient, orgs: dict[str, OrgHandle], private_key: str) -> None:
    order = issue(client, orgs, reference="FR-PNAT-2026-0131")
    form = client.get(f"/v1/evidence-orders/{order['id']}/form.json", headers=orgs["host"].headers).json()
    assert form["form"] == "EPOC" and form["signature"]["signer"]["organisation_id"] == orgs["paris"].id
    pdf = client.get(f"/v1/evidence-orders/{order['id']}/form.pdf", headers=orgs["host"].headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "European Production Order Certificate" in text and "FR-PNAT-2026-0131" in text
    assert client.get(f"/v1/evidence-orders/{order['id']}/form.pdf", headers=orgs["rome"].headers).status_code == 404
    early = client.get(f"/v1/evidence-orders/{order['id']}/impossibility.pdf", headers=orgs["paris"].headers)
    assert early.status_code == 409
    client.post(f"/v1/evidence-orders/{order['id']}/answer",
                json={"outcome": "impossible", "grounds": ["data_not_held"], "explanation": "account deleted"},
                headers=orgs["host"].headers)
    annex = client.get(f"/v1/evidence-orders/{order['id']}/impossibility.pdf", headers=orgs["paris"].headers)
    assert annex.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(annex.content)).pages)
    assert "[x] data_not_held" in text and "account deleted" in text
