"""A local DSA Transparency Database that answers ``POST /api/v1/statements`` as the Database documents it.

A real HTTP server (``http.server`` on a free port, in a thread) so that the client is tested over the wire:
it checks the bearer token (401), the batch of 1 to 100 statements (422 on ``statements``), every statement
against the Database's published field rules (422 with ``errors.statement_<i>``: nothing of the call is
stored), and the platform's ``puid`` uniqueness (422 with ``errors.existing_puids``); otherwise it stores the
call and answers 201 with the created statements, each with its ``uuid``. ``fail_next`` makes it answer 503 a
number of times, as a Database under maintenance would.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from accord.transparency.sor_rules import validate_statement


@dataclass
class Database:
    token: str
    stored: dict[str, str] = field(default_factory=dict)  # puid -> uuid
    calls: list[int] = field(default_factory=list)  # the number of statements in each call that got through auth
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, authorization: str | None, raw: bytes) -> tuple[int, dict[str, Any]]:
        if authorization != f"Bearer {self.token}":
            return 401, {"message": "Unauthenticated."}
        with self.lock:
            return self._answer(raw)

    def _answer(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        if self.fail_next > 0:
            self.fail_next -= 1
            return 503, {"message": "Service Unavailable"}
        try:
            statements = json.loads(raw).get("statements")
        except (ValueError, AttributeError):
            return 400, {"message": "Malformed JSON"}
        if not isinstance(statements, list) or not 1 <= len(statements) <= 100:
            message = "The statements field must have between 1 and 100 items."
            return 422, {"message": message, "errors": {"statements": [message]}}
        self.calls.append(len(statements))
        return self._store(statements)

    def _store(self, statements: list[Any]) -> tuple[int, dict[str, Any]]:
        errors: dict[str, Any] = {}
        for index, statement in enumerate(statements):
            problems: dict[str, list[str]] = {}
            for problem in validate_statement(statement):
                problems.setdefault(problem.field, []).append(problem.message)
            if problems:
                errors[f"statement_{index}"] = problems
        if errors:
            return 422, {"errors": errors}
        puids = [str(s["puid"]) for s in statements]
        existing = sorted({p for p in puids if p in self.stored or puids.count(p) > 1})
        if existing:
            message = "The platform identifier(s) are not all unique within this call."
            return 422, {"message": message, "errors": {"puid": [message], "existing_puids": existing}}
        created = []
        for statement in statements:
            self.stored[str(statement["puid"])] = str(uuid.uuid4())
            created.append({**statement, "uuid": self.stored[str(statement["puid"])], "platform_name": "Test"})
        return 201, {"statements": created}


class _Handler(BaseHTTPRequestHandler):
    database: Database

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/api/v1/statements":
            status, body = 404, {"message": "Not Found"}
        else:
            status, body = self.database.answer(self.headers.get("Authorization"), raw)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # the base class names it so
        return


class LocalDatabase:
    """``with LocalDatabase("token") as tdb: ... tdb.url ... tdb.database.stored``"""

    def __init__(self, token: str) -> None:
        self.database = Database(token)
        handler = type("Handler", (_Handler,), {"database": self.database})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalDatabase:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
