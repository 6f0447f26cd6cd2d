"""``docs/events.md``, written from the catalogue (``scripts/events_doc.py``; a test fails when they differ)."""

from __future__ import annotations

from accord.audit.catalogue import AREAS, DOCS, Event, payload_keys, required_keys

HEAD = """# Audit events: the facts reports are computed from

<!-- Written by scripts/events_doc.py from src/accord/audit/catalogue.py: edit the catalogue, then run
     `python scripts/events_doc.py`. tests/unit/audit/test_catalogue.py fails when this file differs. -->

Every state change writes one audit event (`accord.audit.service.record`) in the same transaction. Tags are
`source:subject:action`, each a member of `accord.audit.catalogue.Event` with a `TypedDict` naming its payload's
keys. Transparency reports (TCO Art. 7/8, DSA Art. 15/24) are computed **only** from these events, so the payloads
below are a contract: add keys freely (in the catalogue first), never rename or drop one.

Common rules:
- `org_id` of the event is the organisation whose member or key acted (the system: the organisation the fact
  belongs to). Events that concern two organisations carry both ids in the payload (`issuer_id`,
  `provider_id`).
- Times in payloads are ISO 8601 UTC strings; durations are seconds (`seconds_to_ack`, `seconds_to_act`).
- Countries are ISO 3166-1 alpha-2 (`member_state` = the issuing authority's country).
- A key marked *(optional)* is absent from some events: one branch of the writer, older events, or the demo's
  synthetic history.
"""

TAIL = """## How the chain is kept

`record` adds the event to the caller's transaction with no place in the chain yet; just before the
transaction commits, `seal_pending` takes the chain's lock (a PostgreSQL advisory transaction lock), reads the
last sealed event and gives each new event its `chain_seq`, `prev_hash` and `hash`. The lock is held for the
commit only, so requests do not queue behind each other. Events of a rolled-back transaction never enter the
chain. `accord audit verify` walks `chain_seq` in order.
"""


def _keys(event: Event) -> str:
    required = required_keys(event)
    keys = [f"`{k}`" if k in required else f"`{k}` *(optional)*" for k in payload_keys(event)]
    return ", ".join(keys) or "none"


def _row(event: Event) -> str:
    doc = DOCS[event]
    return f"| `{event.value}` | {doc.subject} | {_keys(event)} | {doc.meaning} |"


def _area(source: str, title: str) -> str:
    events = [e for e in Event if e.source == source]
    rows = "\n".join(_row(e) for e in events)
    return (f"## {title} (`{source}`, {len(events)} events)\n\n| tag | subject | payload keys | meaning |\n"
            f"|---|---|---|---|\n{rows}\n")


def render() -> str:
    """The whole of docs/events.md."""
    areas = "\n".join(_area(source, title) for source, title in AREAS.items())
    return f"{HEAD}\n{areas}\n{TAIL}"
