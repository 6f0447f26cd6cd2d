"""The documented example commands run against a live server, so a promise in the docs cannot drift.

Every fenced block whose info string is ``sh check`` in the README and docs/exchange.md is run with bash
(``set -e``), each file's blocks in order in one shell with a fresh HOME and working directory, with
``$ACCORD_URL`` (the live server), ``$ACCORD_KEY`` (a provider's key) and ``$PHOTO`` (a photo whose PDQ hash is
in a bank shared with all) set. ``threatexchange`` is the console script beside this interpreter.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

import accord
from accord.clock import FrozenClock
from tests.conftest import LiveServer
from tests.functional.test_pytx_cli import AGREED, seed_hub

ROOT = Path(__file__).parents[2]
DOCUMENTS = ("README.md", "docs/exchange.md")
_BLOCK = re.compile(r"^```sh check\n(.*?)^```", re.MULTILINE | re.DOTALL)


def checked_blocks(document: str) -> list[str]:
    """The ``sh check`` blocks of a document, in order."""
    return _BLOCK.findall((ROOT / document).read_text())


def test_the_documents_mark_examples_for_checking() -> None:
    assert [len(checked_blocks(d)) for d in DOCUMENTS] == [1, 2]
    assert all("threatexchange" in block for d in DOCUMENTS for block in checked_blocks(d))


@pytest.mark.parametrize("document", DOCUMENTS)
def test_documented_commands_run(document: str, app: FastAPI, factory: sessionmaker[Session], clock: FrozenClock,
                                 tmp_path: Path, live_server: LiveServer) -> None:
    hub = seed_hub(factory, clock)
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
           "PYTHONPATH": str(Path(accord.__file__).parents[1]), "ACCORD_URL": live_server.url,
           "ACCORD_KEY": hub.provider.key, "PHOTO": str(AGREED)}
    script = "set -euo pipefail\n" + "\n".join(checked_blocks(document))
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"{document}:\n{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    assert "hub list" in done.stdout, "the documented match found the shared entry"
