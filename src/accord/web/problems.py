"""The one place where errors become RFC 9457 ``application/problem+json``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord.errors import DomainError, NotAuthenticated
from accord.web.ui import _format

PROBLEM_TYPE_BASE = "https://accord.example/problems/"
MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: every error the API answers has this shape."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path that was asked for.")
    field: str | None = Field(None, description="The input at fault, when one is.")
    errors: list[FieldError] | None = Field(None, description="Every invalid input (422 only).")


_MEANINGS = {
    400: "Bad request", 401: "No or unknown credentials", 403: "Not allowed for this role or organisation",
    404: "Not found (or not visible to this organisation)", 409: "Conflicts with the current state",
    413: "Body too large", 422: "Invalid input", 429: "Too many requests",
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": meaning, "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for status, meaning in _MEANINGS.items()
}
"""Declared once on the app, so every operation documents the errors it can answer."""


def openapi_document(app: FastAPI, components: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """FastAPI's document with every 422 declared as problem+json (what ``_validation`` really sends), and the
    ``components`` of bodies that routes read themselves (FastAPI cannot see them)."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schemas["Problem"].pop("$defs", {}))
        schemas.update(components or {})
        for key in ("HTTPValidationError", "ValidationError"):
            schemas.pop(key, None)
        for path in document.get("paths", {}).values():
            for operation in path.values():
                _problem_errors(operation.setdefault("responses", {}))
        app.openapi_schema = document
    return app.openapi_schema


def _problem_errors(responses: dict[str, Any]) -> None:
    """Declare each shared error (FastAPI wrote its own ``HTTPValidationError`` 422 over ours)."""
    for status, declared in RESPONSES.items():
        mine = responses.setdefault(str(status), dict(declared))
        mine["content"] = declared["content"]


def problem(
    status: int, slug: str, title: str, detail: str, instance: str, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if request.url.path.startswith("/ui"):
        return _ui_error(request, exc)
    return problem(exc.status, exc.slug, exc.title, exc.detail, request.url.path, field=exc.field, **exc.extra)


def _ui_error(request: Request, exc: DomainError) -> Response:
    """Pages answer with a page: a login redirect when not logged in, else the error in plain words."""
    if isinstance(exc, NotAuthenticated):
        return RedirectResponse("/ui/login", status_code=303)
    templates = request.app.state.accord.templates
    _format.install(templates.env)
    context = {"title": exc.title, "detail": exc.detail, "principal": None, "csrf": "", "back": _back(request)}
    response: Response = templates.TemplateResponse(request, "error.html", context, status_code=exc.status)
    return response


def _back(request: Request) -> str:
    """Back to the page the person came from (same site only), else home."""
    referer = request.headers.get("referer", "")
    own = f"{request.url.scheme}://{request.url.netloc}/ui"
    return referer if referer.startswith(own) else "/ui/"


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field_of(e["loc"]), "message": e["msg"]} for e in exc.errors()]
    first = errors[0] if errors else {"field": "body", "message": "invalid"}
    detail = f"{first['field']}: {first['message']}"
    return problem(422, "invalid-input", "Invalid input", detail, request.url.path,
                   field=first["field"], errors=errors)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = {404: "not-found", 405: "method-not-allowed", 401: "not-authenticated",
            413: "payload-too-large"}.get(exc.status_code, "http")
    return problem(exc.status_code, slug, str(exc.detail), str(exc.detail), request.url.path)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
