"""``accord keys rotate`` as an operator runs it, for the signing keys and the preservation key: new keys, old
records intact (a document signed before still verifies, an item preserved before still decrypts and, with
``--reencrypt``, moves to the new key in the worker), each rotation in the audit trail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.clock import SystemClock
from accord.db import make_engine, make_sessionmaker, unit_of_work
from accord.identity import signing
from accord.rights import preservation
from accord.rights.models import PreservedItem
from accord.settings import Settings
from tests.factories import make_org

ACTOR = Actor("test:keys", None)


def _accord(url: str, *args: str) -> str:
    env = {**os.environ, "ACCORD_DATABASE_URL": url, "ACCORD_MODE": "test", "ACCORD_LOG_LEVEL": "WARNING"}
    result = subprocess.run([sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_rotating_both_kinds_keeps_old_records_usable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    _accord(url, "db", "upgrade")
    settings, clock = Settings(mode="test", database_url=url), SystemClock()
    engine = make_engine(url, pool=False)
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as session:
        authority = make_org(session, clock, "authority")
        provider = make_org(session, clock, "provider")
        signed = signing.sign_document(session, clock, settings, authority.id, "competent_authority", {"order": 1})
        item = preservation.preserve(session, clock, settings, ACTOR, provider_id=provider.id,
                                     decision_id="dec_1", content=b"removed video", metadata={"url": "u"})

    assert authority.id in _accord(url, "keys", "rotate", "--kind", "signing")
    out = _accord(url, "keys", "rotate", "--kind", "preservation", "--reencrypt")
    assert "re-encrypted by the worker" in out
    _accord(url, "worker", "--once")

    with unit_of_work(factory) as session:
        new = signing.signing_key(session, clock, settings, authority.id)
        assert new.id != signed["signature"]["key_id"]
        assert signing.verify_for(session, signed, authority.id).public_key == signed["signature"]["public_key"]
        again = signing.sign_document(session, clock, settings, authority.id, "competent_authority", {"order": 2})
        assert again["signature"]["key_id"] == new.id
        stored = session.get_one(PreservedItem, item.id)
        assert stored.key_id is not None  # moved to the new key by the worker
        read = preservation.access(session, clock, settings, ACTOR, provider_id=provider.id, item_id=item.id,
                                   purpose="review")
        assert read.content == b"removed video"
        tags = set(session.scalars(select(AuditEvent.tag)))
    engine.dispose()
    assert {"identity:signing_key:rotate", "rights:preservation_key:rotate",
            "rights:preservation:reencrypt"} <= tags
    assert json.loads(_accord(url, "audit", "verify", "--json"))["ok"] is True
