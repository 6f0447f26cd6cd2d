"""python-threatexchange's own ``threatexchange`` CLI against a live Accord server, run as a user runs it.

Every command is a subprocess of the console script installed beside this interpreter, with a temporary HOME
(so ``~/.threatexchange`` is fresh) and the API key in ``PYTX_ACCORD_API_KEY``. A hub shares a bank holding the
PDQ hashes of two real photos; a provider fetches it, matches the photos, and writes its opinions back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

import accord
from accord.banks import service
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.signals import MediaLimits, hash_media
from tests.conftest import LiveServer
from tests.factories import OrgHandle, make_org
from tests.unit.banks.helpers import principal

PHOTOS = Path(__file__).parents[1] / "data" / "photos"
AGREED, DISPUTED, UNKNOWN = PHOTOS / "mate-storm.jpg", PHOTOS / "mate-dune.jpg", PHOTOS / "mate-garden.jpg"
# A third entry: python-threatexchange 1.2.17's PDQIndex holding exactly one hash matches nothing once serialized
# (the CLI and HMA both store it so), which would hide what the withdrawal test checks. See docs/exchange.md.
KEPT = PHOTOS / "mate-wood.jpg"
TX = Path(sys.executable).parent / "threatexchange"
BANK = "hub list"


@dataclass
class Hub:
    provider: OrgHandle
    owner: OrgHandle
    entries: dict[str, int]


def pdq_of(path: Path) -> str:
    return next(s.value for s in hash_media(path.read_bytes(), limits=MediaLimits()) if s.type == "pdq")


def seed_hub(factory: sessionmaker[Session], clock: FrozenClock) -> Hub:
    with unit_of_work(factory) as session:
        owner = make_org(session, clock, "coordinator", name="Hub")
        provider = make_org(session, clock, "provider", name="Host")
        hub = principal(owner)
        bank = service.create_bank(session, clock, hub, name=BANK, visibility="all")
        details = EntryDetails(labels=["glorification_of_terrorist_acts"])
        signals = [NewSignal("pdq", pdq_of(photo)) for photo in (AGREED, DISPUTED, KEPT)]
        added = service.add_entries(session, clock, hub, bank, signals, details)
        return Hub(provider, owner, {"agreed": added[0].id, "disputed": added[1].id})


class Pytx:
    """The ``threatexchange`` console script with its own HOME."""

    def __init__(self, home: Path, api_key: str) -> None:
        home.mkdir(exist_ok=True)
        src = str(Path(accord.__file__).parents[1])  # this checkout's Accord, whatever is installed
        self.env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "PYTX_ACCORD_API_KEY": api_key,
                    "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}

    def run(self, *args: str | Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(TX), *map(str, args)], env=self.env, capture_output=True, text=True,
                              timeout=120, check=False)
        if ok:
            assert done.returncode == 0, f"threatexchange {' '.join(map(str, args))}:\n{done.stdout}\n{done.stderr}"
        return done


@pytest.fixture
def hub(factory: sessionmaker[Session], clock: FrozenClock) -> Hub:
    return seed_hub(factory, clock)


def test_the_threatexchange_cli_fetches_matches_writes_opinions_back_and_follows_withdrawals(
        app: FastAPI, hub: Hub, tmp_path: Path, live_server: LiveServer) -> None:
    tx = Pytx(tmp_path / "home", hub.provider.key)
    tx.run("config", "extensions", "add", "accord.exchange.threatexchange")
    tx.run("config", "collab", "edit", "accord", "--create", "--url", live_server.url, "hub")  # crashed before

    fetched = tx.run("fetch")
    assert "hub" in fetched.stdout + fetched.stderr and "error" not in fetched.stdout.lower()
    dataset = tx.run("dataset").stdout
    assert "pdq: 3" in dataset, dataset

    agreed_hash = pdq_of(AGREED)
    hash_file = tmp_path / "agreed.pdq"
    hash_file.write_text(agreed_hash)
    by_hash = tx.run("match", "--hashes", "-S", "pdq", "photo", hash_file).stdout
    assert by_hash.startswith("pdq 0 (hub)") and f"entry_id={hub.entries['agreed']}" in by_hash, by_hash
    by_photo = tx.run("match", "photo", AGREED).stdout
    assert f"entry_id={hub.entries['agreed']}" in by_photo and "glorification_of_terrorist_acts" in by_photo
    assert tx.run("match", "photo", UNKNOWN).stdout == "", "a photo not in the bank matches nothing"

    computed = tx.run("hash", "photo", AGREED).stdout.split()
    assert computed[:2] == ["pdq", agreed_hash], "pytx and Accord hash the photo alike"
    tx.run("label", "-H", "pdq", "-l", "glorification_of_terrorist_acts", "hub", "photo", "--", agreed_hash)
    tx.run("label", "-H", "pdq", "-l", "false_positive", "hub", "photo", "--", pdq_of(DISPUTED))
    refused = tx.run("label", "-H", "pdq", "-l", "x", "hub", "photo", "--", pdq_of(UNKNOWN), ok=False)
    assert refused.returncode != 0 and "no entry" in refused.stderr
    [agree] = votes(live_server, hub, "agreed")
    [disagree] = votes(live_server, hub, "disputed")
    assert (agree["org_id"], agree["agree"], disagree["agree"]) == (hub.provider.id, True, False), \
        "the opinions reached the bank's owner as votes"
    assert "glorification_of_terrorist_acts" in str(agree["comment"]) and "python-threatexchange" in str(
        disagree["comment"])

    disabled = httpx.post(f"{live_server.url}/v1/banks/{BANK}/entries/{hub.entries['disputed']}/disable",
                          headers=hub.owner.headers, json={"reason": "members disputed it"})
    assert disabled.status_code == 200, disabled.text
    assert tx.run("match", "photo", DISPUTED).stdout != ""
    tx.run("fetch")
    assert tx.run("match", "photo", DISPUTED).stdout == "", "the withdrawal reached the CLI's index"
    assert tx.run("match", "photo", AGREED).stdout != ""


def votes(live_server: LiveServer, hub: Hub, which: str) -> list[dict[str, object]]:
    """The votes on one of the hub's entries, as its owner reads them through the API."""
    answer = httpx.get(f"{live_server.url}/v1/banks/{BANK}/entries/{hub.entries[which]}", headers=hub.owner.headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["votes"])
