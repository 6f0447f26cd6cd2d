"""Members' opinions on shared signals, written back from python-threatexchange clients (its CLI's ``label``,
HMA or a script calling ``report_opinion`` / ``report_seen``): ``POST /v1/exchange/opinions``.

A pytx client knows a signal, not an entry: the signal is looked up against the banks the caller may use, with
the same rules as ``POST /v1/match`` (PDQ within the matcher's distance, exact types exactly; only active
entries; an allow-list match suppresses the rest) but without recording a match or opening a case. On every
entry found in another organisation's bank, ``agree`` / ``disagree`` becomes the caller's vote (one per
organisation and entry, changeable: the bank's owner reads it with the entry), and ``seen`` writes
``exchange:entry:seen`` with the owner's id, so the owner learns its entry was met in the wild.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.banks import service as banks
from accord.clock import Clock
from accord.errors import InvalidInput, NotFound
from accord.exchange.threatexchange import accord_name
from accord.identity.service import Principal
from accord.matching import lookup
from accord.matching.service import Matcher
from accord.signals import SIGNAL_TYPES

VERDICTS = ("agree", "disagree", "seen")
MAX_LABELS = 20


@dataclass(frozen=True, slots=True)
class Opinion:
    """What a member says about a signal."""

    signal_type: str  # Accord's name or python-threatexchange's (``raw_text``)
    value: str
    verdict: str
    labels: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Reached:
    """One entry the opinion reached."""

    bank: str
    entry_id: int
    distance: int
    verdict: str


def report(session: Session, clock: Clock, matcher: Matcher, principal: Principal, opinion: Opinion) -> list[Reached]:
    """Turn ``opinion`` into a vote (or a sighting) on every entry of another organisation's bank it matches."""
    name = _checked(opinion)
    outcome = lookup.lookup(session, matcher, principal.org_id, lookup.signals_of_values([(name, opinion.value)]))
    targets = [m for m in outcome.matches if m.bank.org_id != principal.org_id]
    if not targets:
        raise NotFound("no entry of another organisation's bank that you may use matches this signal")
    for match in targets:
        if opinion.verdict == "seen":
            record(session, clock, principal.actor, Event.EXCHANGE_ENTRY_SEEN, subject=str(match.entry.id),
                   org_id=principal.org_id, payload={"bank_id": match.bank.id, "owner_id": match.bank.org_id,
                                                     "signal_type": name, "distance": match.distance})
        else:
            banks.vote(session, clock, principal, match.bank, match.entry, agree=opinion.verdict == "agree",
                       comment=_comment(opinion, match.distance))
    return [Reached(m.bank.name, m.entry.id, m.distance, opinion.verdict) for m in targets]


def _checked(opinion: Opinion) -> str:
    """Accord's signal type name, once the opinion is known to be well formed."""
    name = opinion.signal_type if opinion.signal_type in SIGNAL_TYPES else accord_name(opinion.signal_type)
    if name is None:
        raise InvalidInput(f"unknown signal type {opinion.signal_type!r}", field="signal_type")
    if opinion.verdict not in VERDICTS:
        raise InvalidInput(f"opinion is one of {', '.join(VERDICTS)}", field="opinion")
    if len(opinion.labels) > MAX_LABELS or any(len(label) > banks.MAX_TAG_LENGTH for label in opinion.labels):
        raise InvalidInput(f"at most {MAX_LABELS} labels of {banks.MAX_TAG_LENGTH} characters", field="labels")
    return name


def _comment(opinion: Opinion, distance: int) -> str:
    labels = f"; labels: {', '.join(sorted(opinion.labels))}" if opinion.labels else ""
    return f"via python-threatexchange (distance {distance}){labels}"
