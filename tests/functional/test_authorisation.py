"""The authorisation matrix: every API route x every organisation kind x {no key, revoked key, another's key}.

Routes are discovered from the app, so a route added later is covered or fails until its path parameters are
named here. Objects to probe are rows of the migrated tables after seeding the demo world (and through the API
what it lacks): a row's parties are the organisations its columns refer to, directly or through its parent; an
organisation that is none of them gets 404 problem+json on every method, with a minimal valid body built from
the OpenAPI document so that validation does not answer first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Table, select
from sqlalchemy.orm import Session, sessionmaker

from accord import demo
from accord.app import UI_ROUTERS
from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.db import unit_of_work
from accord.identity import service as identity
from accord.identity.models import ORG_KINDS, Organisation
from accord.models import metadata
from accord.settings import Settings
from tests.factories import TEST_ACTOR, make_org, make_orgs

# Routes anyone may call without a key, by design (and documented in docs/decisions.md).
PUBLIC = re.compile(r"^/v1/public/")
# Routes whose objects are shared by design with every organisation on the instance.
SHARED_BY_DESIGN = re.compile(r"^/v1/(organisations|incidents|library|exchange)")
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI contract under /v1 that is not public by design."""
    routes: list[tuple[str, str]] = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/v1") and not PUBLIC.match(path):
            routes.extend((method.upper(), path) for method in sorted(operations) if method != "head")
    return routes


def _fill(path: str, value: str) -> str:
    return _PARAM.sub(value, path)


def test_every_route_refuses_missing_and_revoked_keys(app: FastAPI, client: TestClient,
                                                       factory: sessionmaker[Session], clock: FrozenClock) -> None:
    orgs = make_orgs(factory, clock)
    revoked = {}
    with unit_of_work(factory) as session:
        for kind, org in orgs.items():
            key, plain = identity.create_key(session, clock, TEST_ACTOR, org_id=org.id)
            identity.revoke_key(session, clock, TEST_ACTOR, key_ref=key.id, org_id=org.id)
            revoked[kind] = plain
    routes = api_routes(app)
    assert len(routes) >= 10
    for method, path in routes:
        url = _fill(path, "x_missing")
        anonymous = client.request(method, url, json={})
        assert anonymous.status_code == 401, f"{method} {path} without a key answered {anonymous.status_code}"
        assert anonymous.headers["content-type"].startswith("application/problem+json")
        for kind in ORG_KINDS:
            response = client.request(method, url, json={}, headers={"Authorization": f"Bearer {revoked[kind]}"})
            assert response.status_code == 401, f"{method} {path} with a revoked {kind} key: {response.status_code}"


def test_every_route_answers_every_kind_without_server_errors(app: FastAPI, client: TestClient,
                                                               factory: sessionmaker[Session],
                                                               clock: FrozenClock) -> None:
    orgs = make_orgs(factory, clock)
    for method, path in api_routes(app):
        for kind, org in orgs.items():
            response = client.request(method, _fill(path, "x_missing"), json={}, headers=org.headers)
            assert response.status_code < 500, f"{method} {path} as {kind}: {response.status_code} {response.text}"
            if "{" in path and response.status_code < 300 and method != "GET":
                pytest.fail(f"{method} {path} as {kind} changed an object that does not exist")


def _parties(session: Session, org_ids: set[str]) -> dict[str, set[str]]:
    """subject id → organisations named by any event about it (test_rights_authorisation's probes); objects
    shared with all (an event with ``"visibility": "all"``, such as a bank shared with all) are left out."""
    parties: dict[str, set[str]] = defaultdict(set)
    shared: set[str] = set()
    for event in session.scalars(select(AuditEvent).where(AuditEvent.subject.is_not(None))):
        assert event.subject is not None
        if event.payload.get("visibility") == "all":
            shared.add(event.subject)
        named = {v for v in _values(event.payload) if v in org_ids}
        parties[event.subject] |= named | ({event.org_id} if event.org_id else set())
    return {subject: owners for subject, owners in parties.items() if subject not in shared}


