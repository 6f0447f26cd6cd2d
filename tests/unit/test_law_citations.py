"""Citations of the law in code and docs must match the Regulation's text.

TCO Art. 5(3) lists what specific measures must be in points (a) to (d) (effective, targeted and proportionate,
respectful of users' rights, diligent and non-discriminatory); human oversight and verification of technical
measures is the paragraph's closing (second) subparagraph, not point (c)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parents[2]
WRONG = "5(3)(c)"


def test_human_oversight_is_cited_as_the_second_subparagraph_of_art_5_3() -> None:
    files = [*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("src").rglob("*.html"),
             *ROOT.joinpath("docs").rglob("*.md"), ROOT / "README.md"]
    wrong = [str(f.relative_to(ROOT)) for f in files if WRONG in f.read_text(encoding="utf-8")]
    assert wrong == []
    cited = (ROOT / "src" / "accord" / "cases" / "quality.py").read_text(encoding="utf-8")
    assert "Art. 5(3), second subparagraph" in cited
