"""TCO Annex I/II/III over the API and the command line: who may read them, PDF and JSON, import of an Annex I
made elsewhere, offline verification with ``accord notice verify``, and the OpenAPI contract."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.cli import context
from accord.cli.main import app as cli_app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import ui_login

URLS = ["https://video.example.org/watch/123", "https://video.example.org/watch/124"]
ORDER = {"kind": "removal_order", "reference": "FR-IRU-2026-0042", "urls": URLS, "tco_types": ["incitement"],
         "reasons": "Glorifies the attack.", "legal_basis": "TCO Art. 3",
         "redress": {"body": "Tribunal administratif de Paris", "deadline_days": 30}, "emergency": True,
         "emergency_reason": "Calls for an attack tonight.", "issued_at": "2026-03-02T10:59:00+01:00",
         "authority_type": "law_enforcement", "file_number": "OCL/2026/42",
         "signatory": {"name": "Cdt. C. Martin", "post": "Head of unit"}}


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"iru": make_org(session, clock, "authority", country="FR"),
                "iru2": make_org(session, clock, "authority", country="FR"),
                "video": make_org(session, clock, "provider", country="FR"),
                "forum": make_org(session, clock, "provider", country="FR")}


def _order(client: TestClient, orgs: dict[str, OrgHandle]) -> str:
    response = client.post("/v1/notices", json={**ORDER, "provider_id": orgs["video"].id}, headers=orgs["iru"].headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_issued_at_free_text_is_refused(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    response = client.post("/v1/notices", json={**ORDER, "provider_id": orgs["video"].id, "issued_at": "today 9am"},
                           headers=orgs["iru"].headers)
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == "issued_at"


def test_issuer_and_addressee_read_annex_i_others_get_404(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    notice_id = _order(client, orgs)
    docs = []
    for who in ("iru", "video"):
        doc = client.get(f"/v1/notices/{notice_id}/annex-i.json", headers=orgs[who].headers)
        assert doc.status_code == 200 and doc.headers["content-type"] == "application/json"
        docs.append(doc.json())
        pdf = client.get(f"/v1/notices/{notice_id}/annex-i.pdf", headers=orgs[who].headers)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = _text(pdf.content)
        assert "FR-IRU-2026-0042" in text and all(url in text for url in URLS)
    assert docs[0] == docs[1] and docs[0]["section_a"]["issued_at"] == "2026-03-02T09:59:00+00:00"
    for who in ("iru2", "forum"):
        for suffix in ("annex-i.json", "annex-i.pdf"):
            response = client.get(f"/v1/notices/{notice_id}/{suffix}", headers=orgs[who].headers)
            assert response.status_code == 404, (who, suffix)
    key = client.get(f"/v1/organisations/{orgs['iru'].id}/signing-key", headers=orgs["video"].headers).json()
    assert key["public_key"] == docs[0]["signature"]["public_key"] and key["algorithm"] == "Ed25519"


def test_import_creates_the_order_and_refuses_a_tampered_one(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    notice_id = _order(client, orgs)
    doc = client.get(f"/v1/notices/{notice_id}/annex-i.json", headers=orgs["iru"].headers).json()
    tampered = json.loads(json.dumps(doc))
    tampered["section_b"]["urls"] = ["https://video.example.org/watch/999"]
    refused = client.post("/v1/notices/import", json=tampered, headers=orgs["iru2"].headers)
    assert refused.status_code == 422 and refused.json()["field"] == "signature"
    assert client.post("/v1/notices/import", json=doc, headers=orgs["video"].headers).status_code == 403
    assert client.post("/v1/notices/import", content=b"not json", headers=orgs["iru2"].headers).status_code == 422
    imported = client.post("/v1/notices/import", json=doc, headers=orgs["iru2"].headers)
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert body["issuer_id"] == orgs["iru2"].id and body["provider_id"] == orgs["video"].id
    assert body["urls"] == URLS and body["reference"] == "FR-IRU-2026-0042" and body["status"] == "received"
    again = client.get(f"/v1/notices/{body['id']}/annex-i.json", headers=orgs["video"].headers).json()
    for section in ("section_b", "section_g"):
        assert again[section] == doc[section]
    assert again["section_e"]["file_number"] == "OCL/2026/42"
    assert again["imported_from"]["fingerprint"] == doc["signature"]["fingerprint"]


def test_feedback_pdf_and_signature(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    notice_id = _order(client, orgs)
    assert client.get(f"/v1/notices/{notice_id}/feedback.pdf", headers=orgs["iru"].headers).status_code == 409
    client.post(f"/v1/notices/{notice_id}/outcome", json={"outcome": "removed"}, headers=orgs["video"].headers)
    record = client.get(f"/v1/notices/{notice_id}/feedback", headers=orgs["iru"].headers).json()
    key = client.get(f"/v1/organisations/{orgs['video'].id}/signing-key", headers=orgs["iru"].headers).json()
    assert record["signature"]["public_key"] == key["public_key"]
    pdf = client.get(f"/v1/notices/{notice_id}/feedback.pdf", headers=orgs["iru"].headers)
    assert pdf.headers["content-type"] == "application/pdf" and "ANNEX II" in _text(pdf.content)
    assert client.get(f"/v1/notices/{notice_id}/feedback.pdf", headers=orgs["forum"].headers).status_code == 404


def test_openapi_documents_the_documents(app: FastAPI) -> None:
    spec = app.openapi()
    paths = spec["paths"]
    for path in ("/v1/notices/{notice_id}/annex-i.pdf", "/v1/notices/{notice_id}/feedback.pdf"):
        assert "application/pdf" in paths[path]["get"]["responses"]["200"]["content"]
    ok = paths["/v1/notices/{notice_id}/annex-i.json"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/AnnexIDocument")
    schemas = spec["components"]["schemas"]
    assert {"section_a", "section_g", "signature"} <= set(schemas["AnnexIDocument"]["properties"])
    body = paths["/v1/notices/import"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/AnnexIDocument")


# ---- the command line ------------------------------------------------------------------------------------------


@pytest.fixture
def cli(settings: object, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("ACCORD_DATABASE_URL", database_url)
    context.settings.cache_clear()
    yield CliRunner()
    context.settings.cache_clear()


def test_cli_writes_verifies_and_imports(client: TestClient, orgs: dict[str, OrgHandle], cli: CliRunner,
                                         tmp_path: Path) -> None:
    notice_id = _order(client, orgs)
    out = tmp_path / "order.json"
    result = cli.invoke(cli_app, ["notice", "annex", notice_id, "--as", orgs["video"].id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = cli.invoke(cli_app, ["notice", "verify", str(out)])
    assert result.exit_code == 0 and result.output.startswith("OK: Annex I FR-IRU-2026-0042 signed by")
    pinned = json.loads(out.read_text())["signature"]["public_key"]
    assert cli.invoke(cli_app, ["notice", "verify", str(out), "--public-key", pinned]).exit_code == 0
    tampered = json.loads(out.read_text())
    tampered["section_a"]["reference"] = "FR-IRU-2026-9999"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(tampered))
    result = cli.invoke(cli_app, ["notice", "verify", str(bad)])
    assert result.exit_code != 0 and "altered" in result.output and len(result.output.strip().splitlines()) == 1
    result = cli.invoke(cli_app, ["notice", "import", str(out), "--as", orgs["iru2"].id, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["urls"] == URLS
    assert cli.invoke(cli_app, ["notice", "import", str(bad), "--as", orgs["iru2"].id]).exit_code == 2
    pdf = tmp_path / "order.pdf"
    assert cli.invoke(cli_app, ["notice", "annex", notice_id, "--as", orgs["iru"].id, "--out", str(pdf)]).exit_code == 0
    assert "OCL/2026/42" in _text(pdf.read_bytes())


def test_pages_link_the_pdfs(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    notice_id = _order(client, orgs)
    client.post(f"/v1/notices/{notice_id}/outcome", json={"outcome": "removed"}, headers=orgs["video"].headers)
    _login(client, orgs["video"])
    page = client.get(f"/ui/notices/{notice_id}").text
    assert f"/ui/notices/{notice_id}/annex-i.pdf" in page and f"/ui/notices/{notice_id}/feedback.pdf" in page
    pdf = client.get(f"/ui/notices/{notice_id}/annex-i.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and "FR-IRU-2026-0042" in _text(pdf.content)
    assert "ANNEX II" in _text(client.get(f"/ui/notices/{notice_id}/feedback.pdf").content)
    feedback_page = client.get(f"/ui/notices/{notice_id}/feedback").text
    assert "Ed25519" in feedback_page
    _login(client, orgs["forum"])
    assert client.get(f"/ui/notices/{notice_id}/annex-i.pdf").status_code == 404


def _login(client: TestClient, handle: OrgHandle) -> None:
    response = ui_login(client, handle.email, PASSWORD, follow_redirects=False)
    assert response.status_code == 303


def test_cli_send_takes_the_annex_fields(client: TestClient, orgs: dict[str, OrgHandle], cli: CliRunner) -> None:
    base = ["notice", "send", "--as", orgs["iru"].id, "--provider", orgs["video"].id, "--url", URLS[0],
            "--reasons", "Glorifies the attack.", "--tco-type", "incitement", "--legal-basis", "TCO Art. 3",
            "--reference", "R-7", "--redress-body", "Tribunal administratif", "--emergency-reason", "Tonight.",
            "--json"]
    refused = cli.invoke(cli_app, [*base, "--issued-at", "this morning"])
    assert refused.exit_code == 2 and "issued_at" in refused.output
    sent = cli.invoke(cli_app, [*base, "--issued-at", "2026-03-02T10:00:00+01:00", "--authority-type", "judicial",
                                "--file-number", "TGI/12", "--signatory", "Judge A. Petit"])
    assert sent.exit_code == 0, sent.output
    doc = client.get(f"/v1/notices/{json.loads(sent.output)['id']}/annex-i.json", headers=orgs["video"].headers).json()
    assert doc["section_a"]["issued_at"] == "2026-03-02T09:00:00+00:00"
    assert doc["section_e"]["authority_type"] == "judicial" and doc["section_e"]["file_number"] == "TGI/12"
    assert doc["section_e"]["signatory"] == {"name": "Judge A. Petit", "post": ""}


def test_the_annex_profile_fills_section_c(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    profile = {"legal_representative": {"name": "EU Rep BV", "member_state": "NL"},
               "authorised_person": {"name": "J. Doe", "post": "Trust & Safety lead"}}
    assert client.put("/v1/organisation/annex-profile", json=profile, headers=orgs["video"].headers).status_code == 200
    bad = client.put("/v1/organisation/annex-profile", json={"authorised_person": {"post": "x"}},
                     headers=orgs["video"].headers)
    assert bad.status_code == 422 and bad.json()["field"] == "authorised_person.name"
    notice_id = _order(client, orgs)
    client.post(f"/v1/notices/{notice_id}/outcome", json={"outcome": "removed"}, headers=orgs["video"].headers)
    section_c = client.get(f"/v1/notices/{notice_id}/feedback", headers=orgs["iru"].headers).json()["section_c"]
    assert section_c["legal_representative"]["name"] == "EU Rep BV" and section_c["establishment_member_state"] == "NL"
    assert section_c["authorised_person"] == {"name": "J. Doe", "post": "Trust & Safety lead"}
