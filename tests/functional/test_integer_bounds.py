"""Every integer in a path or query is bounded, so the database never sees a number out of its column's range:
2**63 (one past PostgreSQL's ``bigint``) is refused with a 422 problem naming the parameter, on every route
of the API and the pages, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.settings import Settings
from accord.web.schemas.common import INT64_MAX
from accord.web.ui.auth import COOKIE, csrf_token
from tests.factories import PASSWORD, make_org
from tests.helpers import ui_login

TOO_BIG = 2**63
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def _is_int(annotation: Any) -> bool:
    return annotation is int or (getattr(annotation, "__args__", None) is not None and int in annotation.__args__)


def integer_params(app: FastAPI) -> list[tuple[str, str, list[str], list[str]]]:
    """(method, path, integer path parameters, integer query parameters) of every route that has any."""
    found = []
    for route in _walk(app.routes):
        in_path = [p.alias for p in route.dependant.path_params if _is_int(p.field_info.annotation)]
        in_query = [p.alias for p in route.dependant.query_params if _is_int(p.field_info.annotation)]
        if in_path or in_query:
            found.extend((method, route.path, in_path, in_query) for method in sorted(route.methods - {"HEAD"}))
    return found


def _walk(routes: list[Any]) -> Iterator[APIRoute]:
    """The routes of the app, also those of included routers (FastAPI keeps those behind a wrapper)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes)


def _url(path: str, in_path: list[str]) -> str:
    return _PARAM.sub(lambda m: str(TOO_BIG) if m.group(1) in in_path else "x_missing", path)


def test_every_integer_parameter_declares_its_range(app: FastAPI) -> None:
    params = [(path, p) for path, operations in app.openapi()["paths"].items() for op in operations.values()
              for p in op.get("parameters", [])]
    integers = [(path, p) for path, p in params if "integer" in _types(p["schema"])]
    assert len(integers) >= 10
    for path, parameter in integers:
        schema = _integer_schema(parameter["schema"])
        assert "maximum" in schema and schema["maximum"] <= INT64_MAX, (path, parameter)
        assert "minimum" in schema, (path, parameter)


def _types(schema: dict[str, Any]) -> set[str]:
    return {schema.get("type", "")} | {s.get("type", "") for s in schema.get("anyOf", [])}


def _integer_schema(schema: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next((s for s in schema.get("anyOf", []) if s.get("type") == "integer"), schema)
    return found


def test_a_number_past_bigint_is_a_422_problem_everywhere(app: FastAPI, client: TestClient,
                                                          factory: sessionmaker[Session], clock: FrozenClock,
                                                          settings: Settings) -> None:
    with unit_of_work(factory) as session:
        org = make_org(session, clock, "provider")
    assert ui_login(client, org.email, PASSWORD, follow_redirects=False).status_code == 303
    csrf = csrf_token(settings.secret_key, client.cookies[COOKIE])
    routes = integer_params(app)
    assert {path for _, path, _, _ in routes} >= {"/v1/banks/{name}/entries", "/v1/cases", "/v1/exchange/feed",
                                                  "/v1/audit/events", "/v1/notices", "/ui/banks/{bank_id}/entries"
                                                  "/{entry_id}/vote"}
    for method, path, in_path, in_query in routes:
        headers = {**org.headers, "X-CSRF-Token": csrf}
        response = client.request(method, _url(path, in_path), params={name: str(TOO_BIG) for name in in_query},
                                   headers=headers, follow_redirects=False)
        assert response.status_code == 422, f"{method} {path}: {response.status_code} {response.text[:300]}"
        assert response.headers["content-type"].startswith("application/problem+json")
        named = {error["field"] for error in response.json()["errors"]}
        assert set(in_path) | set(in_query) <= named, (method, path, named)
