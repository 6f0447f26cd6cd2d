"""Looking up uploads and signals against the banks a caller may use, and recording what matched.

A lookup answers, per match, the bank, entry id, signal type, distance, labels and metadata (what HMA users
asked for in facebook/ThreatExchange #1827 and #1681). Only banks the caller may use count; entries that are
not active (disabled, quarantined, rejected) never match; a match in a negative (allow-list) bank suppresses
every match of the same content. For a provider, a match opens or joins a case (source ``hash_match``) and
writes ``matching:match:found``; it acts automatically only where the provider's policy says so.

The case carries the matched entries' labels and incident tags (so review triage raises a case tagged with an
active incident). An automatic decision is sent to human verification when the policy rule's own sampler
draws it (TCO Art. 5), besides the provider's ``automated_verify_share``; an item a reviewer of the provider
found exempt (journalistic, educational...) is never acted on automatically again: it goes to review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.banks.models import Bank, BankEntry, BankKind, EntryState, MatchRecord
from accord.banks.service import can_see, get_bank
from accord.cases import quality
from accord.cases.decisions import Decider, DecisionInput
from accord.cases.intake import hash_key
from accord.cases.models import Case
from accord.cases.service import exempt_finding, open_case_from_match
from accord.clock import Clock
from accord.db import new_id
from accord.errors import Conflict, InvalidInput
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.matching import flood
from accord.matching.base import Hit
from accord.matching.service import Matcher
from accord.matching.text_index import TLSH_THRESHOLD
from accord.policies.service import AutoAction, automatic_action_for
from accord.signals import MediaLimits, hash_media, query_hashes, validate_signal
from accord.signals.documents import extract_text
from accord.signals.text import decode_fingerprints, matched_spans, words
from accord.signals.types import PDQ_THRESHOLD

MAX_SIGNALS = 100
REVIEW = "review"


@dataclass(frozen=True, slots=True)
class QuerySignal:
    """A signal of the content being checked; ``probes`` are the values actually looked up (PDQ variants);
    ``words`` the normalised words of an uploaded document (``text_containment``: the passages found)."""

    type: str
    value: str
    probes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    def values(self) -> list[str]:
        """The value itself and its edit-robust variants."""
        return list(dict.fromkeys([self.value, *self.probes]))


@dataclass(frozen=True, slots=True)
class Match:
    """One entry matched, with everything a reviewer or an automated rule needs."""

    bank: Bank
    entry: BankEntry
    distance: int
    query: str
    query_match_percent: float | None = None  # vPDQ: python-threatexchange's two percentages
    compared_match_percent: float | None = None  # text_containment: the share of the banked document found
    passages: tuple[dict[str, str], ...] = ()  # text_containment: the upload's passages found

    def as_dict(self, org_id: str, *, may_read: bool = True) -> dict[str, Any]:
        """The JSON form of a match (the note is the owner's, so only the owner reads it). The banked value
        goes only to the owner and to callers that ``may_read`` the bank's entries anyway: a key that may only
        match (hosted matching) learns that it matched, how closely and why, never the list itself."""
        entry = self.entry
        body = {"bank": self.bank.name, "bank_id": self.bank.id, "entry_id": entry.id,
                "signal_type": entry.signal_type, "distance": self.distance,
                "value": entry.value if may_read or self.bank.org_id == org_id else None,
                "query": self.query, "labels": entry.labels, "incident_tags": entry.incident_tags,
                "entity": entry.entity, "list_source": entry.list_source, "metadata": entry.metadata_,
                "query_match_percent": self.query_match_percent,
                "compared_match_percent": self.compared_match_percent, "passages": list(self.passages)}
        if self.bank.org_id == org_id:
            body["note"] = entry.note
        return body


@dataclass
class Outcome:
    """What a lookup found: the matches, the allow-list entries that suppressed others, and any case."""

    matches: list[Match] = field(default_factory=list)
    suppressed_by: list[Match] = field(default_factory=list)
    case_id: str | None = None
    action: str | None = None


def signals_of_upload(data: bytes, limits: MediaLimits) -> list[QuerySignal]:
    """The signals to look up for an uploaded file: digests, and PDQ with its dihedral and crop variants."""
    signals = []
    for computed in hash_media(data, limits=limits, variants=query_hashes):  # one decode for all PDQ hashes
        if not computed.indexable:
            continue
        found = words_of_document(data) if computed.type == "text_containment" else ()
        signals.append(QuerySignal(computed.type, computed.value, computed.variants, found))
    return signals


def words_of_document(data: bytes) -> tuple[str, ...]:
    """The normalised words of a document just hashed (its text is read once: ``extract_text`` remembers)."""
    extracted = extract_text(data)
    return tuple(words(extracted.text)) if extracted is not None else ()


def signals_of_values(items: Sequence[tuple[str, str]]) -> list[QuerySignal]:
    """Submitted ``(type, value)`` pairs, through the same door as bank entries."""
    if not items:
        raise InvalidInput("give at least one signal", field="signals")
    if len(items) > MAX_SIGNALS:
        raise InvalidInput(f"at most {MAX_SIGNALS} signals per lookup", field="signals")
    return [QuerySignal(kind, validate_signal(kind, value)) for kind, value in items]


def lookup(session: Session, matcher: Matcher, org_id: str, signals: Sequence[QuerySignal],
           bank_refs: Sequence[str] = ()) -> Outcome:
    """Match ``signals`` against the banks ``org_id`` may use (only ``bank_refs`` when given)."""
    matcher.refresh(session)
    return find(session, matcher, org_id, signals, bank_refs)


def find(session: Session, matcher: Matcher, org_id: str, signals: Sequence[QuerySignal],
         bank_refs: Sequence[str] = ()) -> Outcome:
    """``lookup`` on the matcher as it stands (the caller refreshed it). A miss reads nothing unless
    ``bank_refs`` are named; a hit reads its entries and their banks once (the database is the truth on
    entry state, bank visibility and bank kind), and writes nothing."""
    only = {get_bank(session, org_id, ref).id for ref in bank_refs}
    found = _hits(matcher, signals)
    if not found:
        return Outcome()
    entries = _live_entries(session, list(found))
    matches = []
    for entry_id, (hit, query) in sorted(found.items(), key=lambda item: (item[1][0].distance, item[0])):
        pair = entries.get(entry_id)
        if pair is None or not can_see(pair[1], org_id) or (only and pair[1].id not in only):
            continue
        matches.append(Match(pair[1], pair[0], hit.distance, query, hit.query_match_percent,
                             hit.compared_match_percent, passages_of(pair[0], signals)))
    negative = [m for m in matches if m.bank.kind == BankKind.NEGATIVE]
    if negative:
        return Outcome(matches=[], suppressed_by=negative)
    return Outcome(matches=matches)


MAX_PASSAGES = 5
"""Passages kept per text match (the longest first)."""
MAX_PASSAGE_WORDS = 400
"""A longer passage is cut after this many words (the context after it then follows the cut)."""
CONTEXT_WORDS = 15


def passages_of(entry: BankEntry, signals: Sequence[QuerySignal]) -> tuple[dict[str, str], ...]:
    """For a ``text_containment`` entry, the upload's passages found in it, longest first, each with a few
    words of context before and after (normalised words: the banked document's own text is never stored)."""
    if entry.signal_type != "text_containment":
        return ()
    tokens = next((list(s.words) for s in signals if s.type == "text_containment" and s.words), [])
    if not tokens:
        return ()
    spans = sorted(matched_spans(tokens, decode_fingerprints(entry.value)), key=lambda s: s[0] - s[1])
    return tuple({"before": " ".join(tokens[max(0, start - CONTEXT_WORDS):start]),
                  "match": " ".join(tokens[start:min(end, start + MAX_PASSAGE_WORDS)]),
                  "after": " ".join(tokens[min(end, start + MAX_PASSAGE_WORDS):][:CONTEXT_WORDS])}
                 for start, end in sorted(spans[:MAX_PASSAGES]))


def _hits(matcher: Matcher, signals: Sequence[QuerySignal]) -> dict[int, tuple[Hit, str]]:
    """Entry id -> (the closest hit, the upload's value that matched)."""
    best: dict[int, tuple[Hit, str]] = {}
    for signal in signals:
        for hit in matcher.query(signal.type, signal.values()):
            if hit.entry_id not in best or hit.distance < best[hit.entry_id][0].distance:
                best[hit.entry_id] = (hit, signal.value)
    return best


def _live_entries(session: Session, entry_ids: list[int]) -> dict[int, tuple[BankEntry, Bank]]:
    """The database is the truth: entries are checked active at lookup time too."""
    found: dict[int, tuple[BankEntry, Bank]] = {}
    for start in range(0, len(entry_ids), 900):
        rows = session.execute(
            select(BankEntry, Bank).join(Bank, Bank.id == BankEntry.bank_id)
            .where(BankEntry.id.in_(entry_ids[start : start + 900]), BankEntry.state == EntryState.ACTIVE)
        )
        found.update({entry.id: (entry, bank) for entry, bank in rows})
    return found


def match_content(session: Session, clock: Clock, matcher: Matcher, principal: Principal,
                  signals: Sequence[QuerySignal], *, bank_refs: Sequence[str] = (), record_matches: bool = True,
                  decide: Decider | None = None, flood_limit: int = 0) -> Outcome:
    """Look up, and for a provider record the matches: a case opened or joined, ``matching:match:found``.

    ``decide`` (``accord.flows.decisions.decide``) takes an automatic decision where the provider's policy
    allows one, with its whole legal record; without it a reviewer decides every case."""
    outcome = lookup(session, matcher, principal.org_id, signals, bank_refs)
    if needs_record(principal, outcome) and record_matches:
        record_outcome(session, clock, principal, signals, outcome, decide, flood_limit=flood_limit)
    return outcome


def needs_record(principal: Principal, outcome: Outcome) -> bool:
    """Whether the lookup's matches are recorded: a provider's are (a case, audit events, perhaps an action)."""
    return bool(outcome.matches) and principal.org_kind == "provider"


def record_outcome(session: Session, clock: Clock, principal: Principal, signals: Sequence[QuerySignal],
                   outcome: Outcome, decide: Decider | None, *, flood_limit: int = 0) -> None:
    """Open or join the case, act where the policy allows, and write one ``matching:match:found`` per match;
    sets ``outcome.case_id`` and ``outcome.action``. Then quarantines any matched entry that matched more than
    ``flood_limit`` times in the past hour (``accord.matching.flood``; 0: no check)."""
    primary = next((s for s in signals if s.type == "sha256"), signals[0])  # the upload's own identity
    labels = sorted({label for m in outcome.matches for label in [*m.entry.labels, *m.entry.incident_tags]})
    banks = sorted({m.bank.name for m in outcome.matches})
    case, _ = open_case_from_match(session, clock, principal.actor, provider_id=principal.org_id,
                                   signal_type=primary.type, value=primary.value, labels=labels,
                                   bank_id=outcome.matches[0].bank.id, title=f"Hash match: {', '.join(banks)}")
    outcome.case_id = case.id
    outcome.action = REVIEW if decide is None else act_automatically(
        session, clock, principal, outcome, case.id, decide, content_keys=content_keys_of(case, signals))
    for match in outcome.matches:
        _record_one(session, clock, principal, match, case.id, outcome.action)
    flood.check(session, clock, [match.entry.id for match in outcome.matches], limit=flood_limit)


def _record_one(session: Session, clock: Clock, principal: Principal, match: Match, case_id: str,
                action: str) -> None:
    row = MatchRecord(id=new_id("mat"), provider_id=principal.org_id, bank_id=match.bank.id,
                      entry_id=match.entry.id, signal_type=match.entry.signal_type, distance=match.distance,
                      case_id=case_id, action=action, created_at=clock.now(),
                      passages=[{"share": match.compared_match_percent, **p} for p in match.passages])
    session.add(row)
    session.flush()
    record(session, clock, principal.actor, Event.MATCHING_MATCH_FOUND, subject=row.id, org_id=principal.org_id,
           payload={"provider_id": principal.org_id, "bank_id": match.bank.id, "entry_id": match.entry.id,
                    "signal_type": match.entry.signal_type, "distance": match.distance, "case_id": case_id,
                    "bank_owner_id": match.bank.org_id, "labels": match.entry.labels,
                    "incident_tags": match.entry.incident_tags, "action": action})


@dataclass(frozen=True, slots=True)
class TextMatch:
    """A text match of a case as the review console shows it: the banked entry and the passages found."""

    bank: str
    entry_id: int
    labels: list[str]
    share: float | None
    passages: list[dict[str, Any]]


def text_matches_of_case(session: Session, provider_id: str, case_id: str) -> list[TextMatch]:
    """The provider's text-containment matches recorded on a case, with the upload's passages found."""
    rows = session.execute(
        select(MatchRecord, Bank.name, BankEntry.labels).join(Bank, Bank.id == MatchRecord.bank_id)
        .join(BankEntry, BankEntry.id == MatchRecord.entry_id)
        .where(MatchRecord.provider_id == provider_id, MatchRecord.case_id == case_id,
               MatchRecord.signal_type == "text_containment").order_by(MatchRecord.created_at, MatchRecord.id))
    return [TextMatch(name, row.entry_id, list(labels), (row.passages[0].get("share") if row.passages else None),
                      list(row.passages)) for row, name, labels in rows]


LABEL_CATEGORIES: dict[str, tuple[str, ...]] = {
    "imminent_credible_threat": ("threat",),
    "graphic_violence_against_defenceless_people": ("graphic_violence",),
    "glorification_of_terrorist_acts": ("glorification", "incitement"),
    "radicalisation_recruitment_instruction": ("instruction", "recruitment", "solicitation_group"),
}
"""GIFCT behaviour labels as the policy categories an automation rule names."""


def signal_sources(session: Session, bank: Bank) -> list[str]:
    """How a policy's automation rule may name where a match came from: the bank itself, then its kind."""
    owner = session.get(Organisation, bank.org_id)
    kind = "coordinator_bank" if owner is not None and owner.kind == "coordinator" else "provider_bank"
    return [f"bank:{bank.id}", kind]


def confidence_of(match: Match) -> float:
    """1.0 for an exact signal; for PDQ it falls linearly to 0.5 at the match threshold (distance 31), for TLSH
    likewise to 0.5 at distance 30; for vPDQ from 100 % of the query's frames matched to 0.5 at
    python-threatexchange's 80 %; for text containment from 1.0 (the whole banked document found) to 0.5."""
    if match.entry.signal_type == "pdq":
        return round(1.0 - match.distance / (2 * (PDQ_THRESHOLD + 1)), 3)
    if match.entry.signal_type == "text_tlsh":
        return round(1.0 - match.distance / (2 * (TLSH_THRESHOLD + 1)), 3)
    if match.entry.signal_type == "text_containment":  # 0.5 for a short excerpt, 1.0 for the whole document
        return round(0.5 + (match.compared_match_percent or 0.0) / 200, 3)
    if match.entry.signal_type == "vpdq" and match.query_match_percent is not None:
        from accord.matching.vpdq_index import VPDQ_QUERY_PERCENT  # only where the video extra is installed

        above = (match.query_match_percent - VPDQ_QUERY_PERCENT) / (100 - VPDQ_QUERY_PERCENT)
        return round(max(0.5, 0.5 + above / 2), 3)
    return 1.0


def content_keys_of(case: Case, signals: Sequence[QuerySignal] = ()) -> list[str]:
    """What identifies the content being decided: the case's own key, its URLs and the hash keys of its
    signals and of the upload's, the keys an earlier exempt-purpose finding on the same item is found by."""
    keys = [case.content_key, *case.urls]
    keys += [hash_key(str(s["type"]), str(s["value"])) for s in case.signals if s.get("type") and s.get("value")]
    keys += [hash_key(s.type, s.value) for s in signals]
    return list(dict.fromkeys(keys))


def automatic_action(session: Session, principal: Principal, outcome: Outcome, *,
                     content_keys: Sequence[str] = ()) -> AutoAction | None:
    """The first match whose bank, labels and confidence the provider's active policy lets the system act on
    alone; None (a reviewer decides) without a policy that says so, or where a decision of the provider found
    the content (by ``content_keys``) exempt (TCO Art. 1(3))."""
    action = _allowed_action(session, principal, outcome)
    if action is None or exempt_finding(session, provider_id=principal.org_id, content_keys=content_keys):
        return None
    return action


def _allowed_action(session: Session, principal: Principal, outcome: Outcome) -> AutoAction | None:
    for match in outcome.matches:
        categories = [c for label in match.entry.labels for c in LABEL_CATEGORIES.get(label, ())]
        for category in categories:
            for source in signal_sources(session, match.bank):
                action = automatic_action_for(session, provider_id=principal.org_id, category=category,
                                              signal_source=source, labels=match.entry.labels,
                                              confidence=confidence_of(match))
                if action is not None:
                    return action
    return None


def act_automatically(session: Session, clock: Clock, principal: Principal, outcome: Outcome,
                      case_id: str, decide: Decider, *, content_keys: Sequence[str] = ()) -> str:
    """Decide the case as the policy allows (an automated decision, sampled for verification), or ``review``.

    The decision goes to human verification when the rule's sampler draws the case (``sample_share``), as
    well as when the provider's ``automated_verify_share`` draws it (``decide`` samples that)."""
    action = automatic_action(session, principal, outcome, content_keys=content_keys)
    if action is None:
        return REVIEW
    system = Principal(org_id=principal.org_id, org_kind=principal.org_kind, ref="system:matching",
                       scopes=frozenset({"cases:write"}))
    facts = "; ".join(f"{m.entry.signal_type} match at distance {m.distance} with entry {m.entry.id} of bank "
                      f"{m.bank.name!r} ({', '.join(m.entry.labels) or 'no label'})" for m in outcome.matches)
    try:
        decision = decide(session, clock, system, case_id, DecisionInput(
            action=action.action, ground=action.clause_ref, facts=f"Hash match: {facts}.", ground_kind="terms",
            ground_explanation=action.text, countries=action.countries, automated_decision=True))
    except Conflict:  # a reviewer holds the case already: the human decides
        return REVIEW
    if action.needs_verification(case_id):
        quality.queue_review(session, clock, decision, "verification")  # TCO Art. 5(3), second subparagraph
    return action.action
