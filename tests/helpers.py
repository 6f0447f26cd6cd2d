"""Test helpers: a local HTTP receiver for webhook tests (records what arrives, answers with a chosen status),
and the JSON lines a CLI command printed."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    status: int = 200
    hold: threading.Event | None = None  # when set, requests wait until it is released
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


def json_lines(output: str) -> list[dict[str, object]]:
    """The JSON lines a command printed."""
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def ui_login(client: Any, email: str, password: str, **kwargs: Any) -> Any:
    """Log in through the UI's form as a browser does: fetch the form (its CSRF token and cookie), then post it.
    ``client`` is a TestClient or an httpx.Client; returns the answer to the post."""
    page = client.get("/ui/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None, "the login form carries no CSRF token"
    return client.post("/ui/login", data={"email": email, "password": password, "csrf_token": match.group(1)},
                       **kwargs)
