"""Banks and matching over HTTP: the contract, the bad-input table, visibility, suppression, cases."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.app import create_app
from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from tests.factories import OrgHandle, make_org
from tests.helpers import ui_login
from tests.unit.banks.helpers import PDQ_A, PDQ_B, bomb, flip, mirrored, photo_bytes, truncated_jpeg

PROBLEM = "application/problem+json"


@pytest.fixture
def orgs(factory: sessionmaker[Session], clock: FrozenClock) -> dict[str, OrgHandle]:
    with unit_of_work(factory) as session:
        return {"hub": make_org(session, clock, "coordinator"), "a": make_org(session, clock),
                "b": make_org(session, clock)}


def _bank(client: TestClient, who: OrgHandle, name: str, **body: object) -> dict[str, object]:
    answer = client.post("/v1/banks", json={"name": name, **body}, headers=who.headers)
    assert answer.status_code == 201, answer.text
    result: dict[str, object] = answer.json()
    return result


def _file(blob: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("upload.jpg", blob, "image/jpeg")}


def test_bank_entries_and_match_by_signals(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    hub, a = orgs["hub"], orgs["a"]
    _bank(client, hub, "shared", visibility="all")
    added = client.post("/v1/banks/shared/entries", headers=hub.headers, json={
        "signals": [{"type": "pdq", "value": PDQ_A}], "labels": ["imminent_credible_threat"], "entity": "X",
        "list_source": "un", "metadata": {"ref": "42"}})
    assert added.status_code == 201, added.text
    [entry] = added.json()["entries"]
    banks = client.get("/v1/banks", headers=a.headers).json()
    assert [(b["name"], b["counts"]["active"]) for b in banks] == [("shared", 1)]
    answer = client.post("/v1/match", headers=a.headers,
                         json={"signals": [{"type": "pdq", "value": flip(PDQ_A, 5)}]})
    assert answer.status_code == 200, answer.text
    [match] = answer.json()["matches"]
    assert (match["bank"], match["entry_id"], match["signal_type"], match["distance"]) == (
        "shared", entry["id"], "pdq", 5)
    assert match["labels"] == ["imminent_credible_threat"] and match["metadata"] == {"ref": "42"}
    assert "note" not in match or match["note"] is None, "the owner's note stays with the owner"
    assert answer.json()["case_id"], "a provider's match opens a case"
    nothing = client.post("/v1/match", headers=a.headers, json={"signals": [{"type": "pdq", "value": PDQ_B}]})
    assert nothing.json()["matches"] == []


def test_hashes_and_match_by_file(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    hub, a = orgs["hub"], orgs["a"]
    _bank(client, hub, "shared", visibility="all")
    added = client.post("/v1/banks/shared/entries", headers=hub.headers, files=_file(photo_bytes(21)),
                        data={"labels": "glorification_of_terrorist_acts", "entity": "Example Front"})
    assert added.status_code == 201, added.text
    assert {e["signal_type"] for e in added.json()["entries"]} == {"pdq", "md5", "sha256"}
    hashed = client.post("/v1/hashes", headers=a.headers, files=_file(photo_bytes(21)))
    assert {s["type"] for s in hashed.json()["signals"]} == {"pdq", "md5", "sha256"}
    answer = client.post("/v1/match", headers=a.headers, files=_file(mirrored(21))).json()
    assert [m["signal_type"] for m in answer["matches"]] == ["pdq"], "the mirrored copy matches by PDQ"
    exact = client.post("/v1/match", headers=a.headers, files=_file(photo_bytes(21))).json()
    assert {m["signal_type"] for m in exact["matches"]} == {"pdq", "md5", "sha256"}
    assert exact["case_id"] != answer["case_id"], "two different uploads are two items to review"
    again = client.post("/v1/match", headers=a.headers, files=_file(mirrored(21))).json()
    assert again["case_id"] == answer["case_id"], "the same upload joins its case"


BAD_INPUTS = [
    ("bomb", {"files": {"file": ("b.png", bomb(), "image/png")}}, "decompression bomb"),
    ("truncated JPEG", {"files": {"file": ("t.jpg", truncated_jpeg(), "image/jpeg")}}, "truncated or corrupt"),
    ("zero hash", {"json": {"signals": [{"type": "pdq", "value": "0" * 64}]}}, "all-zero"),
    ("wrong length", {"json": {"signals": [{"type": "pdq", "value": "ab" * 31}]}}, "64 hex digits, not 62"),
    ("unknown type", {"json": {"signals": [{"type": "tmk", "value": "ab"}]}}, "unknown signal type"),
    ("not JSON", {"content": b"{", "headers": {"content-type": "application/json"}}, "send JSON"),
    ("no signals", {"json": {"signals": []}}, "signals"),
]


@pytest.mark.parametrize(("case", "request_args", "reason"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
@pytest.mark.parametrize("path", ["/v1/match", "/v1/banks/mine/entries"])
def test_bad_input_table(client: TestClient, orgs: dict[str, OrgHandle], case: str,
                         request_args: dict[str, object], reason: str, path: str) -> None:
    a = orgs["a"]
    _bank(client, a, "mine")
    headers = {**a.headers, **request_args.pop("headers", {})}  # type: ignore[dict-item]
    answer = client.post(path, headers=headers, **request_args)  # type: ignore[arg-type]
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert reason in answer.json()["detail"]
    assert client.get("/v1/banks/mine", headers=a.headers).json()["counts"].get("active", 0) == 0


def test_oversize_upload_is_413(factory: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> None:
    small = settings.model_copy(update={"media_max_bytes": 1000})
    with unit_of_work(factory) as session:
        a = make_org(session, clock)
    app = create_app(small, clock)
    with TestClient(app) as client:
        answer = client.post("/v1/hashes", headers=a.headers, files=_file(photo_bytes(1)))
    app.state.accord.engine.dispose()
    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM


def test_another_orgs_private_bank_is_404_and_never_matches(client: TestClient,
                                                            orgs: dict[str, OrgHandle]) -> None:
    a, b = orgs["a"], orgs["b"]
    bank = _bank(client, a, "private")
    client.post("/v1/banks/private/entries", headers=a.headers, json={"signals": [{"type": "pdq", "value": PDQ_A}]})
    for path in ("/v1/banks/private", f"/v1/banks/{bank['id']}", "/v1/banks/private/entries",
                 "/v1/banks/private/entries/1"):
        answer = client.get(path, headers=b.headers)
        assert answer.status_code == 404 and answer.headers["content-type"] == PROBLEM, path
    refused = client.post("/v1/banks/private/entries", headers=b.headers,
                          json={"signals": [{"type": "pdq", "value": PDQ_B}]})
    assert refused.status_code == 404
    signals = {"signals": [{"type": "pdq", "value": PDQ_A}]}
    assert client.post("/v1/match", headers=b.headers, json=signals).json()["matches"] == []
    assert len(client.post("/v1/match", headers=a.headers, json=signals).json()["matches"]) == 1
    named = client.post("/v1/match", headers=b.headers, json={**signals, "banks": ["private"]})
    assert named.status_code == 404


def test_negative_bank_suppresses_through_the_api(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    hub, a = orgs["hub"], orgs["a"]
    _bank(client, hub, "shared", visibility="all")
    _bank(client, a, "newsroom", kind="negative")
    for who, bank in ((hub, "shared"), (a, "newsroom")):
        client.post(f"/v1/banks/{bank}/entries", headers=who.headers,
                    json={"signals": [{"type": "pdq", "value": PDQ_A}]})
    answer = client.post("/v1/match", headers=a.headers, json={"signals": [{"type": "pdq", "value": PDQ_A}]}).json()
    assert answer["matches"] == [] and [m["bank"] for m in answer["suppressed_by"]] == ["newsroom"]
    assert answer["case_id"] is None


def test_quarantine_votes_and_curation(client: TestClient, orgs: dict[str, OrgHandle],
                                       factory: sessionmaker[Session]) -> None:
    hub, a, b = orgs["hub"], orgs["a"], orgs["b"]
    _bank(client, hub, "shared", visibility="all", accepts_contributions=True)
    signals = {"signals": [{"type": "pdq", "value": PDQ_A}]}
    [entry] = client.post("/v1/banks/shared/entries", headers=a.headers, json=signals).json()["entries"]
    assert entry["state"] == "quarantined"
    assert client.post("/v1/match", headers=b.headers, json=signals).json()["matches"] == []
    assert client.post(f"/v1/banks/shared/entries/{entry['id']}/confirm", headers=a.headers).status_code == 403
    confirmed = client.post(f"/v1/banks/shared/entries/{entry['id']}/confirm", headers=hub.headers)
    assert confirmed.json()["state"] == "active"
    assert len(client.post("/v1/match", headers=b.headers, json=signals).json()["matches"]) == 1
    vote = client.post(f"/v1/banks/shared/entries/{entry['id']}/votes", headers=b.headers,
                       json={"agree": False, "comment": "news footage"})
    assert vote.status_code == 201
    seen = client.get(f"/v1/banks/shared/entries/{entry['id']}", headers=hub.headers).json()["votes"]
    assert [(v["org_id"], v["agree"]) for v in seen] == [(b.id, False)]
    assert client.get(f"/v1/banks/shared/entries/{entry['id']}", headers=a.headers).json()["votes"] == []
    disabled = client.post(f"/v1/banks/shared/entries/{entry['id']}/disable", headers=hub.headers,
                           json={"reason": "disputed"})
    assert disabled.json()["state"] == "disabled"
    assert client.post("/v1/match", headers=b.headers, json=signals).json()["matches"] == []
    with unit_of_work(factory) as session:
        tags = set(session.scalars(select(AuditEvent.tag).where(AuditEvent.tag.startswith("banks:"))))
    assert {"banks:entry:add", "banks:entry:confirm", "banks:entry:vote", "banks:entry:disable"} <= tags


def test_keys_and_scopes(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    signals = {"signals": [{"type": "pdq", "value": PDQ_A}]}
    for method, path in (("post", "/v1/match"), ("get", "/v1/banks"), ("get", "/v1/exchange/feed")):
        answer = getattr(client, method)(path, json=signals) if method == "post" else client.get(path)
        assert answer.status_code == 401 and answer.headers["content-type"] == PROBLEM


def test_matcher_role_serves_matching_only(settings: Settings, clock: FrozenClock,
                                           orgs: dict[str, OrgHandle]) -> None:
    app = create_app(settings, clock, role="matcher")
    with TestClient(app) as client:
        a = orgs["a"]
        assert client.post("/v1/match", headers=a.headers,
                           json={"signals": [{"type": "pdq", "value": PDQ_A}]}).status_code == 200
        assert client.get("/v1/matching/status", headers=a.headers).json()["entries"] == 0
        assert client.get("/v1/banks", headers=a.headers).status_code == 404
    app.state.accord.engine.dispose()


def test_banks_page(client: TestClient, orgs: dict[str, OrgHandle]) -> None:
    hub = orgs["hub"]
    _bank(client, hub, "shared", visibility="all", accepts_contributions=True)
    client.post("/v1/banks/shared/entries", headers=orgs["a"].headers,
                json={"signals": [{"type": "pdq", "value": PDQ_A}], "labels": ["imminent_credible_threat"]})
    login = ui_login(client, hub.email, "correct horse battery staple", follow_redirects=False)
    assert login.status_code == 303
    page = client.get("/ui/banks")
    assert page.status_code == 200 and "shared" in page.text
    bank_id = client.get("/v1/banks", headers=hub.headers).json()[0]["id"]
    detail = client.get(f"/ui/banks/{bank_id}")
    assert detail.status_code == 200 and "Quarantine queue" in detail.text and "Confirm" in detail.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', detail.text)
    assert csrf is not None
    entry_id = client.get("/v1/banks/shared/entries", headers=hub.headers).json()["entries"][0]["id"]
    confirmed = client.post(f"/ui/banks/{bank_id}/entries/{entry_id}/confirm",
                            data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert confirmed.status_code == 303
    assert client.get(f"/v1/banks/shared/entries/{entry_id}", headers=hub.headers).json()["state"] == "active"
    client.cookies.clear()
    b = orgs["b"]
    ui_login(client, b.email, "correct horse battery staple")
    page = client.get(f"/ui/banks/{bank_id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None and "Agree" in page.text
    voted = client.post(f"/ui/banks/{bank_id}/entries/{entry_id}/vote", data={"csrf_token": token.group(1),
                        "agree": "no"}, follow_redirects=False)
    assert voted.status_code == 303
    votes = client.get(f"/v1/banks/shared/entries/{entry_id}", headers=hub.headers).json()["votes"]
    assert [(v["org_id"], v["agree"]) for v in votes] == [(b.id, False)]
