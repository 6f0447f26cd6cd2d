"""The DSA Transparency Database client: statements of reasons submitted under DSA Art. 24(5).

Every stored statement that carries a Database body (``cases.models.Statement.body``; exempt decisions carry
none) gets a ``Submission`` row and is posted to ``{ACCORD_TDB_URL}/api/v1/statements`` in calls of at most
100, with ``Authorization: Bearer {ACCORD_TDB_TOKEN}``. The Database answers a call as a whole:

- ``201`` with the created statements (each with its ``uuid`` and our ``puid``): all accepted;
- ``422`` with ``errors.statement_<i>``: statement ``i`` of the call is refused for the listed fields and
  nothing of the call was stored; the refused ones are recorded as rejected, the others are posted again;
- ``422`` with ``errors.existing_puids``: those ``puid`` are stored already (an earlier call whose answer
  was lost); they count as accepted and the others are posted again;
- anything else (no answer, 5xx, 429): the call's statements stay pending and wait
  ``ACCORD_TDB_RETRY_BASE_SECONDS``, doubled with each attempt up to six hours, before the next try;
- ``401``/``403`` (a wrong or revoked token): the run stops and the statements stay pending without a wait,
  so they go as soon as the token is fixed.

An accepted statement is never posted again. A micro or small enterprise is exempt from Art. 24(5) (DSA
Art. 19(1); only Art. 24(3) of that Section still applies to it): nothing is posted and the report says why.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases.models import Statement
from accord.clock import Clock
from accord.db import is_postgres
from accord.errors import InvalidInput
from accord.law.sor import MAX_BATCH, STATEMENTS_ENDPOINT
from accord.rights.profile import is_micro_small
from accord.settings import Settings
from accord.transparency.models import SUBMISSION_STATES, Submission

EXEMPT_MICRO_SMALL: Final = (
    "not submitted: a micro or small enterprise is exempt from DSA Art. 24(5) (Art. 19(1));"
    " only Art. 24(3) of that Section applies to it"
)
MAX_WAIT: Final = timedelta(hours=6)
_REFUSED_CREDENTIALS: Final = frozenset({401, 403})

Row = tuple[Submission, dict[str, Any]]


@dataclass(frozen=True)
class Endpoint:
    """Where and how to post: ``url`` is the full ``/api/v1/statements`` address."""

    url: str
    token: str
    timeout: float
    retry_base: float


def endpoint(settings: Settings) -> Endpoint:
    """The configured Database; refused when the URL or the token is missing."""
    if not settings.tdb_url or settings.tdb_token is None:
        raise InvalidInput("set ACCORD_TDB_URL and ACCORD_TDB_TOKEN to submit statements", field="tdb_url")
    return Endpoint(settings.tdb_url.rstrip("/") + STATEMENTS_ENDPOINT, settings.tdb_token.get_secret_value(),
                    settings.tdb_timeout_seconds, settings.tdb_retry_base_seconds)


@dataclass
class SubmitReport:
    """What one run did for one provider."""

    provider_id: str
    exempt: str | None = None
    calls: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """The Database's answer to one call; ``status`` 0 when no answer came."""

    status: int
    body: dict[str, Any]
    error: str = ""


# --- enlisting and choosing what to post -----------------------------------------------------------------


def enlist(session: Session, clock: Clock, provider_id: str) -> int:
    """Give every statement of the provider that has a Database body a pending submission (once)."""
    query = (select(Statement.id, Statement.body).outerjoin(Submission, Submission.statement_id == Statement.id)
             .where(Statement.provider_id == provider_id, Statement.exemption.is_(None),
                    Submission.statement_id.is_(None)))
    now = clock.now()
    added = [Submission(statement_id=sid, provider_id=provider_id, puid=str(body["puid"]), state="pending",
                        errors={}, attempts=0, created_at=now, updated_at=now)
             for sid, body in session.execute(query) if body]
    session.add_all(added)
    session.flush()
    return len(added)


def due(session: Session, clock: Clock, provider_id: str, since: datetime | None = None) -> list[Row]:
    """Pending submissions whose wait is over, oldest statement first, with the body to post."""
    now = clock.now()
    query = (select(Submission, Statement.body).join(Statement, Statement.id == Submission.statement_id)
             .where(Submission.provider_id == provider_id, Submission.state == "pending",
                    (Submission.next_attempt_at.is_(None)) | (Submission.next_attempt_at <= now))
             .order_by(Statement.created_at, Statement.id))
    if since is not None:
        query = query.where(Statement.created_at >= since)
    if is_postgres(session):  # two workers never post the same statement at once
        query = query.with_for_update(of=Submission, skip_locked=True)
    return [(submission, dict(body)) for submission, body in session.execute(query)]


