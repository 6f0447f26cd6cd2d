"""docs/law.md is tested: one row per requirement of the reference list, every test and every function it names
exists, every row has a status of the legend, and the counts in its header are the rows' own."""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from itertools import pairwise
from pathlib import Path

from accord.policies.jurisdictions import guide
from accord.policies.templates import MODEL_EXEMPTIONS, MODEL_TERMS, catalogue

ROOT = Path(__file__).parents[2]
SRC = ROOT / "src" / "accord"
LAW = ROOT / "docs" / "law.md"
IDS = ([f"TCO-{n:02d}" for n in range(1, 24)] + [f"EUR-{n:02d}" for n in range(1, 6)]
       + [f"DSA-{n:02d}" for n in range(1, 11)] + [f"HASH-{n:02d}" for n in range(1, 7)]
       + ["TCAP-01", "TCAP-02", "X-01", "X-02", "X-03"])
STATUSES = ("implemented", "partial", "cannot apply")
_ROW = re.compile(r"^\| ([A-Z]+-\d\d) \|", re.MULTILINE)
_CELLS = re.compile(r"^\| ([A-Z]+-\d\d) \| (.*) \|$", re.MULTILINE)
_TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
_SOURCE = re.compile(r"`(?:([\w/]+\.py))?(?:::(\w+))?")  # `module.py::name`, or `::name` of the last module
_COUNT = re.compile(r"\*\*(\d+) (implemented|partial|cannot apply)\*\*")


def _defined(path: Path, *, classes: bool = True) -> set[str]:
    """Every function (and class) name defined in ``path``, nested ones included. Read with ``tokenize``, not
    ``ast.parse``: CPython 3.11.7's AST conversion keeps its recursion depth in process-wide state, and a parse
    while another thread of the test process parses fails with "AST constructor recursion depth mismatch"."""
    keywords = {"def", "class"} if classes else {"def"}
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text()).readline) if t.type == tokenize.NAME]
    return {name.string for word, name in pairwise(tokens) if word.string in keywords}


def _test_names(path: Path) -> set[str]:
    return {name for name in _defined(path, classes=False) if name.startswith("test_")}


def _rows() -> dict[str, list[str]]:
    """Each row's cells after its ID: requirement, where it lives, tests, status."""
    return {rid: cells.split(" | ") for rid, cells in _CELLS.findall(LAW.read_text())}


def _status(cells: list[str]) -> str:
    return next((s for s in STATUSES if cells[-1].startswith(s)), cells[-1][:40])


def test_every_requirement_has_exactly_one_row() -> None:
    rows = _ROW.findall(LAW.read_text())
    assert len(IDS) == 49
    assert sorted(rows) == sorted(IDS)
    assert sorted(_rows()) == sorted(IDS)


def test_every_named_test_exists() -> None:
    named = _TEST.findall(LAW.read_text())
    assert len(named) > 49
    missing = [f"{path}::{name}" for path, name in named
               if not (ROOT / path).exists() or name not in _test_names(ROOT / path)]
    assert missing == []


def _sources(where: str) -> list[tuple[str, str | None]]:
    """(module, name) for each `module.py::name` of a "Where it lives" cell; `::name` continues the last module."""
    found: list[tuple[str, str | None]] = []
    module = ""
    for match in _SOURCE.finditer(where):
        path, name = match.groups()
        module = path or module
        if path or (name and module):
            found.append((module, name))
    return found


def test_every_named_module_and_function_exists() -> None:
    missing = []
    for rid, cells in _rows().items():
        for module, name in _sources(cells[1]):
            path = SRC / module
            if not path.exists():
                missing.append(f"{rid}: {module}")
            elif name and name not in _defined(path):
                missing.append(f"{rid}: {module}::{name}")
    assert missing == []


def test_every_row_has_a_status_of_the_legend() -> None:
    odd = {rid: _status(cells) for rid, cells in _rows().items() if _status(cells) not in STATUSES}
    assert odd == {}
    assert "in progress" not in LAW.read_text()


def test_the_counts_in_the_header_are_the_rows() -> None:
    header = LAW.read_text().split("\n## ", 1)[0]
    counted = {status: int(n) for n, status in _COUNT.findall(header)}
    rows = Counter(_status(cells) for cells in _rows().values())
    assert counted == {status: rows.get(status, 0) for status in STATUSES}
    partial = sorted(rid for rid, cells in _rows().items() if _status(cells) == "partial")
    listed = re.search(r"\*\*\d+ partial\*\*(?: \(([^)]*)\))?", header)  # the partial rows named, if any
    assert listed is not None and sorted(n for n in (listed.group(1) or "").split(", ") if n) == partial


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
