"""Group commit for notice intake: notices that arrive together share one transaction.

Most of what one removal order costs is round trips and the commit, not its own logic. ``GroupIntake`` hands
every ``POST /v1/notices`` of a process to one writer thread (``accord.groupcommit.GroupWriter``, shared with
match recording); the writer takes all the submissions waiting at
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

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from accord.clock import Clock
from accord.errors import DomainError, NotAuthenticated
from accord.groupcommit import IDLE_SECONDS, MAX_GROUP, GroupWriter
from accord.identity.service import Principal, authenticate_keys
from accord.notices import kinds
from accord.notices.models import Notice
from accord.notices.service import batch_lookups, receive_clean
from accord.settings import Settings


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


class GroupIntake(GroupWriter[Submission]):
    """One process's notice intake: ``submit`` returns a future answered once the notice is committed."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock, settings: Settings, *,
                 max_group: int = MAX_GROUP, idle_seconds: float = IDLE_SECONDS) -> None:
        super().__init__(factory, name="accord-intake", max_group=max_group, idle_seconds=idle_seconds)
        self._clock = clock
        self._settings = settings

    @property
    def notices(self) -> int:
        """Notices taken in so far (the benchmark reports the mean group size)."""
        return self.done

    def submit(self, token: str | None, clean: kinds.CleanNotice | DomainError,
               address: str | None = None) -> Future[Accepted]:
        submission = Submission(token, clean, address)
        self.enqueue(submission)
        return submission.answer

    def write(self, session: Session, group: list[Submission]) -> list[object]:
        return list(receive_group(session, self._clock, self._settings, group))
