"""Comparing two policy versions, item by item, so that a reviewer sees exactly what a new version changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from accord.policies.document import PolicyBody


@dataclass(frozen=True)
class Change:
    """One item added, removed or changed; ``fields`` lists what differs in a change."""

    section: str
    key: str
    change: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    fields: tuple[str, ...] = ()


def _keyed(items: Sequence[Any], key: Callable[[Any], str]) -> dict[str, dict[str, Any]]:
    return {key(item): asdict(item) for item in items}


def _section(name: str, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Change]:
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before is None:
            changes.append(Change(name, key, "added", None, after))
        elif after is None:
            changes.append(Change(name, key, "removed", before, None))
        elif before != after:
            fields = tuple(sorted(f for f in after if before.get(f) != after.get(f)))
            changes.append(Change(name, key, "changed", before, after, fields))
    return changes


_KEYS: dict[str, Callable[[Any], str]] = {
    "rules": lambda r: str(r.category),
    "exemptions": lambda e: str(e.purpose),
    "overlays": lambda o: f"{o.jurisdiction}:{o.category}",
    "automation": lambda a: f"{a.category}:{','.join(a.sources)}",
}


def diff(old: PolicyBody, new: PolicyBody) -> list[Change]:
    """What changed from ``old`` to ``new``: rules by category, exemptions by purpose, overlays by
    jurisdiction and category, automation by category and sources."""
    changes: list[Change] = []
    for section, key in _KEYS.items():
        changes += _section(section, _keyed(getattr(old, section), key), _keyed(getattr(new, section), key))
    return changes
