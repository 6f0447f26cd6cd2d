"""``Idempotency-Key`` for every POST: the same key and body replay the first answer and create nothing new;
the same key with another body is a 409.

A pure ASGI middleware. The first request with a key inserts a ``pending`` row (unique per caller and key);
a concurrent twin hits the unique constraint, waits for the first to finish and replays its answer. Keys are
scoped to the caller (a digest of the Authorization header), so callers never see each other's answers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.db import Base, unit_of_work
from accord.web.problems import MEDIA_TYPE, PROBLEM_TYPE_BASE
from accord.web.state import AppState

HEADER = b"idempotency-key"
WAIT_STEPS = 200  # x 50 ms: how long a twin waits for the first request to finish


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    caller: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10))
    status: Mapped[int | None]
    headers: Mapped[list[Any]] = mapped_column(default=list)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


@dataclass
class _Captured:
    status: int = 500
    headers: list[tuple[bytes, bytes]] | None = None
    body: bytes = b""


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, HEADER) if scope["type"] == "http" and scope["method"] == "POST" else None
        if not key:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        caller = hashlib.sha256(_header(scope, b"authorization").encode()).hexdigest()
        digest = hashlib.sha256(scope["path"].encode() + b"\n" + body).hexdigest()
        outcome = await asyncio.to_thread(self._reserve, caller, key, digest)
        if outcome == "mine":
            await self._process(scope, body, send, caller, key)
        elif outcome == "mismatch":
            await _send_conflict(send, scope["path"])
        else:
            await self._replay(send, caller, key, digest)

    def _reserve(self, caller: str, key: str, digest: str) -> str:
        """'mine' when this request owns the key, 'mismatch' for another body, else 'seen'."""
        self._expire()
        try:
            with unit_of_work(self.state.factory) as session:
                session.add(IdempotencyRecord(caller=caller, key=key[:200], request_hash=digest,
                                              state="pending", created_at=self.state.clock.now()))
            return "mine"
        except IntegrityError:
            existing = self._load(caller, key)
            return "mismatch" if existing is None or existing.request_hash != digest else "seen"

    def _expire(self) -> None:
        cutoff = self.state.clock.now() - timedelta(hours=self.state.settings.idempotency_ttl_hours)
        with unit_of_work(self.state.factory) as session:
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))

    def _load(self, caller: str, key: str) -> IdempotencyRecord | None:
        with unit_of_work(self.state.factory) as session:
            query = select(IdempotencyRecord).where(
                IdempotencyRecord.caller == caller, IdempotencyRecord.key == key[:200]
            )
            return session.scalar(query)

    async def _process(self, scope: Scope, body: bytes, send: Send, caller: str, key: str) -> None:
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

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            await asyncio.to_thread(self._store, caller, key, captured)

    def _store(self, caller: str, key: str, captured: _Captured) -> None:
        with unit_of_work(self.state.factory) as session:
            query = select(IdempotencyRecord).where(
                IdempotencyRecord.caller == caller, IdempotencyRecord.key == key[:200]
            )
            row = session.scalar(query)
            if row is None:
                return
            if captured.status >= 500:
                session.delete(row)  # a server error is not an answer worth replaying
                return
            row.state, row.status, row.body = "done", captured.status, captured.body
            row.headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in captured.headers or []]

    async def _replay(self, send: Send, caller: str, key: str, digest: str) -> None:
        for _ in range(WAIT_STEPS):
            row = await asyncio.to_thread(self._load, caller, key)
            if row is not None and row.state == "done":
                headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in row.headers]
                headers.append((b"idempotent-replayed", b"true"))
                await send({"type": "http.response.start", "status": row.status or 200, "headers": headers})
                await send({"type": "http.response.body", "body": row.body or b""})
                return
            await asyncio.sleep(0.05)
        await _send_conflict(send, "", "the first request with this Idempotency-Key is still running")


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
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


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
    await send({"type": "http.response.start", "status": 409, "headers": headers})
    await send({"type": "http.response.body", "body": body})
