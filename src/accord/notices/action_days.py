"""Referral Action Days (EUR-04): a time-boxed campaign of many notices to many providers, one shared deadline.

Europol's Referral Action Days send thousands of URLs to hundreds of platforms in one day (1,906 URLs on 180
platforms in one of them). An issuer creates an action day with its deadline, imports the day's notices into
it (CSV or JSON lines, as ``batch`` takes them: every line reported, committed per chunk, each accepted notice
dispatched to its provider as any other), and reads the summary: per provider, how many notices, how many
acknowledged, answered and how, how many are still open or were answered after the shared deadline. Only the
issuer sees its action days; providers see their notices as usual.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.clock import Clock, as_utc
from accord.db import new_id
from accord.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.notices import batch
from accord.notices.models import ActionDay, ActionDayNotice, Notice
from accord.settings import Settings

ISSUER_KINDS = ("authority", "coordinator", "trusted_flagger")
ANSWERS = ("removed", "disabled", "no_action", "cannot_comply")


@dataclass
class ProviderLine:
    """What one provider did with the action day's notices."""

    provider_id: str
    provider_name: str
    notices: int = 0
    acknowledged: int = 0
    answered: int = 0
    late: int = 0  # answered after the shared deadline, or still open once it has passed
    by_outcome: Counter[str] = field(default_factory=Counter)

    @property
    def open(self) -> int:
        return self.notices - self.answered


@dataclass
class Summary:
    day: ActionDay
    now: datetime
    providers: list[ProviderLine]

    @property
    def notices(self) -> int:
        return sum(p.notices for p in self.providers)

    @property
    def answered(self) -> int:
        return sum(p.answered for p in self.providers)

    @property
    def acknowledged(self) -> int:
        return sum(p.acknowledged for p in self.providers)

    @property
    def late(self) -> int:
        return sum(p.late for p in self.providers)

    @property
    def by_outcome(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for line in self.providers:
            total.update(line.by_outcome)
        return {answer: total[answer] for answer in ANSWERS}

    @property
    def past_deadline(self) -> bool:
        return self.now >= as_utc(self.day.deadline_at)


def create(session: Session, clock: Clock, principal: Principal, *, name: str, deadline_at: datetime,
           description: str = "") -> ActionDay:
    """A new action day of the caller's; its deadline must lie ahead."""
    if principal.org_kind not in ISSUER_KINDS:
        raise PermissionDenied("only authorities, coordinators and trusted flaggers run Referral Action Days")
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("name is 1 to 200 characters", field="name")
    if deadline_at.tzinfo is None:
        raise InvalidInput("deadline_at needs a time zone (ISO 8601, e.g. 2026-12-08T18:00:00Z)", field="deadline_at")
    if as_utc(deadline_at) <= clock.now():
        raise InvalidInput("deadline_at must lie in the future", field="deadline_at")
    day = ActionDay(id=new_id("rad"), org_id=principal.org_id, name=name, description=description.strip(),
                    deadline_at=as_utc(deadline_at), created_at=clock.now())
    session.add(day)
    record(session, clock, principal.actor, Event.NOTICES_ACTION_DAY_CREATE, subject=day.id,
           payload={"name": day.name, "deadline_at": day.deadline_at.isoformat()})
    return day


def get(session: Session, principal: Principal, day_id: str) -> ActionDay:
    """The caller's action day; anyone else's is NotFound."""
    day = session.get(ActionDay, day_id)
    if day is None or day.org_id != principal.org_id:
        raise NotFound(f"no action day {day_id!r}")
    return day


def list_days(session: Session, principal: Principal) -> list[ActionDay]:
    query = select(ActionDay).where(ActionDay.org_id == principal.org_id).order_by(ActionDay.created_at.desc())
    return list(session.scalars(query))


def import_notices(factory: sessionmaker[Session], clock: Clock, settings: Settings, principal: Principal,
                   day_id: str, lines: list[tuple[int, dict[str, Any] | DomainError]]) -> batch.BatchReport:
    """Take the day's notices as a batch does (every line reported, committed per chunk) and link each accepted
    notice to the day in its chunk's transaction."""
    with factory() as session:
        day = get(session, principal, day_id)
        if clock.now() >= as_utc(day.deadline_at):
            raise InvalidInput("the action day's deadline has passed; create a new one", field="action_day")

    def link(session: Session, report: batch.BatchReport) -> None:
        _link(session, clock, principal, day_id, report)

    return batch.import_in_chunks(factory, clock, settings, principal, lines, on_chunk=link)


def add_notices(session: Session, clock: Clock, settings: Settings, principal: Principal, day_id: str,
                lines: list[tuple[int, dict[str, Any] | DomainError]]) -> batch.BatchReport:
    """``import_notices`` in the caller's transaction (a few lines: the demo, a test)."""
    day = get(session, principal, day_id)
    if clock.now() >= as_utc(day.deadline_at):
        raise InvalidInput("the action day's deadline has passed; create a new one", field="action_day")
    report = batch.import_batch(session, clock, settings, principal, lines)
    _link(session, clock, principal, day_id, report)
    return report


def _link(session: Session, clock: Clock, principal: Principal, day_id: str, report: batch.BatchReport) -> None:
    accepted = [line.notice_id for line in report.lines if line.accepted and line.notice_id]
    session.flush()  # the notices first: the links reference them, and no relationship orders the flush
    session.add_all(ActionDayNotice(notice_id=notice_id, action_day_id=day_id) for notice_id in accepted)
    if accepted:
        record(session, clock, principal.actor, Event.NOTICES_ACTION_DAY_IMPORT, subject=day_id,
               payload={"accepted": len(accepted), "refused": report.refused})


_ROWS = (select(Notice.provider_id, Organisation.name, Notice.acknowledged_at, Notice.outcome, Notice.outcome_at)
         .join(ActionDayNotice, ActionDayNotice.notice_id == Notice.id)
         .join(Organisation, Organisation.id == Notice.provider_id))


def summary(session: Session, clock: Clock, principal: Principal, day_id: str) -> Summary:
    """Per provider (most notices first): notices, acknowledged, answered and how, open, late."""
    day = get(session, principal, day_id)
    deadline, now = as_utc(day.deadline_at), clock.now()
    lines: dict[str, ProviderLine] = {}
    for provider_id, name, acknowledged_at, outcome, outcome_at in session.execute(
            _ROWS.where(ActionDayNotice.action_day_id == day_id)):
        line = lines.setdefault(provider_id, ProviderLine(provider_id, name))
        line.notices += 1
        line.acknowledged += acknowledged_at is not None
        if outcome in ANSWERS and outcome_at is not None:
            line.answered += 1
            line.by_outcome[outcome] += 1
            line.late += as_utc(outcome_at) > deadline
        else:
            line.late += now >= deadline
    ordered = sorted(lines.values(), key=lambda p: (-p.notices, p.provider_name))
    return Summary(day, now, ordered)