def _chunks(rows: Sequence[Row], size: int = MAX_BATCH) -> Iterator[list[Row]]:
    for start in range(0, len(rows), size):
        yield list(rows[start:start + size])


# --- the run ---------------------------------------------------------------------------------------------


def submit(session: Session, clock: Clock, settings: Settings, actor: Actor, *, provider_id: str,
           since: datetime | None = None) -> SubmitReport:
    """Post the provider's pending statements to the Transparency Database and record each one's result."""
    report = SubmitReport(provider_id)
    if is_micro_small(session, provider_id):
        report.exempt = EXEMPT_MICRO_SMALL
        return report
    target = endpoint(settings)
    enlist(session, clock, provider_id)
    with httpx.Client(timeout=target.timeout) as http:
        for chunk in _chunks(due(session, clock, provider_id, since)):
            if not _deliver(session, clock, actor, http, target, chunk, report):
                break  # the Database is not answering as it should: the rest waits for the next run
    report.pending = pending_count(session, provider_id)
    return report


def pending_count(session: Session, provider_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Submission).where(
        Submission.provider_id == provider_id, Submission.state == "pending")) or 0


def _deliver(session: Session, clock: Clock, actor: Actor, http: httpx.Client, target: Endpoint,
             chunk: list[Row], report: SubmitReport) -> bool:
    """Post one chunk until every statement in it is accepted, rejected or deferred; False when deferred."""
    while chunk:
        answer = _post(http, target, [body for _, body in chunk])
        report.calls += 1
        outcome = _settle(clock, target, chunk, answer, report)
        _record(session, clock, actor, report.provider_id, answer, outcome)
        if outcome.get("deferred"):
            return False
        chunk = [row for row in chunk if row[0].state == "pending"]
    return True


def _post(http: httpx.Client, target: Endpoint, bodies: list[dict[str, Any]]) -> Answer:
    headers = {"Authorization": f"Bearer {target.token}", "Accept": "application/json"}
    try:
        response = http.post(target.url, json={"statements": bodies}, headers=headers)
    except httpx.HTTPError as exc:
        return Answer(0, {}, f"no answer: {type(exc).__name__}")
    try:
        body = response.json()
    except ValueError:
        body = {}
    return Answer(response.status_code, body if isinstance(body, dict) else {}, f"HTTP {response.status_code}")


def _settle(clock: Clock, target: Endpoint, chunk: list[Row], answer: Answer,
            report: SubmitReport) -> dict[str, list[str]]:
    """Apply the answer to the chunk's submissions; the ids by what happened to them."""
    if answer.status == 201:
        return {"accepted": _accept(clock, chunk, answer.body, report)}
    if answer.status == 422:
        settled = _refusals(clock, chunk, answer.body, report)
        if settled:
            return settled
    report.errors.append(_describe(answer))
    if answer.status in _REFUSED_CREDENTIALS:  # not the statements' fault: they go as soon as the token is fixed
        return {"deferred": _note(clock, chunk, _describe(answer))}
    return {"deferred": _defer(clock, chunk, _describe(answer), target.retry_base)}


def _accept(clock: Clock, chunk: list[Row], body: dict[str, Any], report: SubmitReport) -> list[str]:
    uuids = {str(s.get("puid")): str(s.get("uuid") or "") for s in body.get("statements", [])
             if isinstance(s, dict)}
    for submission, _ in chunk:
        mark(clock, submission, "accepted", tdb_uuid=uuids.get(submission.puid) or None)
    report.accepted += len(chunk)
    return [s.statement_id for s, _ in chunk]


def _refusals(clock: Clock, chunk: list[Row], body: dict[str, Any], report: SubmitReport) -> dict[str, list[str]]:
    """A 422: per-statement errors reject those statements; ``existing_puids`` are already submitted."""
    found = body.get("errors")
    errors: dict[str, Any] = found if isinstance(found, dict) else {}
    existing = {str(p) for p in errors.get("existing_puids") or []}
    outcome: dict[str, list[str]] = {"duplicates": [], "rejected": []}
    for index, (submission, _) in enumerate(chunk):
        if submission.puid in existing:
            mark(clock, submission, "accepted", duplicate=True)
            outcome["duplicates"].append(submission.statement_id)
        elif isinstance(errors.get(f"statement_{index}"), dict):
            mark(clock, submission, "rejected", errors=errors[f"statement_{index}"])
            outcome["rejected"].append(submission.statement_id)
    report.duplicates += len(outcome["duplicates"])
    report.rejected += len(outcome["rejected"])
    return outcome if outcome["duplicates"] or outcome["rejected"] else {}


