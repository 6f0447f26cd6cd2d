"""Demo: the review console's decisions on their way to the DSA Transparency Database.

The demo has no Database to talk to, so it records the answers one would have given, marked as the demo's:
the older statements accepted (with a demo ``uuid``), one refused with the errors the Database gives for a
statement that names a person in its facts, and the newest waiting for the next run, which tells the operator
that ``ACCORD_TDB_URL`` is not set. The statements page then shows every status a provider meets.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases.models import Statement
from accord.clock import Clock
from accord.demo import DemoWorld
from accord.settings import Settings
from accord.transparency import tdb
from accord.transparency.models import Submission

ACTOR = Actor("demo:tdb", None)
REFUSED = {"decision_facts": ["The decision facts must not contain personal data (demo answer)."]}
WAITING = "demo: no Transparency Database configured (set ACCORD_TDB_URL and ACCORD_TDB_TOKEN)"


def seed(session: Session, clock: Clock, settings: Settings, world: DemoWorld) -> None:
    provider = world.orgs["smallvideo"].id
    tdb.enlist(session, clock, provider)
    rows = list(session.scalars(select(Submission).join(Statement, Statement.id == Submission.statement_id)
                                .where(Submission.provider_id == provider).order_by(Statement.created_at)))
    accepted, rest = rows[: len(rows) // 2], rows[len(rows) // 2:]
    for submission in accepted:
        tdb.mark(clock, submission, "accepted", tdb_uuid=f"demo-{uuid.uuid4()}")
    if rest:
        tdb.mark(clock, rest[0], "rejected", errors=REFUSED)
    for submission in rest[1:]:
        submission.last_error = WAITING
    session.flush()
    record(session, clock, ACTOR, Event.TRANSPARENCY_STATEMENTS_SUBMIT, subject=provider, org_id=provider,
           payload={"provider_id": provider, "status": 0, "demo": True,
                    "accepted": [s.statement_id for s in accepted], "rejected": [s.statement_id for s in rest[:1]]})


