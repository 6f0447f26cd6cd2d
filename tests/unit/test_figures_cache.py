"""Results are kept per data version: the same figures are served from memory, new figures make a new result."""

from __future__ import annotations

from accord.figures_cache import FiguresCache, digest


def test_same_figures_are_made_once_and_new_figures_again() -> None:
    cache, made = FiguresCache(size=2), []

    def make(value: int) -> int:
        made.append(value)
        return value * 10

    assert cache.get(digest({"jan": 1}), lambda: make(1)) == 10
    assert cache.get(digest({"jan": 1}), lambda: make(1)) == 10
    assert cache.get(digest({"jan": 2}), lambda: make(2)) == 20
    assert made == [1, 2]


def test_the_least_recently_used_leaves_first() -> None:
    cache = FiguresCache(size=2)
    for key in ("a", "b", "a", "c"):
        cache.get(key, lambda key=key: key)  # type: ignore[misc]
    assert len(cache) == 2
    assert cache.get("b", lambda: "made again") == "made again"  # "b" was the least recently used
