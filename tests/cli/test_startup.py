"""The command line starts at once: ``accord --help`` imports no domain, ``accord hash`` only the hashers.

Counted, not timed: the modules a fresh interpreter holds after the command ran (issue 17: 3.5 s on one core,
2.9 s of it imports, before commands loaded when they run).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PHOTO = Path(__file__).parents[1] / "data" / "photos" / "mate-aqua.jpg"
HEAVY = ("fastapi", "starlette", "sqlalchemy", "scipy", "statsmodels", "matplotlib", "faiss", "jinja2", "uvicorn",
         "cryptography", "fpdf", "accord.db", "accord.web", "accord.notices", "accord.banks", "accord.matching")

_PROBE = """
import json, sys
from accord.cli.main import main
sys.argv = ["accord", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write("\\nMODULES " + json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""


def _imported(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(list(args))], capture_output=True, text=True,
                          timeout=60, check=False)
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    report = json.loads(line.removeprefix("MODULES "))
    return int(report["code"] or 0), set(report["modules"])


def _heavy(modules: set[str], allowed: tuple[str, ...] = ()) -> set[str]:
    return {name for name in modules if any(name == heavy or name.startswith(f"{heavy}.")
                                            for heavy in HEAVY if heavy not in allowed)}


def test_help_imports_no_domain_and_lists_every_command() -> None:
    code, modules = _imported("--help")
    assert code == 0
    assert _heavy(modules) == set()
    assert not {name for name in modules if name.startswith("accord.") and name.count(".") > 1
                and not name.startswith("accord.cli.main")}
    assert len(modules) < 400, len(modules)


def test_hash_imports_the_hashers_only() -> None:
    code, modules = _imported("hash", str(PHOTO))
    assert code == 0
    assert "pdqhash" in modules
    assert _heavy(modules, allowed=("faiss",)) == set()  # python-threatexchange's PdqSignal imports its index


@pytest.mark.parametrize("command", ["notice", "bank", "case"])
def test_a_group_loads_its_own_commands(command: str) -> None:
    code, modules = _imported(command, "--help")
    assert code == 0
    assert f"accord.cli.{'banks' if command == 'bank' else command + 's'}" in modules
