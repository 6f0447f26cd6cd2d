"""Statements of reasons for the DSA Transparency Database, built from ``cases:decision:create`` events.

Each event becomes a ``DecisionFacts`` and, unless exempt (no restriction, or a TCO removal order, which DSA
Art. 17(5) leaves to TCO Art. 11), one body for ``POST /api/v1/statement``. The events are streamed, so an
export of millions of decisions runs in constant memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import as_utc
from accord.errors import InvalidInput
from accord.law.eu import EEA_COUNTRIES
from accord.law.sor import (
    Action,
    Automation,
    ContentType,
    ContractualGround,
    DecisionFacts,
    Ground,
    Instrument,
    LegalGround,
    Restriction,
    Source,
    policy_topic,
    puid_for,
    statement_exemption,
    to_statement,
)
from accord.policies.models import Policy, PolicyVersion
from accord.transparency import events as ev

_SOURCES: Final = (  # the strongest notice first, as the review console orders them
    (("removal_order",), Source.REMOVAL_ORDER),
    (("trusted_flag", "trusted_flagger", "trusted_flagger_notice"), Source.TRUSTED_FLAGGER_NOTICE),
    (("referral", "alert"), Source.REFERRAL),
    (("user_report", "notice", "user_notice", "dsa_notice"), Source.USER_NOTICE),
)
_CONTENT_TYPES: Final = {kind.value: kind for kind in ContentType}
_TCO_PREFIXES: Final = ("TCO ", "TCO, ", "Regulation (EU) 2021/784 ")
_ALIASES: Final = {"EL": "GR"}
_DEFAULT_EXPLANATION: Final = "The content meets the definition of terrorist content of TCO Art. 2(7)."


@dataclass
class ExportTally:
    """How many decisions became statements, were exempt, or could not be expressed (with why)."""

    statements: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def decision_facts(decision_id: str, at: datetime, payload: Mapping[str, Any],
                   namespace: str = "accord", topic: str | None = None) -> DecisionFacts:
    """The ``DecisionFacts`` told by one ``cases:decision:create`` event."""
    action = Action(str(payload.get("action")))
    applied = as_utc(at).date()
    restriction, restriction_other = _restriction(action, payload)
    types, type_other = _content_types(payload.get("content_type"))
    return DecisionFacts(
        decision_id=decision_id, action=action, ground=_ground(payload), content_types=types,
        content_type_other=type_other, content_date=_content_date(payload, applied), application_date=applied,
        facts=str(payload.get("facts") or _default_facts(payload)), source=_source(payload.get("sources")),
        automated_detection=ev.truthy(payload.get("automated_detection")),
        automated_decision=Automation(ev.automation_level(payload.get("automated_decision"))),
        puid_namespace=namespace, territorial_scope=_scope(action, payload.get("countries")),
        restriction=restriction, restriction_other=restriction_other, topic=topic,
    )


def _ground(payload: Mapping[str, Any]) -> Ground:
    reference = str(payload.get("ground_ref") or "").strip()
    # The stored statement explains by the facts when the reviewer wrote no separate explanation; so does this.
    explanation = str(payload.get("ground_explanation") or payload.get("explanation") or payload.get("facts")
                      or _DEFAULT_EXPLANATION)
    if payload.get("ground_kind") == "terms":
        return ContractualGround(clause=reference or "terms of service", explanation=explanation)
    for prefix in _TCO_PREFIXES:
        if reference.startswith(prefix):
            return LegalGround(Instrument.TCO, reference.removeprefix(prefix).strip(), explanation)
    instrument = Instrument.TCO if not reference or reference.startswith("Art.") else Instrument.NATIONAL
    return LegalGround(instrument, reference or "Art. 2(7)", explanation)


def _restriction(action: Action, payload: Mapping[str, Any]) -> tuple[Restriction | None, str | None]:
    if action is not Action.RESTRICT:
        return None, None
    value = str(payload.get("restriction") or "")
    if value in Restriction._value2member_map_ and value != Restriction.OTHER.value:
        return Restriction(value), None
    return Restriction.OTHER, str(payload.get("restriction_other") or value or "visibility restricted")


def _content_types(value: Any) -> tuple[tuple[ContentType, ...], str | None]:
    names = [str(v) for v in (value if isinstance(value, list) else [value or "other"])]
    kinds = tuple(_CONTENT_TYPES.get(name, ContentType.OTHER) for name in names)
    unknown = [name for name in names if name not in _CONTENT_TYPES or name == "other"]
    return kinds, (", ".join(unknown) or None) if ContentType.OTHER in kinds else None


def _content_date(payload: Mapping[str, Any], applied: date) -> date:
    value = payload.get("content_date")
    try:
        return min(date.fromisoformat(str(value)[:10]), applied) if value else applied
    except ValueError:
        return applied


def _source(sources: Any) -> Source:
    given = {str(s) for s in (sources or [])}
    for names, source in _SOURCES:
        if given.intersection(names):
            return source
    return Source.OWN_INITIATIVE


def _scope(action: Action, countries: Any) -> tuple[str, ...]:
    """The EU/EEA part of the countries concerned; the Transparency Database knows no others."""
    codes = {_ALIASES.get(str(c).upper(), str(c).upper()) for c in countries or ()}
    return tuple(sorted(codes.intersection(EEA_COUNTRIES)))


def _default_facts(payload: Mapping[str, Any]) -> str:
    sources = ", ".join(str(s).replace("_", " ") for s in payload.get("sources") or []) or "own review"
    return f"Reviewed after: {sources}. Assessed against the definition of terrorist content in TCO Art. 2(7)."


_FIELDS: Final = ("action", "ground_kind", "ground_ref", "ground_explanation", "explanation", "facts", "countries",
                  "sources", "content_type", "automated_detection", "automated_decision", "restriction",
                  "restriction_other", "policy_version_id", "content_date")  # content_date stays last
_LISTS: Final = frozenset({"countries", "sources", "content_type"})
_ENCODE: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_CACHE_LIMIT: Final = 100_000


def decision_rows(session: Session, *, provider_id: str, since: datetime | None = None,
                  chunk: int = 5000) -> Iterator[tuple[str, str]]:
    """``(decision id, packed facts)`` of the provider's decisions that need a statement, oldest first, streamed.

    Decisions exempt from statements (no restriction, or a TCO removal order) are filtered out in the query.

    The facts come packed by the database as one JSON array (day, then ``_FIELDS``): decisions with the same
    facts on the same day share that text, which is what ``_Statements`` caches on.
    """
    payload, chosen = ev.query(session, ev.DECISION, None, [ev.SUBJECT, *_FIELDS], provider_id=provider_id)
    query: Select[Any] = chosen.with_only_columns(ev.SUBJECT, payload.packed(session, _FIELDS)).where(
        payload["action"] != "no_action",  # exempt decisions are left in the database (DSA Art. 17(1), 17(5))
        func.coalesce(payload["sources"], "").not_like('%"removal_order"%'),
    )
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    for row in session.execute(query.order_by(ev.SEQ).execution_options(yield_per=chunk)):
        yield str(row[0]), str(row[1])


def _unpack(packed: str) -> tuple[date, dict[str, Any]]:
    day, *values = ev.unpack(packed)
    payload = {name: ev.json_list(value) if name in _LISTS else value
               for name, value in zip(_FIELDS, values, strict=True) if value is not None}
    return date.fromisoformat(day), payload


_DAY: Final = "\ue000"  # stands for the decision's day in a cached body (a private-use character)
_FIRST_DAY: Final = "2020-01-01"
_LAST_DAY: Final = "2038-01-01"


@dataclass(frozen=True, slots=True)
class _Template:
    """A statement body without puid, its dates given as ``_DAY``, and its JSON text up to the puid."""

    body: dict[str, Any]
    prefix: str
    fixed_day: str | None = None  # set when the facts' text holds the marker itself, so no date is templated


def _day_and_key(packed: str) -> tuple[str, str]:
    """The decision's day, and the cache key: the facts without the day unless the decision names its own
    content date (the last field), in which case the day stays in the key."""
    if packed.startswith("["):  # SQLite's JSON array: ["YYYY-MM-DD",...]
        return packed[2:12], packed[13:] if packed.endswith("null]") else packed
    return packed[:10], packed[11:] if packed.endswith(ev.PACK_NULL) else packed


class _Statements:
    """Statement bodies by packed facts: decisions that differ only by id and day share one body but for the
    puid and the dates, so a body is built and encoded once per distinct set of facts, then reused."""

    def __init__(self, namespace: str, tally: ExportTally,
                 policies: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.namespace, self.tally = namespace, tally
        self.bodies = policies or {}  # policy version id -> its body, to find the category a ground cites
        self.templates: dict[str, _Template | str] = {}

    def entry(self, decision_id: str, packed: str) -> tuple[_Template | str, str]:
        day, key = _day_and_key(packed)
        cached = self.templates.get(key)
        if cached is None:
            if len(self.templates) >= _CACHE_LIMIT:
                self.templates.clear()
            cached = self.templates[key] = self._build(decision_id, packed, day)
        if isinstance(cached, _Template) and cached.fixed_day not in (None, day):
            cached = self._build(decision_id, packed, day)
        if not isinstance(cached, str) and not _FIRST_DAY <= day <= _LAST_DAY:
            cached = f"cannot be expressed: the decision's day {day} lies outside {_FIRST_DAY}..{_LAST_DAY}"
        if isinstance(cached, str):
            self.tally.skip(cached)
        else:
            self.tally.statements += 1
        return cached, day

    def _build(self, decision_id: str, packed: str, day: str) -> _Template | str:
        """The template for these facts, or why no statement is made."""
        applied, payload = _unpack(packed)
        try:
            facts = decision_facts(decision_id, datetime(applied.year, applied.month, applied.day, tzinfo=UTC),
                                   payload, self.namespace, self._topic(payload))
            if statement_exemption(facts) is not None:
                return "exempt: no restriction, or a TCO removal order (DSA Art. 17(5))"
            body = to_statement(facts)
        except (ValueError, InvalidInput) as exc:
            return f"cannot be expressed: {exc}"
        del body["puid"]
        if _DAY in _ENCODE(body):
            return _Template(body, _ENCODE(body)[:-1] + ',"puid":', fixed_day=day)
        for name in ("application_date", "content_date"):
            if body[name] == day:
                body[name] = _DAY
        return _Template(body, _ENCODE(body)[:-1] + ',"puid":')

    def _topic(self, payload: Mapping[str, Any]) -> str | None:
        body = self.bodies.get(str(payload.get("policy_version_id")))
        return policy_topic(body, str(payload.get("ground_ref") or "")) if body is not None else None

    def body(self, decision_id: str, packed: str) -> dict[str, Any] | None:
        cached, day = self.entry(decision_id, packed)
        if isinstance(cached, str):
            return None
        dated = cached.body if cached.fixed_day else {k: day if v == _DAY else v for k, v in cached.body.items()}
        return {**dated, "puid": puid_for(decision_id, self.namespace)}

    def line(self, decision_id: str, packed: str) -> str | None:
        cached, day = self.entry(decision_id, packed)
        if isinstance(cached, str):
            return None
        prefix = cached.prefix if cached.fixed_day else cached.prefix.replace(_DAY, day)
        return prefix + _ENCODE(puid_for(decision_id, self.namespace)) + "}\n"


def policy_bodies(session: Session, provider_id: str) -> dict[str, Mapping[str, Any]]:
    """The bodies of the provider's policy versions by id (a provider has a handful)."""
    query = select(PolicyVersion.id, PolicyVersion.body).join(Policy, Policy.id == PolicyVersion.policy_id).where(
        Policy.provider_id == provider_id)
    return {str(version_id): body for version_id, body in session.execute(query)}


def statements(session: Session, *, provider_id: str, since: datetime | None = None,
               namespace: str = "accord", tally: ExportTally | None = None) -> Iterator[dict[str, Any]]:
    """Statement bodies for the provider's decisions since ``since``, exempt ones left out."""
    builder = _Statements(namespace, tally if tally is not None else ExportTally(), policy_bodies(session, provider_id))
    for decision_id, packed in decision_rows(session, provider_id=provider_id, since=since):
        body = builder.body(decision_id, packed)
        if body is not None:
            yield body


def statement_lines(session: Session, *, provider_id: str, since: datetime | None = None,
                    namespace: str = "accord", tally: ExportTally | None = None) -> Iterator[str]:
    """The same statements as JSON lines, identical to ``sor.to_json_lines(statements(...))``."""
    builder = _Statements(namespace, tally if tally is not None else ExportTally(), policy_bodies(session, provider_id))
    for decision_id, packed in decision_rows(session, provider_id=provider_id, since=since):
        line = builder.line(decision_id, packed)
        if line is not None:
            yield line
