"""Reading a request body that is either a multipart upload or JSON (bank entries, lookups)."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.types import Message

from accord.errors import InvalidInput, PayloadTooLarge
from accord.web.deps import app_state

_M = TypeVar("_M", bound=BaseModel)
_SPOOL_IN_MEMORY = 1024 * 1024
_FORM_ROOM = 64 * 1024  # the multipart boundaries, headers and small fields around the file


@dataclass
class Body:
    """A file and its form fields, or a JSON document."""

    file: bytes | None = None
    form: dict[str, list[str]] = field(default_factory=dict)
    json: Any = None
    csv: SpooledTemporaryFile[bytes] | None = None

    def csv_lines(self) -> Iterator[str]:
        """The CSV body's lines from its start (each call reads it again; nothing is held in memory)."""
        assert self.csv is not None
        self.csv.seek(0)
        return iter(io.TextIOWrapper(io.BufferedReader(_Unclosed(self.csv)), encoding="utf-8", newline=""))

    def field(self, name: str) -> str | None:
        """A single form field."""
        values = self.form.get(name)
        return values[0] if values else None

    def items(self, name: str) -> list[str]:
        """A form field given several times or comma-separated."""
        return [part.strip() for value in self.form.get(name, []) for part in value.split(",") if part.strip()]


async def read_body(request: Request) -> Body:
    """Multipart (field ``file``) or JSON; an upload over ``media_max_bytes`` is refused with 413."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return await _multipart(request)
    if content_type.startswith("text/csv"):
        return Body(csv=await _spooled(request))
    try:
        return Body(json=await request.json())
    except ValueError:
        raise InvalidInput("send JSON, or a multipart form with a `file`", field="body") from None


async def _spooled(request: Request) -> SpooledTemporaryFile[bytes]:
    """A CSV body streamed into a temporary file (in memory up to 1 MiB, on disk beyond), checked as UTF-8;
    the app's body limit for the route bounds it. The file (already unlinked on disk) goes with the request's
    ``Body``."""
    spool: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 -- lives as long as the request's Body
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        async for piece in request.stream():
            decoder.decode(piece)
            spool.write(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InvalidInput("the CSV is not UTF-8 text", field="body") from None
    return spool


class _Unclosed(io.RawIOBase):
    """The spooled file seen through a reader that leaves it open when the reader is dropped."""

    def __init__(self, inner: SpooledTemporaryFile[bytes]) -> None:
        self.inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


async def _multipart(request: Request) -> Body:
    """The upload streams into Starlette's spooled temporary file (in memory up to 1 MiB, on disk beyond), and
    is read from it once: the body is never held twice. A body larger than the file limit plus the form's own
    fields is refused (413) as it arrives, before it is stored."""
    limit = app_state(request).settings.media_max_bytes
    form = await _bounded(request, limit + _FORM_ROOM).form(max_files=1, max_fields=50)
    body = Body()
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            body.file = await _read_limited(value, limit)
        else:
            body.form.setdefault(key, []).append(value)
    if body.file is None:
        raise InvalidInput("the multipart form has no `file`", field="file")
    return body


def _bounded(request: Request, most: int) -> Request:
    """``request`` whose body may not exceed ``most`` bytes, whatever its Content-Length says (chunked too)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > most:
        raise _too_large(most - _FORM_ROOM)
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > most:
            raise _too_large(most - _FORM_ROOM)
        return message

    return Request(request.scope, receive)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the file is larger than the limit of {limit} bytes", field="file")


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    if upload.size is not None and upload.size > limit:
        raise _too_large(limit)
    data = await upload.read()  # one copy, from the spooled file
    if len(data) > limit:
        raise _too_large(limit)
    return data


def parse(model: type[_M], data: Any) -> _M:
    """Validate JSON into ``model``, answering 422 problem+json like any other request body."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema with nested models inlined, for a request body declared by hand in OpenAPI."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved
