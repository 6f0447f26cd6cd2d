"""Documents end to end: a publication banked as a PDF through the API and the CLI, a forum post quoting 300
words of it matched with the share found and its passage, the case's review page showing the passage
highlighted; a corrupt or encrypted PDF refused with 422 and nothing stored."""

# look-alike letters of other scripts are what this tests and folds
from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfWriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord import demo
from accord.banks.models import BankEntry, MatchRecord
from accord.cli.main import app as cli_app
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.matching.lookup import text_matches_of_case
from accord.settings import Settings
from tests.factories import PASSWORD, OrgHandle, make_org
from tests.helpers import json_lines, ui_login
from tests.unit.matching.test_contract import synthetic_text
from tests.unit.signals.test_documents import pdf_of

PUBLICATION = synthetic_text(21, words=2500)
QUOTE = " ".join(PUBLICATION.split()[1200:1500])
POST = (f"{synthetic_text(22, words=200)}\n\nSomeone posted this, read it:\n\n> {QUOTE.upper()}\n\n"
        f"{synthetic_text(23, words=200)}")


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"hub": make_org(session, clock, "coordinator"), "a": make_org(session, clock)}


def _file(name: str, data: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, "application/octet-stream")}


def test_a_post_quoting_a_banked_publication_matches_with_its_passage(
        client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    hub, a = orgs["hub"], orgs["a"]
    assert client.post("/v1/banks", json={"name": "publications", "visibility": "all"},
                       headers=hub.headers).status_code == 201
    added = client.post("/v1/banks/publications/entries", headers=hub.headers, files=_file("issue.pdf", pdf_of(
        PUBLICATION)), data={"labels": "radicalisation_recruitment_instruction"})
    assert added.status_code == 201, added.text
    entries = {e["signal_type"]: e for e in added.json()["entries"]}
    assert set(entries) == {"md5", "sha256", "text_md5", "text_tlsh", "text_containment"}

    answer = client.post("/v1/match", headers=a.headers, files=_file("post.txt", POST.encode()))
    assert answer.status_code == 200, answer.text
    [match] = answer.json()["matches"]
    assert (match["signal_type"], match["entry_id"]) == ("text_containment", entries["text_containment"]["id"])
    assert 9 <= match["compared_match_percent"] <= 15, "300 of 2,500 words"
    assert match["distance"] == 100 - int(match["compared_match_percent"])
    [passage] = match["passages"]
    found = passage["match"].split()
    assert len(found) >= 280 and " ".join(found) in QUOTE, "the quoted passage, but for a few words at its ends"
    assert answer.json()["case_id"]

    unrelated = client.post("/v1/match", headers=a.headers, files=_file("other.txt", POST[:1500].encode()))
    assert unrelated.json()["matches"] == []

    ui_login(client, a.email, PASSWORD)
    page = client.get(f"/ui/cases/{answer.json()['case_id']}")
    assert page.status_code == 200
    assert "Matched text" in page.text and "of the banked document found in the upload" in page.text
    assert page.text.count("<mark>") == 2 and f"<mark>{' '.join(found)}</mark>" in page.text


def _encrypted(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_bad_documents_are_422_and_nothing_is_stored(client: TestClient, factory: sessionmaker[Session],
                                                      orgs: dict[str, OrgHandle]) -> None:
    hub = orgs["hub"]
    client.post("/v1/banks", json={"name": "publications"}, headers=hub.headers)
    good = pdf_of(PUBLICATION)
    assert client.post("/v1/banks/publications/entries", headers=hub.headers,
                       files=_file("a.pdf", good)).status_code == 201
    with unit_of_work(factory) as session:
        before = session.scalar(select(func.count()).select_from(BankEntry))
    for name, data, reason in [("corrupt.pdf", good[: len(good) // 2], "the PDF is corrupt"),
                               ("locked.pdf", _encrypted(good), "encrypted with a password")]:
        for path in ("/v1/match", "/v1/hashes", "/v1/banks/publications/entries"):
            answer = client.post(path, headers=hub.headers, files=_file(name, data))
            assert answer.status_code == 422, (path, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert answer.json()["type"].endswith("/unreadable-document") and reason in answer.json()["detail"]
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(BankEntry)) == before


def test_cli_banks_and_matches_documents(banks_cli: CliRunner, tmp_path: Path) -> None:
    publication, post = tmp_path / "issue.pdf", tmp_path / "post.html"
    publication.write_bytes(pdf_of(PUBLICATION))
    post.write_text(f"<!doctype html><html><body><p>{POST}</p></body></html>")
    hashed = banks_cli.invoke(cli_app, ["hash", str(publication)])
    assert hashed.exit_code == 0, hashed.output
    signals: list[dict[str, str]] = json_lines(hashed.output)[0]["signals"]  # type: ignore[assignment]
    assert {s["type"] for s in signals} >= {"text_md5", "text_containment"}
    assert banks_cli.invoke(cli_app, ["bank", "create", "publications", "--visibility", "all"]).exit_code == 0
    added = banks_cli.invoke(cli_app, ["bank", "add", "publications", str(publication), "--label",
                                       "glorification_of_terrorist_acts"])
    assert added.exit_code == 0, added.output
    run = banks_cli.invoke(cli_app, ["match", str(post), "--bank", "publications", "--org", "Host"])
    assert run.exit_code == 0, run.output
    [line] = json_lines(run.output)
    matches: list[dict[str, object]] = line["matches"]  # type: ignore[assignment]
    [match] = matches
    assert match["signal_type"] == "text_containment" and match["passages"]


def test_demo_has_a_forum_post_quoting_a_banked_publication(factory: sessionmaker[Session], clock: FrozenClock,
                                                            settings: Settings) -> None:
    with unit_of_work(factory) as session:
        world = demo.seed(session, clock, settings)
        assert world is not None
        forum = world.orgs["forumnest"].id
        case_id = session.scalar(select(MatchRecord.case_id).where(MatchRecord.provider_id == forum,
                                                                   MatchRecord.signal_type == "text_containment"))
        assert case_id is not None
        [found] = text_matches_of_case(session, forum, case_id)
    assert found.bank == "Publications (demo)" and found.share is not None and 0 < found.share < 20
    [passage] = found.passages
    assert len(passage["match"].split()) >= 250