def _values(payload: Any) -> list[str]:
    if isinstance(payload, dict):
        return [v for item in payload.values() for v in _values(item)]
    if isinstance(payload, list):
        return [v for item in payload for v in _values(item)]
    return [payload] if isinstance(payload, str) else []


# Path parameters that name no object of one organisation, each with the reason; every other parameter must be
# resolved by OBJECTS below, so a route added later fails here until it is probed or listed.
ORG_AGNOSTIC: dict[str, str] = {
    "subject_kind": "/v1/strikes answers the caller's own DSA Art. 23 record of an uploader or a notifier: the "
                    "same subject reference at another provider is another record, and an unknown one is empty",
    "subject_ref": "see subject_kind",
}
# Parameters that choose among a route's fixed words rather than name an object: probed with each word.
WORDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("/v1/banks/", "action"): ("disable", "enable", "confirm", "reject"),
    ("/v1/campaigns/", "name"): ("rates", "messengers", "formats"),
}

# parameter → (table, column holding the value); a parameter after another on the path names a row of a table
# with a foreign key to the first one's table (a review of that notice, an entry of that bank ...).
OBJECTS: dict[str, tuple[str, str]] = {
    "key_id": ("api_keys", "id"),
    "endpoint_id": ("webhook_endpoints", "id"),
    "job_id": ("jobs", "id"),
    "notice_id": ("notices", "id"),
    "instruction_id": ("reinstatement_instructions", "id"),
    "case_id": ("cases", "id"),
    "statement_id": ("case_statements", "id"),
    "name": ("banks", "name"),
    "entry_id": ("bank_entries", "id"),
    "policy_id": ("policies", "id"),
    "number": ("policy_versions", "number"),
    "task_id": ("policy_review_tasks", "id"),
    "complaint_id": ("rights_complaints", "id"),
    "item_id": ("rights_preserved_items", "id"),
    "dispute_id": ("oot_disputes", "id"),
    "campaign_id": ("campaigns", "id"),
    "day_id": ("action_days", "id"),
    "blocklist_id": ("blocklists", "id"),
    "appeal_id": ("blocklist_appeals", "id"),
    "order_id": ("evidence_orders", "id"),
    "package_id": ("evidence_packages", "id"),
    "set_id": ("training_golden_sets", "id"),
    "golden_case_id": ("training_golden_cases", "id"),
    "drill_id": ("readiness_drills", "id"),
    "exercise_id": ("readiness_exercises", "id"),
    "scan_id": ("scans", "id"),
}
# Parameters whose table depends on the route.
ROUTE_OBJECTS: dict[tuple[str, str], tuple[str, str]] = {
    ("/v1/notices/", "review_id"): ("order_reviews", "id"),
    ("/v1/quality/", "review_id"): ("case_quality_reviews", "id"),
    ("/v1/exposure-decisions/", "decision_id"): ("exposure_decisions", "id"),
    ("/v1/blocklists/", "entry_id"): ("blocklist_entries", "id"),
}


def _table_for(path: str, param: str) -> tuple[str, str] | None:
    for (prefix, name), found in ROUTE_OBJECTS.items():
        if name == param and path.startswith(prefix):
            return found
    return OBJECTS.get(param)


def _owners(session: Session, table: Table, row: Any) -> set[str]:
    """The organisations a row belongs to: its columns referring to organisations, and its parent's owners
    (a campaign's variant is its campaign's organisation's)."""
    owners: set[str] = set()
    for column in table.columns:
        for fk in column.foreign_keys:
            value = row._mapping[column.name]
            if value is None:
                continue
            if fk.column.table.name == "organisations":
                owners.add(value)
            else:
                parent = fk.column.table
                parent_row = session.execute(select(parent).where(fk.column == value)).first()
                if parent_row is not None:
                    owners |= _owners(session, parent, parent_row)
    return owners


@dataclass(frozen=True)
class Probe:
    """One object (one value per path parameter) of one or more organisations."""
    values: dict[str, str]
    owners: frozenset[str]


