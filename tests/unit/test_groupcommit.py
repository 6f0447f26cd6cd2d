"""The group writer both intake and match recording use: one transaction per group, refusals answered alone,
a failing group retried item by item so that only the culprit fails, and no caller left waiting."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.errors import InvalidInput
from accord.groupcommit import GroupWriter
from accord.identity.models import Organisation

pytestmark = pytest.mark.committing  # the writer's threads commit on their own connections


@dataclass
class Item:
    name: str
    answer: Future[str] = field(default_factory=Future)


class OrgWriter(GroupWriter[Item]):
    """Writes an organisation per item; ``refuse-*`` is refused as a value, ``boom`` raises."""

    def __init__(self, factory: sessionmaker[Session], clock: FrozenClock, gate: threading.Event | None = None,
                 writers: int = 1) -> None:
        super().__init__(factory, name="test-writer", writers=writers, idle_seconds=0.05)
        self.clock, self.gate, self.sizes = clock, gate, list[int]()

    def write(self, session: Session, group: list[Item]) -> list[object]:
        if self.gate is not None:
            assert self.gate.wait(10)
        self.sizes.append(len(group))
        return [self._one(session, item) for item in group]

    def _one(self, session: Session, item: Item) -> object:
        if item.name.startswith("refuse"):
            return InvalidInput(f"{item.name} refused")
        if item.name == "boom":
            raise RuntimeError("boom")
        session.add(Organisation(id=f"org_{item.name}", name=item.name, kind="provider", country="FR",
                                 created_at=self.clock.now()))
        return item.name


def _orgs(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Organisation)) or 0


def test_items_arriving_together_are_one_transaction(factory: sessionmaker[Session], clock: FrozenClock) -> None:
    gate = threading.Event()
    writer = OrgWriter(factory, clock, gate)
    items = [Item(f"n{i}") for i in range(10)]
    for item in items:
        writer.enqueue(item)
    gate.set()
    assert [item.answer.result(timeout=10) for item in items] == [f"n{i}" for i in range(10)]
    assert writer.done == 10 and writer.groups == len(writer.sizes) < 10
    assert _orgs(factory) == 10


def test_a_refusal_is_answered_alone_and_the_rest_commit(factory: sessionmaker[Session], clock: FrozenClock) -> None:
    writer = OrgWriter(factory, clock)
    good, refused = Item("good"), Item("refuse-me")
    writer._take([good, refused])  # the writer's own step, without its thread
    assert good.answer.result(timeout=5) == "good"
    assert isinstance(refused.answer.exception(timeout=5), InvalidInput)
    assert (writer.groups, writer.done, _orgs(factory)) == (1, 1, 1)


def test_a_failing_item_fails_alone(factory: sessionmaker[Session], clock: FrozenClock) -> None:
    writer = OrgWriter(factory, clock)
    first, culprit, last = Item("first"), Item("boom"), Item("last")
    writer._take([first, culprit, last])
    assert (first.answer.result(timeout=5), last.answer.result(timeout=5)) == ("first", "last")
    assert isinstance(culprit.answer.exception(timeout=5), RuntimeError)
    assert (writer.groups, writer.done, _orgs(factory)) == (2, 2, 2), "the group rolled back, each retried alone"


def test_several_writers_share_the_queue(factory: sessionmaker[Session], clock: FrozenClock) -> None:
    gate = threading.Event()
    writer = OrgWriter(factory, clock, gate, writers=3)
    items = [Item(f"w{i}") for i in range(12)]
    for item in items:
        writer.enqueue(item)
    gate.set()
    assert sorted(item.answer.result(timeout=10) for item in items) == sorted(f"w{i}" for i in range(12))
    assert sum(writer.sizes) == 12 and writer.done == 12
