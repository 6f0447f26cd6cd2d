"""Group commit for matches: the hits of requests arriving together are recorded in one transaction.

A provider's hit opens or joins a case, may be decided automatically under its policy, and leaves one
``matching:match:found`` per match; done in the request's own transaction, that is most of what a hit costs,
and on SQLite every hit queues for the one writer. ``GroupRecorder`` hands every hit of a process to one writer
thread: the writer takes all the hits waiting at that moment (at most ``MAX_GROUP``), records each through
``lookup.record_outcome`` in one session and commits once (the audit chain is sealed once per group). A lone hit
is not delayed: the writer never waits for a group to fill. Misses never come here.

Recording one hit takes a dozen round trips (case, triage, routing, policy, audit); one writer would do them one
hit after another while the database idles, so on PostgreSQL up to ``writers`` (8) threads record groups side by
side (a new one starts only when no writer is idle), each taking its share of the hits waiting; on SQLite,
which has one writer anyway, there is one.

The request is answered only after the commit that made its hit durable, so a hit answered 200 is recorded even
if the process is killed the moment after. Should a group fail (the database refuses the commit, or one hit's
decision raises), its hits are retried in one transaction each, so that only the culprit fails.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from accord.cases.decisions import Decider
from accord.clock import Clock
from accord.db import unit_of_work
from accord.identity.service import Principal
from accord.matching.lookup import Outcome, QuerySignal, record_outcome

MAX_GROUP = 64
IDLE_SECONDS = 2.0  # the writer thread ends after this long without work; the next hit starts another

log = logging.getLogger(__name__)


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


class GroupRecorder:
    """One process's match recording: ``submit`` returns a future answered once the hit is committed."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock, decide: Decider | None, *,
                 writers: int = 1, max_group: int = MAX_GROUP, idle_seconds: float = IDLE_SECONDS) -> None:
        self._factory = factory
        self._clock = clock
        self._decide = decide
        self._writers = writers
        self._max_group = max_group
        self._idle_seconds = idle_seconds
        self._pending: deque[PendingHit] = deque()
        self._ready = threading.Condition()
        self._running = 0  # writer threads alive
        self._idle = 0  # of which waiting for work
        self.groups = 0  # transactions committed so far; hits / groups is the mean group size
        self.hits = 0

    def submit(self, principal: Principal, signals: Sequence[QuerySignal], outcome: Outcome) -> Future[Recorded]:
        """Queue a hit for the next group; the future answers once it is committed (or the error it raised)."""
        pending = PendingHit(principal, signals, outcome)
        with self._ready:
            self._pending.append(pending)
            if self._idle == 0 and self._running < self._writers:
                self._running += 1
                threading.Thread(target=self._run, name="accord-match-recorder", daemon=True).start()
            self._ready.notify()
        return pending.answer

    def _run(self) -> None:
        while group := self._next_group():
            try:
                self._take(group)
            except BaseException as exc:  # never leave a caller waiting on a future nobody will answer
                for pending in group:
                    if not pending.answer.done():
                        pending.answer.set_exception(exc)
                raise

    def _next_group(self) -> list[PendingHit]:
        with self._ready:
            if not self._pending:
                self._idle += 1
                self._ready.wait(self._idle_seconds)
                self._idle -= 1
            if not self._pending:
                self._running -= 1
                return []
            share = -(-len(self._pending) // self._writers)  # the waiting hits shared among the writers
            return [self._pending.popleft() for _ in range(min(share, self._max_group))]

    def _take(self, group: list[PendingHit]) -> None:
        try:
            with unit_of_work(self._factory) as session:
                answers = [self._record(session, pending) for pending in group]
        except Exception:
            if len(group) == 1:
                raise
            log.warning("a group of %d hits failed; recording them one by one", len(group), exc_info=True)
            for pending in group:
                self._take_alone(pending)
            return
        self._count(len(group))
        for pending, answer in zip(group, answers, strict=True):
            pending.answer.set_result(answer)

    def _take_alone(self, pending: PendingHit) -> None:
        try:
            with unit_of_work(self._factory) as session:
                answer = self._record(session, pending)
        except Exception as exc:
            pending.answer.set_exception(exc)
            return
        self._count(1)
        pending.answer.set_result(answer)

    def _count(self, hits: int) -> None:
        with self._ready:
            self.groups += 1
            self.hits += hits

    def _record(self, session: Session, pending: PendingHit) -> Recorded:
        outcome = Outcome(matches=list(pending.outcome.matches))  # the request's own stays as it read it
        record_outcome(session, self._clock, pending.principal, pending.signals, outcome, self._decide)
        assert outcome.case_id is not None and outcome.action is not None
        return Recorded(outcome.case_id, outcome.action)
