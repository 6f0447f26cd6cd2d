"""docs/law.md is tested: one row per requirement of the reference list, and every test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
LAW = ROOT / "docs" / "law.md"
IDS = ([f"TCO-{n:02d}" for n in range(1, 24)] + [f"EUR-{n:02d}" for n in range(1, 6)]
       + [f"DSA-{n:02d}" for n in range(1, 11)] + [f"HASH-{n:02d}" for n in range(1, 7)]
       + ["TCAP-01", "TCAP-02", "X-01", "X-02", "X-03"])
_ROW = re.compile(r"^\| ([A-Z]+-\d\d) \|", re.MULTILINE)
_TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")}


def test_every_requirement_has_exactly_one_row() -> None:
    rows = _ROW.findall(LAW.read_text())
    assert len(IDS) == 49
    assert sorted(rows) == sorted(IDS)


def test_every_named_test_exists() -> None:
    named = _TEST.findall(LAW.read_text())
    assert len(named) > 49
    missing = [f"{path}::{name}" for path, name in named
               if not (ROOT / path).exists() or name not in _test_names(ROOT / path)]
    assert missing == []
