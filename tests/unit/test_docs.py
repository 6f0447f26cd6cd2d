"""The docs are tested: every source and test directory has its line in docs/architecture.md."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parents[2]
SKIP = {"__pycache__", "versions"}


def _dirs(base: Path) -> list[str]:
    return sorted(
        str(p.relative_to(ROOT)) + "/" for p in base.rglob("*")
        if p.is_dir() and not (set(p.relative_to(ROOT).parts) & SKIP) and any(p.iterdir())
        and len(p.relative_to(base).parts) <= 1
    )


def test_every_package_directory_is_described() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    wanted = _dirs(ROOT / "src" / "accord") + _dirs(ROOT / "src" / "accord" / "web") + ["tests/unit/"]
    missing = [d for d in wanted if f"`{d}`" not in text]
    assert missing == [], f"docs/architecture.md lacks: {missing}"
