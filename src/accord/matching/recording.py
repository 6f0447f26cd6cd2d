"""Group commit for matches: the hits of requests arriving together are recorded in one transaction.

A provider's hit opens or joins a case, may be decided automatically under its policy, and leaves one
``matching:match:found`` per match; done in the request's own transaction, that is most of what a hit costs,
and on SQLite every hit queues for the one writer. ``GroupRecorder`` hands every hit of a process to one writer
thread (``accord.groupcommit.GroupWriter``, shared with notice intake): the writer takes the hits waiting at
that moment, records each through ``lookup.record_outcome`` in one session and commits once (the audit chain is
sealed once per group). A lone hit is not delayed: the writer never waits for a group to fill. Misses never
come here.

Recording one hit takes a dozen round trips (case, triage, routing, policy, audit); one writer would do them one
hit after another while the database idles, so on PostgreSQL up to ``writers`` (8) threads record groups side by
side (a new one starts only when no writer is idle), each taking its share of the hits waiting; on SQLite,
which has one writer anyway, there is one.

The request is answered only after the commit that made its hit durable, so a hit answered 200 is recorded even
if the process is killed the moment after. Should a group fail (the database refuses the commit, or one hit's
decision raises), its hits are retried in one transaction each, so that only the culprit fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from accord.cases.decisions import Decider
from accord.clock import Clock
from accord.groupcommit import IDLE_SECONDS, MAX_GROUP, GroupWriter
from accord.identity.service import Principal
from accord.matching.lookup import Outcome, QuerySignal, record_outcome


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording a hit decided: the case it opened or joined, and ``review`` or the automatic action."""

    case_id: str
    action: str


@dataclass
class PendingHit:
    """A hit waiting for the writer: who looked up, what, and what matched (entries read by the request)."""

    principal: Principal
    signals: Sequence[QuerySignal]
    outcome: Outcome
    answer: Future[Recorded] = field(default_factory=Future)


class GroupRecorder(GroupWriter[PendingHit]):
    """One process's match recording: ``submit`` returns a future answered once the hit is committed."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock, decide: Decider | None, *,
                 writers: int = 1, max_group: int = MAX_GROUP, idle_seconds: float = IDLE_SECONDS,
                 flood_limit: int = 0) -> None:
        super().__init__(factory, name="accord-match-recorder", writers=writers, max_group=max_group,
                         idle_seconds=idle_seconds)
        self._clock = clock
        self._decide = decide
        self._flood_limit = flood_limit

    @property
    def hits(self) -> int:
        """Hits recorded so far."""
        return self.done

    def submit(self, principal: Principal, signals: Sequence[QuerySignal], outcome: Outcome) -> Future[Recorded]:
        """Queue a hit for the next group; the future answers once it is committed (or the error it raised)."""
        pending = PendingHit(principal, signals, outcome)
        self.enqueue(pending)
        return pending.answer

    def write(self, session: Session, group: list[PendingHit]) -> list[object]:
        return [self._record(session, pending) for pending in group]

    def _record(self, session: Session, pending: PendingHit) -> Recorded:
        outcome = Outcome(matches=list(pending.outcome.matches))  # the request's own stays as it read it
        record_outcome(session, self._clock, pending.principal, pending.signals, outcome, self._decide,
                       flood_limit=self._flood_limit)
        assert outcome.case_id is not None and outcome.action is not None
        return Recorded(outcome.case_id, outcome.action)
