"""Comparing two versions."""

from __future__ import annotations

from typing import Any

from accord.policies.diff import diff
from accord.policies.document import parse_body


def test_identical_versions_have_no_changes(body: dict[str, Any]) -> None:
    assert diff(parse_body(body), parse_body(body)) == []


def test_added_removed_and_changed_items_are_reported_with_their_fields(body: dict[str, Any]) -> None:
    old = parse_body(body)
    body["rules"][1].update(action="remove", text="We remove praise.")
    body["rules"].pop(2)
    body["rules"].append({"category": "recruitment", "action": "remove", "clause_ref": "4.8", "text": "No."})
    body["overlays"].pop(0)
    body["automation"] = [{"category": "incitement", "sources": ["coordinator_bank"], "action": "remove",
                           "sample_share": 0.2}]
    changes = {(c.section, c.key): c for c in diff(old, parse_body(body))}
    assert set(changes) == {("rules", "glorification"), ("rules", "instruction"), ("rules", "recruitment"),
                            ("overlays", "EU:glorification"), ("automation", "incitement:coordinator_bank")}
    changed = changes[("rules", "glorification")]
    assert changed.change == "changed" and changed.fields == ("action", "text")
    assert changed.before is not None and changed.before["action"] == "review"
    assert changed.after is not None and changed.after["action"] == "remove"
    assert changes[("rules", "instruction")].change == "removed"
    assert changes[("rules", "recruitment")].change == "added"
    assert changes[("overlays", "EU:glorification")].change == "removed"
    assert changes[("automation", "incitement:coordinator_bank")].change == "added"