def _with_words(path: str) -> list[str]:
    """``path`` with each of its fixed-word parameters filled in, one path per word."""
    for (prefix, param), words in WORDS.items():
        if path.startswith(prefix) and f"{{{param}}}" in path:
            return [path.replace(f"{{{param}}}", word) for word in words]
    return [path]


def _probes(session: Session, path: str, per_route: int = 2) -> list[Probe] | str:
    """Objects to put in ``path``'s parameters, or why the route names no object of one organisation."""
    params = _PARAM.findall(path)
    tables = [(p, _table_for(path, p)) for p in params]
    if any(t is None for _, t in tables):
        agnostic = [p for p, t in tables if t is None and p in ORG_AGNOSTIC]
        unknown = [p for p, t in tables if t is None and p not in ORG_AGNOSTIC]
        assert not unknown, f"{path}: say in OBJECTS or ORG_AGNOSTIC what {unknown} names"
        return ORG_AGNOSTIC[agnostic[0]]
    (first, (first_table, first_column)), *rest = tables  # type: ignore[misc]
    table = metadata.tables[first_table] if not rest else metadata.tables[rest[-1][1][0]]  # type: ignore[index]
    query = select(table)
    if "visibility" in table.c:  # a bank or golden set shared with every organisation is no one's
        query = query.where(table.c.visibility != "all")
    probes = []
    for row in session.execute(query.limit(max(50, per_route))):
        values = {}
        if rest:
            (child_param, (_, child_column)), = rest  # type: ignore[misc]
            parent = metadata.tables[first_table]
            fk = next(fk for c in table.columns for fk in c.foreign_keys if fk.column.table is parent)
            parent_row = session.execute(select(parent).where(fk.column == row._mapping[fk.parent.name])).first()
            if parent_row is None or parent_row._mapping.get("visibility") == "all":
                continue
            values = {first: str(parent_row._mapping[first_column]), child_param: str(row._mapping[child_column])}
        else:
            values = {first: str(row._mapping[first_column])}
        owners = _owners(session, table, row)
        if owners:
            probes.append(Probe(values, frozenset(owners)))
        if len(probes) >= per_route:
            break
    return probes


def _minimal(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """The smallest value ``schema`` accepts (its required fields only), so that a request reaches the lookup of
    its object instead of stopping at validation: what a caller who knows the API would send."""
    if "$ref" in schema:
        return _minimal(document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], document)
    for choice in ("anyOf", "oneOf", "allOf"):
        if choice in schema:
            options = [o for o in schema[choice] if o.get("type") != "null"]
            return _minimal(options[0], document)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema or "const" in schema:
        return schema.get("enum", [schema.get("const")])[0]
    if schema.get("type") == "object":
        return {name: _minimal(schema["properties"][name], document) for name in schema.get("required", [])}
    if schema.get("type") == "array":
        return [_minimal(schema.get("items", {}), document) for _ in range(schema.get("minItems", 0))]
    return _minimal_scalar(schema)


def _minimal_scalar(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return schema.get("minimum", 0.5)
    if kind == "boolean":
        return True
    formats = {"date-time": "2026-04-01T10:00:00Z", "date": "2026-04-01", "uri": "https://example.org/x",
               "email": "someone@example.org"}
    return formats.get(schema.get("format", ""), "x" * max(schema.get("minLength", 1), 2))


# Fields whose valid values the schema does not say (a plain string checked by the service): a word it accepts.
VALID_FIELDS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/v1/notices/{notice_id}/scrutiny"): {"action": "request"},
    ("POST", "/v1/cases/{case_id}/escalate"): {"to": "senior"},
}


