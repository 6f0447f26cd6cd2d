"""Request body limits per route class, enforced before anything (idempotency, a route) reads the body.

Three classes: uploads (a file for hashing or matching, a CSV of figures: ``media_max_bytes`` plus room for the
form's other fields), bulk routes (a batch of notices, a day's figures as JSON: ``max_bulk_bytes``) and every
other route (``max_body_bytes``). A declared ``Content-Length`` over the limit is refused at once, without reading
a byte of the body; a body sent in chunks is counted as it arrives and refused as soon as it passes the limit.
The answer is 413 problem+json, and the connection is closed rather than drained.

Starlette's own ``RequestBodyLimitMiddleware`` is not used: it answers in plain text, and a per-route limit
there only applies once the route runs, after the idempotency layer has already read the body.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.settings import Settings
from accord.web.problems import MEDIA_TYPE, PROBLEM_TYPE_BASE

RouteClass = Literal["upload", "bulk", "body"]

# Routes that take a file (multipart). A test checks this list against the OpenAPI document.
UPLOAD_ROUTES = (
    re.compile(r"^/v1/hashes$"),
    re.compile(r"^/v1/match$"),
    re.compile(r"^/v1/banks/[^/]+/entries$"),
    re.compile(r"^/ui/campaigns/[^/]+/figures$"),
)
BULK_ROUTES = (
    re.compile(r"^/v1/notices/batch$"),
    re.compile(r"^/v1/campaigns/[^/]+/figures$"),
)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit. An ``HTTPException`` so that FastAPI's
    body parsing lets it through and ``web.problems`` answers 413 problem+json when a route was reading."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than this route's limit of {limit} bytes")
        self.limit = limit


def route_class(path: str) -> RouteClass:
    if any(pattern.match(path) for pattern in UPLOAD_ROUTES):
        return "upload"
    if any(pattern.match(path) for pattern in BULK_ROUTES):
        return "bulk"
    return "body"


def limit_for(settings: Settings, path: str) -> int:
    """The largest body ``path`` accepts."""
    kind = route_class(path)
    if kind == "upload":
        return settings.media_max_bytes + settings.max_body_bytes
    return settings.max_bulk_bytes if kind == "bulk" else settings.max_body_bytes


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(self.settings, scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, scope["path"], limit)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received, started = 0, False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception as exc:
            if started or not _is_too_large(exc):
                raise
            await _too_large(send, scope["path"], limit)


def _is_too_large(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return all(_is_too_large(inner) for inner in exc.exceptions)
    return isinstance(exc, BodyTooLarge)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, path: str, limit: int) -> None:
    body = json.dumps({
        "type": PROBLEM_TYPE_BASE + "payload-too-large",
        "title": "Payload too large",
        "status": 413,
        "detail": f"the request body is larger than this route's limit of {limit} bytes",
        "instance": path,
        "field": "body",
    }).encode()
    headers = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
