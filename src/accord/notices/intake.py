"""Group commit for notice intake: notices that arrive together share one transaction.

Most of what one removal order costs is round trips and the commit, not its own logic. ``GroupIntake`` hands
every ``POST /v1/notices`` of a process to one writer thread; the writer takes all the submissions waiting at
that moment (at most ``MAX_GROUP``), authenticates their keys in one query, reads organisations, holds,
webhook endpoints and open cases once for the group (``batch_lookups``, as a Referral Action Day batch does),
takes each notice through ``receive_clean`` and commits once, so the audit chain is sealed once per group. A
lone notice is not delayed: the writer never waits for a group to fill.

Each submission still gets its own answer. A refusal (``DomainError``) is raised before anything is written
(``receive_clean``'s contract), so it leaves the rest of the group alone. Should the group fail in any other
way (the database refuses the commit, say), its submissions are retried in one transaction each, so that only
the culprit fails. An answer is given only after the commit that made it durable.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from accord.clock import Clock
from accord.db import unit_of_work
from accord.errors import DomainError, NotAuthenticated
from accord.identity.service import Principal, authenticate_keys
from accord.notices import kinds
from accord.notices.models import Notice
from accord.notices.service import batch_lookups, receive_clean
from accord.settings import Settings

MAX_GROUP = 64
IDLE_SECONDS = 2.0  # the writer thread ends after this long without work; the next submission starts another

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    """A notice taken in (committed), and who sent it (None: a public report)."""

    notice: Notice
    principal: Principal | None


@dataclass
class Submission:
    """One notice waiting for the writer: the bearer token (None: a public report), the notice as validated
    by ``kinds.validate`` or the refusal validation earned (given only after the key is checked), and the
    sender's address (public reports are rate-limited by it)."""

    token: str | None
    clean: kinds.CleanNotice | DomainError
    address: str | None = None
    answer: Future[Accepted] = field(default_factory=Future)


def receive_group(session: Session, clock: Clock, settings: Settings,
                  submissions: Sequence[Submission]) -> list[Accepted | DomainError]:
    """Take in several notices in ``session``: each one's ``Accepted`` or the refusal it earned, in order.

    For each submission the key is checked first (401), then the validation result (422), then
    ``receive_clean``'s own checks: the order a single request has always answered in.
    """
    principals = authenticate_keys(session, clock, [s.token for s in submissions if s.token is not None])
    issuers = {p.org_id for p in principals.values() if isinstance(p, Principal)}
    cleans = [s.clean for s in submissions if isinstance(s.clean, kinds.CleanNotice)]
    with batch_lookups(session, issuers, cleans):
        return [_receive_one(session, clock, settings, principals, s) for s in submissions]


def _receive_one(session: Session, clock: Clock, settings: Settings,
                 principals: dict[str, Principal | NotAuthenticated], submission: Submission) -> Accepted | DomainError:
    principal = None if submission.token is None else principals[submission.token]
    if isinstance(principal, NotAuthenticated):
        return principal
    if isinstance(submission.clean, DomainError):
        return submission.clean
    try:
        notice = receive_clean(session, clock, settings, principal, submission.clean, address=submission.address)
    except DomainError as exc:
        return exc
    return Accepted(notice, principal)


class GroupIntake:
    """One process's notice intake: ``submit`` returns a future answered once the notice is committed."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock, settings: Settings, *,
                 max_group: int = MAX_GROUP, idle_seconds: float = IDLE_SECONDS) -> None:
        self._factory = factory
        self._clock = clock
        self._settings = settings
        self._max_group = max_group
        self._idle_seconds = idle_seconds
        self._pending: deque[Submission] = deque()
        self._ready = threading.Condition()
        self._running = False
        self.groups = 0  # groups committed so far (the benchmark reports the mean group size)
        self.notices = 0

    def submit(self, token: str | None, clean: kinds.CleanNotice | DomainError,
               address: str | None = None) -> Future[Accepted]:
        submission = Submission(token, clean, address)
        with self._ready:
            self._pending.append(submission)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="accord-intake", daemon=True).start()
            self._ready.notify()
        return submission.answer

    def _run(self) -> None:
        while group := self._next_group():
            try:
                self._take(group)
            except BaseException as exc:  # never leave a caller waiting on a future nobody will answer
                for submission in group:
                    if not submission.answer.done():
                        submission.answer.set_exception(exc)
                raise

    def _next_group(self) -> list[Submission]:
        with self._ready:
            if not self._pending:
                self._ready.wait(self._idle_seconds)
            if not self._pending:
                self._running = False
                return []
            return [self._pending.popleft() for _ in range(min(len(self._pending), self._max_group))]

    def _take(self, group: list[Submission]) -> None:
        try:
            with unit_of_work(self._factory) as session:
                answers = receive_group(session, self._clock, self._settings, group)
        except Exception:
            if len(group) == 1:
                raise
            log.warning("a group of %d notices failed; retrying them one by one", len(group), exc_info=True)
            for submission in group:
                self._take_alone(submission)
            return
        self.groups += 1
        self.notices += sum(1 for a in answers if isinstance(a, Accepted))
        for submission, answer in zip(group, answers, strict=True):
            _answer(submission, answer)

    def _take_alone(self, submission: Submission) -> None:
        try:
            with unit_of_work(self._factory) as session:
                answer = receive_group(session, self._clock, self._settings, [submission])[0]
        except Exception as exc:
            submission.answer.set_exception(exc)
            return
        _answer(submission, answer)


def _answer(submission: Submission, answer: Accepted | DomainError) -> None:
    if isinstance(answer, DomainError):
        submission.answer.set_exception(answer)
    else:
        submission.answer.set_result(answer)