def _request(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    """The minimal body and required query parameters of an operation, as keyword arguments of a request."""
    operation = document["paths"][path][method.lower()]
    query = {p["name"]: _minimal(p["schema"], document) for p in operation.get("parameters", [])
             if p["in"] == "query" and p.get("required")}
    content = operation.get("requestBody", {}).get("content", {})
    body = _minimal(content["application/json"]["schema"], document) if "application/json" in content else {}
    if isinstance(body, dict):
        body |= VALID_FIELDS.get((method, path), {})
    return {"params": query, "json": body}


def _url(path: str, values: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: values[m.group(1)], path)


def _seed_the_rest(client: TestClient, factory: sessionmaker[Session], clock: FrozenClock,
                   keys: dict[str, tuple[str, str]], document: dict[str, Any]) -> None:
    """Through the API, what the demo world holds none of: a webhook endpoint, an exposure decision, an
    out-of-court dispute and a reinstatement instruction (a court annulled an order)."""
    decisions, orgs = metadata.tables["case_decisions"], metadata.tables["organisations"]
    with unit_of_work(factory) as session:
        row = session.execute(select(decisions.c.id, decisions.c.provider_id, orgs.c.country)
                              .join(orgs, orgs.c.id == decisions.c.provider_id)).first()
        assert row is not None
        decision_id, provider_id, country = row
        host = make_org(session, clock, "authority", country=country)  # the provider's host authority
    keys[host.id] = ("authority", host.key)
    authority = host.key
    provider = {"Authorization": f"Bearer {keys[provider_id][1]}"}
    calls = [
        ("/v1/webhooks", {"url": "https://hooks.example.org/accord"}, provider),
        ("/v1/exposure-decisions", {"provider_id": provider_id, "reasons": "two final removal orders in 12 months"},
         {"Authorization": f"Bearer {authority}"}),
        ("/v1/disputes", {"decision_id": decision_id, "body_name": "ODS Europe", "certified_by": "FR"}, provider),
    ]
    for url, body, headers in calls:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 201, f"{url}: {response.text}"
    reviews = metadata.tables["order_reviews"]
    with unit_of_work(factory) as session:
        notice_id, reviewer = session.execute(select(reviews.c.notice_id, reviews.c.provider_id)).one()
    provider = {"Authorization": f"Bearer {keys[reviewer][1]}"}
    body = _request(document, "/v1/notices/{notice_id}/reviews", "POST")["json"] | {"filed_on": "2026-03-01"}
    review = client.post(f"/v1/notices/{notice_id}/reviews", headers=provider, json=body)
    assert review.status_code == 201, review.text
    annulled = client.post(f"/v1/notices/{notice_id}/reviews/{review.json()['id']}/outcome", headers=provider,
                           json={"outcome": "annulled", "reasons": "the court annulled the order"})
    assert annulled.status_code == 200, annulled.text  # a reinstatement instruction for the provider


def seed_world(app: FastAPI, client: TestClient, factory: sessionmaker[Session], clock: FrozenClock,
               settings: Settings) -> dict[str, tuple[str, str]]:
    """The demo world and what it lacks; returns organisation id → (kind, API key) of every organisation."""
    with unit_of_work(factory) as session:
        assert demo.seed(session, clock, settings) is not None
        keys = {org.id: (org.kind, identity.create_key(session, clock, TEST_ACTOR, org_id=org.id)[1])
                for org in session.scalars(select(Organisation))}
    _seed_the_rest(client, factory, clock, keys, app.openapi())
    return keys


@dataclass
class Findings:
    probed: int = 0
    failures: list[str] = field(default_factory=list)
    unprobed: list[str] = field(default_factory=list)


def _object_routes(app: FastAPI, only: re.Pattern[str] | None) -> tuple[dict[str, list[str]],
                                                                        dict[tuple[str, str], dict[str, Any]]]:
    """path → its methods, for every route naming an object; (path, method) → the request to send."""
    document = app.openapi()
    routes: dict[str, list[str]] = defaultdict(list)
    requests: dict[tuple[str, str], dict[str, Any]] = {}
    for method, route in api_routes(app):
        if _PARAM.search(route) and not SHARED_BY_DESIGN.match(route) and (only is None or only.match(route)):
            for path in _with_words(route):
                routes[path].append(method)
                requests[path, method] = _request(document, route, method)
    return routes, requests


def probe_outsiders(app: FastAPI, client: TestClient, factory: sessionmaker[Session], clock: FrozenClock,
                    keys: dict[str, tuple[str, str]], only: re.Pattern[str] | None = None,
                    per_route: int = 2) -> Findings:
    """Every route naming an object (those ``only`` matches), every declared method, up to ``per_route``
    objects each, asked by a new organisation of every kind that is no party to anything."""
    outsiders = make_orgs(factory, clock)
    routes, requests = _object_routes(app, only)
    with unit_of_work(factory) as session:
        plans = {path: _probes(session, path, per_route) for path in routes}
    found = Findings()
    for path, methods in routes.items():
        plan = plans[path]
        if isinstance(plan, str):
            continue  # a parameter named in ORG_AGNOSTIC, with its reason
        if not plan:
            found.unprobed.append(path)
        for probe in plan:
            kinds = {keys[owner][0] for owner in probe.owners}
            missing_url = _url(path, {k: "999999" if v.isdigit() else "x_missing" for k, v in probe.values.items()})
            for method in methods:
                for kind, outsider in outsiders.items():
                    sent = {"headers": outsider.headers, **requests[path, method]}
                    missing = client.request(method, missing_url, **sent)
                    response = client.request(method, _url(path, probe.values), **sent)
                    found.probed += 1
                    problem = _outsider_problem(response, missing, same_kind=kind in kinds)
                    if problem:
                        found.failures.append(f"{kind} outsider, {method} {_url(path, probe.values)} "
                                              f"(of {sorted(kinds)}): {problem}")
    return found


def _outsider_problem(response: httpx.Response, missing: httpx.Response, *, same_kind: bool) -> str | None:
    """What is wrong with an outsider's answer: an organisation of the owner's kind must get 404 problem+json
    (unless the route is one its kind may never call, e.g. an operator's acknowledgement asked by an authority:
    then, as for any other kind, the very answer a missing object gets, 403, which tells nothing)."""
    if not response.headers["content-type"].startswith("application/problem+json"):
        return f"{response.status_code} {response.headers['content-type']}"
    if same_kind and missing.status_code == 404 and response.status_code != 404:
        return f"{response.status_code} {response.text[:200]}"
    if (response.status_code, response.json().get("title")) != (missing.status_code, missing.json().get("title")):
        return f"{response.status_code} {response.text[:200]}; a missing one: {missing.status_code}"
    return None


def test_no_organisation_reaches_another_organisations_objects(
    app: FastAPI, client: TestClient, factory: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    """Every route naming an object, every declared method: an organisation that is no party to the object gets
    the 404 problem+json a missing object gets (or, on a route its kind may not call at all, the same refusal
    as for a missing object) — never the object, never a sign that it exists."""
    keys = seed_world(app, client, factory, clock, settings)
    found = probe_outsiders(app, client, factory, clock, keys)
    assert not found.failures, "\n".join(found.failures)
    assert not found.unprobed, f"no object in the world for {found.unprobed}"
    assert found.probed > 500


def capability_routes() -> list[tuple[str, str]]:
    """Every page opened by a capability token instead of a key or a login (``/status/{token}``, ...)."""
    found: list[tuple[str, str]] = []
    for router in UI_ROUTERS:
        for route in router.routes:
            path, methods = getattr(route, "path", ""), getattr(route, "methods", None) or set()
            if "{token}" in path:
                found.extend((method, path) for method in sorted(methods) if method != "HEAD")
    return found


def test_capability_pages_open_nothing_without_their_token(app: FastAPI, client: TestClient,
                                                           factory: sessionmaker[Session], clock: FrozenClock,
                                                           settings: Settings) -> None:
    with unit_of_work(factory) as session:
        world = demo.seed(session, clock, settings)
        assert world is not None and world.links
        key = identity.create_key(session, clock, TEST_ACTOR, org_id=world.orgs["smallvideo"].id)[1]
    routes = capability_routes()
    assert ("GET", "/status/{token}") in routes
    for method, path in routes:
        for token in ("x", "A" * 32, world.links[0][1].rsplit("/", 1)[1][:-1]):
            response = client.request(method, _fill(path, token), data={"statement": "x"},
                                      headers={"Authorization": f"Bearer {key}"})
            assert response.status_code == 404, f"{method} {path} opened {token!r}: {response.status_code}"
    assert client.get(world.links[0][1].removeprefix(settings.public_base_url)).status_code == 200
