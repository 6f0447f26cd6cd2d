"""Group commit: work items that arrive together share one transaction, each still answered on its own.

Most of what a small write costs is round trips and the commit, not its own logic. A ``GroupWriter`` hands every
item a process submits to writer threads; a writer takes the items waiting at that moment (at most
``max_group``, and its share when several writers run), writes them in one session through ``write`` and
commits once, so the audit chain is sealed once per group. A lone item is not delayed: a writer never waits for
a group to fill. On PostgreSQL several writers may run side by side (a new one starts only when none is idle);
on SQLite, which has one writer anyway, one is enough.

``write`` answers each item with its result, or with an exception *value* for a refusal that leaves the rest of
the group alone (a ``DomainError`` raised before anything is written). Should the group fail in any other way
(the database refuses the commit, or ``write`` raises), its items are retried in one transaction each, so that
only the culprit fails. An item is answered only after the commit that made it durable.

Users: notice intake (``notices.intake.GroupIntake``) and match recording (``matching.recording.GroupRecorder``).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import Future
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from accord.db import unit_of_work

MAX_GROUP = 64
IDLE_SECONDS = 2.0  # a writer thread ends after this long without work; the next submission starts another

log = logging.getLogger(__name__)


class Waiting(Protocol):
    """An item waiting for a writer: whatever it carries, and the future its submitter waits on."""

    @property
    def answer(self) -> Future[Any]: ...


W = TypeVar("W", bound=Waiting)


class GroupWriter(Generic[W]):
    """Writer threads over a queue of ``W``; subclasses say how a group is written (``write``)."""

    def __init__(self, factory: sessionmaker[Session], *, name: str, writers: int = 1,
                 max_group: int = MAX_GROUP, idle_seconds: float = IDLE_SECONDS) -> None:
        self._factory = factory
        self._name = name
        self._writers = writers
        self._max_group = max_group
        self._idle_seconds = idle_seconds
        self._pending: deque[W] = deque()
        self._ready = threading.Condition()
        self._running = 0  # writer threads alive
        self._idle = 0  # of which waiting for work
        self.groups = 0  # transactions committed so far; done / groups is the mean group size
        self.done = 0  # items answered with a result (not a refusal)

    def write(self, session: Session, group: list[W]) -> list[object]:
        """Each item's result, or the exception that refuses it, in order; raise to fail the whole group."""
        raise NotImplementedError

    def enqueue(self, item: W) -> None:
        """Queue ``item`` for the next group; its ``answer`` is set once it is committed (or refused)."""
        with self._ready:
            self._pending.append(item)
            if self._idle == 0 and self._running < self._writers:
                self._running += 1
                threading.Thread(target=self._run, name=self._name, daemon=True).start()
            self._ready.notify()

    def _run(self) -> None:
        while group := self._next_group():
            try:
                self._take(group)
            except BaseException as exc:  # never leave a caller waiting on a future nobody will answer
                for item in group:
                    if not item.answer.done():
                        item.answer.set_exception(exc)
                raise

    def _next_group(self) -> list[W]:
        with self._ready:
            if not self._pending:
                self._idle += 1
                self._ready.wait(self._idle_seconds)
                self._idle -= 1
            if not self._pending:
                self._running -= 1
                return []
            share = -(-len(self._pending) // self._writers)  # the waiting items shared among the writers
            return [self._pending.popleft() for _ in range(min(share, self._max_group))]

    def _take(self, group: list[W]) -> None:
        try:
            with unit_of_work(self._factory) as session:
                answers = self.write(session, group)
        except Exception:
            if len(group) == 1:
                raise
            log.warning("%s: a group of %d failed; writing them one by one", self._name, len(group), exc_info=True)
            for item in group:
                self._take_alone(item)
            return
        self._answer(group, answers)

    def _take_alone(self, item: W) -> None:
        try:
            with unit_of_work(self._factory) as session:
                answers = self.write(session, [item])
        except Exception as exc:
            item.answer.set_exception(exc)
            return
        self._answer([item], answers)

    def _answer(self, group: list[W], answers: list[object]) -> None:
        with self._ready:
            self.groups += 1
            self.done += sum(1 for answer in answers if not isinstance(answer, BaseException))
        for item, answer in zip(group, answers, strict=True):
            if isinstance(answer, BaseException):
                item.answer.set_exception(answer)
            else:
                item.answer.set_result(answer)
