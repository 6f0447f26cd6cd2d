"""The command line: names other tools rely on, --json output, one-line errors with non-zero exits."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import context
from accord.cli.main import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ACCORD_DATABASE_URL", url)
    context.settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield url
    context.settings.cache_clear()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_org_member_key_lifecycle(db: str) -> None:
    code, out = invoke("org", "create", "--kind", "provider", "--name", "Tiny Host", "--country", "de", "--json")
    assert code == 0, out
    org = json.loads(out)
    assert org["country"] == "DE" and org["kind"] == "provider"
    code, out = invoke("member", "add", "--org", "Tiny Host", "--email", "ops@tiny.example", "--role", "reviewer",
                       "--password", "a long password!", "--json")
    assert code == 0 and json.loads(out)["role"] == "reviewer"
    code, out = invoke("key", "create", "--org", org["id"], "--scope", "notices:read", "--json")
    key = json.loads(out)
    assert code == 0 and key["key"].startswith("acc_") and key["scopes"] == ["notices:read"]
    code, out = invoke("key", "list", "--org", org["id"], "--json")
    assert "key" not in json.loads(out)[0]
    assert invoke("key", "revoke", key["prefix"])[0] == 0
    assert json.loads(invoke("org", "list", "--json")[1])[0]["name"] == "Tiny Host"


def test_bad_input_is_one_line_and_non_zero(db: str) -> None:
    code, out = invoke("org", "create", "--kind", "government", "--name", "X")
    assert code == 2
    assert out.strip().startswith("error (kind):") and len(out.strip().splitlines()) == 1
    code, out = invoke("key", "create", "--org", "nobody")
    assert code == 4 and "no organisation" in out


def test_demo_is_seeded_once_and_audit_verifies(db: str, tmp_path: Path) -> None:
    creds = tmp_path / "creds.txt"
    code, out = invoke("demo", "--credentials-file", str(creds))
    assert code == 0, out
    assert "acc_" in creds.read_text()
    assert "complainant's status page: http://" in out and "/status/" in creds.read_text()
    orgs = json.loads(invoke("org", "list", "--json")[1])
    assert Counter(o["kind"] for o in orgs) >= Counter(
        ["authority", "provider", "provider", "trusted_flagger", "civil_society", "coordinator", "overseer",
         "network_operator", "network_operator"]
    )
    code, out = invoke("demo", "--credentials-file", str(creds))
    assert code == 0 and "already seeded" in out
    assert len(json.loads(invoke("org", "list", "--json")[1])) == len(orgs)
    code, out = invoke("audit", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True


def test_audit_verify_exits_non_zero_on_tampering(db: str) -> None:
    from sqlalchemy import create_engine, text

    invoke("org", "create", "--kind", "provider", "--name", "A")
    invoke("org", "create", "--kind", "provider", "--name", "B")
    engine = create_engine(db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'someone else' WHERE seq = 1"))
    engine.dispose()
    code, out = invoke("audit", "verify")
    assert code == 7 and "edited" in out


def test_jobs_list_json(db: str) -> None:
    code, out = invoke("jobs", "list", "--state", "dead", "--json")
    assert code == 0 and json.loads(out) == []
