"""The audit catalogue is complete, used, and what docs/events.md says."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from accord.audit import catalogue
from accord.audit.catalogue import AREAS, DOCS, PAYLOADS, Event
from accord.audit.events_doc import render
from accord.banks.service import _TRANSITIONS
from accord.errors import InvalidInput

ROOT = Path(__file__).parents[3]
SRC = ROOT / "src" / "accord"
TAG = re.compile(r"^[a-z_]+:[a-z_]+:[a-z_]+$")


def _sources() -> dict[Path, str]:
    return {p: p.read_text() for p in SRC.rglob("*.py") if p != SRC / "audit" / "catalogue.py"}


def test_every_event_has_a_payload_type_a_doc_and_an_area() -> None:
    assert set(PAYLOADS) == set(Event)
    assert set(DOCS) == set(Event)
    for event in Event:
        assert TAG.match(event.value), event
        assert event.name == event.value.replace(":", "_").upper()
        assert event.source in AREAS
        assert isinstance(PAYLOADS[event].__required_keys__, frozenset), f"{event}: not a TypedDict"
        assert DOCS[event].subject


def test_no_tag_is_written_as_a_string_literal() -> None:
    """Outside the catalogue, a tag is an ``Event`` member: a literal would escape mypy and the docs."""
    literals = [f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}" for path, text in _sources().items()
                for node in ast.walk(ast.parse(text))
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in set(Event)]
    assert literals == []


def test_every_event_is_written_somewhere() -> None:
    """No catalogue entry is dead: each member is named in the code, or is a bank entry's state change."""
    text = "\n".join(_sources().values())
    named = {e for e in Event if re.search(rf"\bEvent\.{e.name}\b", text)}
    transitions = {Event(f"banks:entry:{action}") for action in _TRANSITIONS}
    assert set(Event) - named - transitions == set()


def test_payload_checking_names_missing_and_unknown_keys() -> None:
    """The suite runs with checking on (tests/conftest.py); an optional key may be left out."""
    catalogue.check(Event.NOTICES_NOTICE_ESCALATE, {"minutes": 15, "provider_id": "org_p"})
    catalogue.check(Event.CASES_STRIKE_RECORD, {"provider_id": "p", "subject_kind": "uploader", "subject_ref": "u",
                                                "decision_id": "d", "count": 1, "consequence": "none"})
    with pytest.raises(InvalidInput, match=r"missing \['provider_id'\], not in the catalogue \['by'\]"):
        catalogue.check(Event.NOTICES_NOTICE_ESCALATE, {"minutes": 15, "by": "x"})
    with catalogue.unchecked():
        catalogue.check(Event.NOTICES_NOTICE_ESCALATE, {"by": "x"})


def test_docs_events_md_is_written_from_the_catalogue() -> None:
    """Run ``scripts/events_doc.py`` after changing the catalogue."""
    assert (ROOT / "docs" / "events.md").read_text() == render()
    for event in Event:
        assert f"| `{event.value}` |" in render()
