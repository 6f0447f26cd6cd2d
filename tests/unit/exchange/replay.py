"""Recorded HTTP answers replayed on a loopback server, so python-threatexchange's own exchange clients run
unchanged and offline: a cassette lists interactions (method, path, the query items a request must carry, the
answer); the first one that fits a request answers it. Every request is kept for the test to inspect."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

CASSETTES = Path(__file__).parents[2] / "data" / "exchanges"


@dataclass
class Replay:
    url: str
    interactions: list[dict[str, Any]]
    requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = field(default_factory=list)

    def answer(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.requests.append((method, parts.path, query, headers))
        for item in self.interactions:
            wanted = item["query"].items()
            if item["method"] == method and item["path"] == parts.path and all(query.get(k) == v for k, v in wanted):
                return int(item["status"]), json.dumps(item["body"]).encode()
        return 404, b'{"error": "not in the cassette"}'


@contextmanager
def replaying(cassette: str) -> Iterator[Replay]:
    """Serve ``tests/data/exchanges/<cassette>`` on a free loopback port."""
    interactions = json.loads((CASSETTES / cassette).read_text())["interactions"]
    replay = Replay("", interactions)

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            status, body = replay.answer(self.command, self.path, dict(self.headers))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _serve  # noqa: N815 (http.server's naming)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    replay.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()