def mark(clock: Clock, submission: Submission, state: str, *, tdb_uuid: str | None = None,
         duplicate: bool = False, errors: dict[str, Any] | None = None) -> None:
    """Record the Database's answer for one statement: accepted (with its uuid) or rejected (with its errors)."""
    now = clock.now()
    submission.state, submission.updated_at, submission.attempts = state, now, submission.attempts + 1
    submission.errors, submission.last_error, submission.next_attempt_at = errors or {}, None, None
    if state == "accepted":
        submission.tdb_uuid, submission.duplicate, submission.accepted_at = tdb_uuid, duplicate, now


def _defer(clock: Clock, chunk: list[Row], error: str, retry_base: float) -> list[str]:
    now = clock.now()
    for submission, _ in chunk:
        submission.attempts += 1
        submission.last_error, submission.updated_at = error, now
        submission.next_attempt_at = now + backoff(submission.attempts, retry_base)
    return [s.statement_id for s, _ in chunk]


def _note(clock: Clock, chunk: list[Row], error: str) -> list[str]:
    for submission, _ in chunk:
        submission.last_error, submission.updated_at = error, clock.now()
    return [s.statement_id for s, _ in chunk]


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """The wait after ``attempts`` failed calls: ``base * 2**(attempts-1)``, at most six hours."""
    seconds = base_seconds * 2 ** max(0, min(attempts - 1, 20))
    return min(timedelta(seconds=seconds), MAX_WAIT)


def _describe(answer: Answer) -> str:
    message = answer.body.get("message")
    return f"{answer.error}: {message}" if isinstance(message, str) and message else answer.error


def _record(session: Session, clock: Clock, actor: Actor, provider_id: str, answer: Answer,
            outcome: dict[str, list[str]]) -> None:
    payload: dict[str, Any] = {"provider_id": provider_id, "status": answer.status, **outcome}
    record(session, clock, actor, Event.TRANSPARENCY_STATEMENTS_SUBMIT, subject=provider_id, org_id=provider_id,
           payload=payload)
    session.flush()


# --- what the UI, API and CLI show ---------------------------------------------------------------------


def statuses(session: Session, provider_id: str, *, state: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The provider's statements with a Database body, newest first, each with its submission status: the
    Database's ``uuid`` once accepted, its errors per field when rejected, the next try while pending, and for
    a micro or small enterprise why nothing is submitted."""
    if state is not None and state not in SUBMISSION_STATES:
        raise InvalidInput(f"state is one of {', '.join(SUBMISSION_STATES)}", field="state")
    exempt = EXEMPT_MICRO_SMALL if is_micro_small(session, provider_id) else None
    query = (select(Statement, Submission).outerjoin(Submission, Submission.statement_id == Statement.id)
             .where(Statement.provider_id == provider_id, Statement.exemption.is_(None))
             .order_by(Statement.created_at.desc(), Statement.id).limit(limit))
    if state == "pending":
        query = query.where((Submission.state == "pending") | Submission.statement_id.is_(None))
    elif state is not None:
        query = query.where(Submission.state == state)
    return [_status(statement, submission, exempt) for statement, submission in session.execute(query)]


def _status(statement: Statement, submission: Submission | None, exempt: str | None) -> dict[str, Any]:
    body = statement.body or {}
    row: dict[str, Any] = {
        "statement_id": statement.id, "decision_id": statement.decision_id, "puid": body.get("puid"),
        "category": body.get("category"), "decision": _decision_label(body), "created_at": statement.created_at,
        "state": "pending", "tdb_uuid": None, "duplicate": False, "errors": {}, "attempts": 0,
        "next_attempt_at": None, "last_error": None, "exempt": None,
    }
    if submission is not None:
        row.update(state=submission.state, tdb_uuid=submission.tdb_uuid, duplicate=submission.duplicate,
                   errors=submission.errors or {}, attempts=submission.attempts,
                   next_attempt_at=submission.next_attempt_at, last_error=submission.last_error)
    if exempt is not None and row["state"] == "pending":
        row.update(state="exempt", exempt=exempt)
    return row


def _decision_label(body: dict[str, Any]) -> str:
    for name in ("decision_visibility", "decision_account", "decision_provision", "decision_monetary"):
        value = body.get(name)
        if value:
            return ", ".join(value) if isinstance(value, list) else str(value)
    return ""
