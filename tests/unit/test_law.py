"""docs/law.md is tested: one row per requirement of the reference list, and every test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from accord.policies.jurisdictions import guide
from accord.policies.templates import MODEL_EXEMPTIONS, MODEL_TERMS, catalogue

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


def test_the_templates_and_the_guide_are_shipped_linked_and_true_to_the_code() -> None:
    templates = (ROOT / "docs" / "policy-templates.md").read_text()
    jurisdictions = (ROOT / "docs" / "jurisdictions.md").read_text()
    for page in ("policy-templates.md", "jurisdictions.md"):
        assert f"](docs/{page})" in (ROOT / "README.md").read_text()
        assert f"]({page})" in LAW.read_text()
    assert all(f"`{t['name']}`" in templates for t in catalogue())
    assert all(text in templates for _, _, text in MODEL_TERMS.values())
    assert all(text in templates for text in MODEL_EXEMPTIONS.values())
    data = guide()
    assert data["notice"] in jurisdictions
    for entry in data["jurisdictions"]:
        assert f"## {entry['code']}: {entry['name']}" in jurisdictions
        assert all(f"| `{r['category']}` | {r['action']} | {r['legal_ref']} |" in jurisdictions
                   for r in entry["rules"])
