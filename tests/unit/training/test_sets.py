"""Golden sets: what anonymisation removes from free text, and who sees a set (as banks are shared)."""

from __future__ import annotations

from accord.training import sets
from accord.training.models import GoldenSet


def test_scrub_removes_known_identifiers_and_anything_shaped_like_one() -> None:
    text = ("Reported by Jane Roe <jane.roe@mail.example> about JDOE_1984's post at https://x.example/p/1 "
            "and www.mirror.example/p; contact @jdoe or +33 6 12 34 56 78. The video praises the attack.")
    clean = sets.scrub(text, ["Jane Roe", "jdoe_1984"])
    for gone in ("Jane Roe", "jane.roe@", "JDOE_1984", "https://", "www.mirror", "@jdoe", "12 34 56"):
        assert gone not in clean, gone
    assert clean.endswith("The video praises the attack.") and sets.REMOVED in clean


def test_scrub_keeps_ordinary_text() -> None:
    text = "Removed under TCO Art. 2(7)(a): glorifies the 2015 attack."
    assert sets.scrub(text) == text


def _set(visibility: str, shared_with: list[str]) -> GoldenSet:
    return GoldenSet(id="gset_1", org_id="own", name="n", visibility=visibility, shared_with=shared_with)


def test_visibility_mirrors_banks() -> None:
    assert sets.can_see(_set("private", []), "own") and not sets.can_see(_set("private", []), "other")
    assert sets.can_see(_set("shared", ["other"]), "other") and not sets.can_see(_set("shared", ["x"]), "other")
    assert sets.can_see(_set("all", []), "anyone")
