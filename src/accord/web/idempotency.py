"""``Idempotency-Key`` on API POSTs: the same key and body replay the first answer and create nothing new; the
same key with another body is a 409.

A pure ASGI middleware, active only for a ``POST`` under ``/v1/`` that carries the header (nothing is done, read
or stored for any other request). In order:

1. **Who is asking.** A bearer key is authenticated first; a missing, malformed, unknown or revoked key makes
   the middleware step aside (the route answers 401 and nothing is stored). Keys are scoped to the API key that
   sent them (one organisation's keys do not share answers: one may hold scopes the other lacks). The only
   route that takes a request without a key, ``POST /v1/notices`` (DSA Art. 16 user reports), scopes keys by the
   client's address.
2. **Claim.** A ``pending`` row (unique per caller and key) names the process running the request and a short
   lease, which that process renews while the request runs. A retry that finds the row pending waits; it takes
   the row over when the lease has run out or when the owner, on the same host, is certainly gone (killed,
   crashed, restarted), so a retry after a crash succeeds at once instead of being refused for a day.
3. **Answer.** The body is read (within the route's limit, ``web.limits``), the request runs, and its answer is
   stored and replayed to later retries. A server error or a 401 is not stored: the row is deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import LargeBinary, String, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.db import Base, unit_of_work
from accord.errors import NotAuthenticated
from accord.identity.service import authenticate_key
from accord.web import _process
from accord.web.problems import MEDIA_TYPE, PROBLEM_TYPE_BASE
from accord.web.state import AppState

HEADER = b"idempotency-key"
POLL_SECONDS = 0.05  # how often a waiting retry looks at the first request's row
# The /v1 routes that accept a request without a key (and everything under /v1/public/, public by design); an
# anonymous key elsewhere is ignored and the route answers 401.
ANONYMOUS_POSTS = frozenset({"/v1/notices"})
PUBLIC_PREFIX = "/v1/public/"

Verdict = Literal["mine", "replay", "mismatch", "wait"]


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    caller: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))  # "" until the first request's body has been read
    state: Mapped[str] = mapped_column(String(10))
    status: Mapped[int | None]
    headers: Mapped[list[Any]] = mapped_column(default=list)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    # While pending: the claim (``web._process.identity()`` plus a nonce) and until when it holds.
    owner: Mapped[str | None] = mapped_column(String(400))
    lease_until: Mapped[datetime | None]


class _ClientGone(Exception):
    """The client disconnected before its whole body arrived."""


@dataclass
class _Captured:
    status: int = 500
    headers: list[tuple[bytes, bytes]] | None = None
    body: bytes = b""


@dataclass(frozen=True)
class _Call:
    """One idempotent request: who sent it, with which key, and the claim it holds once it owns the row."""

    caller: str
    key: str
    claim: str


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state
        self.identity = _process.identity()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _idempotency_key(scope)
        caller = await self._caller(scope) if key else None
        if key is None or caller is None:
            await self.app(scope, receive, send)
            return
        call = _Call(caller, key, f"{self.identity}|{secrets.token_hex(4)}")
        with contextlib.suppress(_ClientGone):  # nobody is left to answer
            if await asyncio.to_thread(self._claim_new, call):
                body = await self._read_or_release(receive, call)
                await self._process(scope, body, send, call)
            else:
                await self._follow(scope, await _read_body(receive), send, call)

    # ---- who is asking ---------------------------------------------------------------------------------

    async def _caller(self, scope: Scope) -> str | None:
        authorization = _header(scope, b"authorization")
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return None
            ref = await asyncio.to_thread(self._key_ref, token.strip())
            return None if ref is None else caller_scope("key", ref)
        client = scope.get("client")
        if client and (scope["path"] in ANONYMOUS_POSTS or scope["path"].startswith(PUBLIC_PREFIX)):
            return caller_scope("address", str(client[0]))
        return None

    def _key_ref(self, token: str) -> str | None:
        with self.state.factory() as session:  # read only: closed without a commit
            try:
                principal = authenticate_key(session, self.state.clock, token)
            except NotAuthenticated:
                return None
            return f"{principal.org_id}/{principal.ref}"

    # ---- the row ---------------------------------------------------------------------------------------

    def _lease_end(self) -> datetime:
        return self.state.clock.now() + timedelta(seconds=self.state.settings.idempotency_lease_seconds)

    def _claim_new(self, call: _Call) -> bool:
        """Insert the pending row; False when the caller already used this key."""
        self._expire()
        try:
            with unit_of_work(self.state.factory) as session:
                session.add(IdempotencyRecord(caller=call.caller, key=call.key, request_hash="", state="pending",
                                              created_at=self.state.clock.now(), owner=call.claim,
                                              lease_until=self._lease_end()))
            return True
        except IntegrityError:
            return False

    def _expire(self) -> None:
        cutoff = self.state.clock.now() - timedelta(hours=self.state.settings.idempotency_ttl_hours)
        with unit_of_work(self.state.factory) as session:
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))

    def _look(self, call: _Call, digest: str) -> tuple[Verdict, IdempotencyRecord | None]:
        """What a request that found the key taken should do now."""
        with unit_of_work(self.state.factory) as session:
            row = session.scalar(_row(call))
        if row is None:
            return ("mine" if self._claim_new(call) else "wait"), None
        if row.state == "done":
            return ("replay" if row.request_hash == digest else "mismatch"), row
        if self._abandoned(row) and self._take_over(row, call):
            return "mine", None
        return "wait", None

    def _abandoned(self, row: IdempotencyRecord) -> bool:
        """No request can still be running for this row: its lease ran out, or its process is gone."""
        if row.lease_until is None or row.lease_until <= self.state.clock.now():
            return True
        return _process.is_gone(row.owner)

    def _take_over(self, row: IdempotencyRecord, call: _Call) -> bool:
        """Compare and swap: only one of several retries gets the row."""
        with unit_of_work(self.state.factory) as session:
            previous = IdempotencyRecord.owner.is_(None) if row.owner is None else IdempotencyRecord.owner == row.owner
            taken = session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.id == row.id, IdempotencyRecord.state == "pending", previous)
                .values(owner=call.claim, lease_until=self._lease_end(), created_at=self.state.clock.now())
            )
            return bool(getattr(taken, "rowcount", 0) == 1)

    def _renew(self, call: _Call) -> None:
        with unit_of_work(self.state.factory) as session:
            session.execute(update(IdempotencyRecord).where(*_owned(call)).values(lease_until=self._lease_end()))

    def _release(self, call: _Call) -> None:
        with unit_of_work(self.state.factory) as session:
            session.execute(delete(IdempotencyRecord).where(*_owned(call)))

    def _store(self, call: _Call, digest: str, captured: _Captured) -> None:
        with unit_of_work(self.state.factory) as session:
            row = session.scalar(select(IdempotencyRecord).where(*_owned(call)))
            if row is None:
                return  # taken over after this process lost its lease: the newer request's answer counts
            if captured.status >= 500 or captured.status == 401:
                session.delete(row)  # neither a server error nor a refused key is an answer worth replaying
                return
            row.state, row.status, row.body, row.request_hash = "done", captured.status, captured.body, digest
            row.owner = row.lease_until = None
            row.headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in captured.headers or []]

    # ---- the request -----------------------------------------------------------------------------------

    async def _read_or_release(self, receive: Receive, call: _Call) -> bytes:
        try:
            return await _read_body(receive)
        except BaseException:
            await asyncio.to_thread(self._release, call)  # too large, or the client went away
            raise

    async def _process(self, scope: Scope, body: bytes, send: Send, call: _Call) -> None:
        captured = _Captured()

        async def replay_receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status = message["status"]
                captured.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured.body += message.get("body", b"")
            await send(message)

        renewal = asyncio.create_task(self._keep_lease(call))
        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            await asyncio.to_thread(self._store, call, _digest(scope, body), captured)

    async def _keep_lease(self, call: _Call) -> None:
        """Renew the lease while the request runs, so that only a dead or stuck process loses it."""
        every = max(self.state.settings.idempotency_lease_seconds / 3, POLL_SECONDS)
        while True:
            await asyncio.sleep(every)
            await asyncio.to_thread(self._renew, call)

    async def _follow(self, scope: Scope, body: bytes, send: Send, call: _Call) -> None:
        """The key is taken: replay its answer, refuse another body, or take over an abandoned request."""
        digest = _digest(scope, body)
        deadline = time.monotonic() + self.state.settings.idempotency_wait_seconds
        while True:
            verdict, row = await asyncio.to_thread(self._look, call, digest)
            if verdict == "mine":
                await self._process(scope, body, send, call)
                return
            if row is not None:
                await (_replay(send, row) if verdict == "replay" else _send_conflict(send, scope["path"]))
                return
            if time.monotonic() >= deadline:
                await _send_conflict(send, scope["path"], "the first request with this Idempotency-Key is "
                                     "still running; retry in a moment")
                return
            await asyncio.sleep(POLL_SECONDS)


def _row(call: _Call) -> Any:
    return select(IdempotencyRecord).where(IdempotencyRecord.caller == call.caller, IdempotencyRecord.key == call.key)


def _owned(call: _Call) -> tuple[Any, ...]:
    return (IdempotencyRecord.caller == call.caller, IdempotencyRecord.key == call.key,
            IdempotencyRecord.state == "pending", IdempotencyRecord.owner == call.claim)


def _idempotency_key(scope: Scope) -> str | None:
    """The key of an API POST that carries one; None for every other request (which costs nothing more)."""
    if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith("/v1/"):
        return None
    return _header(scope, HEADER)[:200] or None


def caller_scope(kind: str, ref: str) -> str:
    """The caller column of a row: a digest of `key` and `org/key:prefix`, or of `address` and the client address."""
    return hashlib.sha256(f"{kind}:{ref}".encode()).hexdigest()


def _digest(scope: Scope, body: bytes) -> str:
    return hashlib.sha256(scope["path"].encode() + b"\n" + body).hexdigest()


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _replay(send: Send, row: IdempotencyRecord) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in row.headers]
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": row.status or 200, "headers": headers})
    await send({"type": "http.response.body", "body": row.body or b""})


async def _send_conflict(send: Send, path: str, detail: str | None = None) -> None:
    body = json.dumps({
        "type": PROBLEM_TYPE_BASE + "idempotency-conflict",
        "title": "Idempotency-Key reused",
        "status": 409,
        "detail": detail or "this Idempotency-Key was used with a different request body",
        "instance": path,
        "field": "Idempotency-Key",
    }).encode()
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    if detail:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": 409, "headers": headers})
    await send({"type": "http.response.body", "body": body})
