"""The guarded fetcher: private addresses, size and total time limits, and the address pinned once checked."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from accord import fetcher
from accord.errors import FetchRefused
from accord.fetcher import check_url, fetch
from accord.settings import Settings


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "40")
            self.end_headers()
            for _ in range(40):  # one byte every 50 ms: 2 s in all
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
            return
        body = (self.headers.get("Host") or "").encode()
        if self.path == "/big":
            body = b"y" * 5000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield int(httpd.server_address[1])
    httpd.shutdown()


def _settings(**kw: Any) -> Settings:
    return Settings(mode="test", database_url="sqlite://", **kw)


def test_private_addresses_are_refused_unless_allowed(server: int) -> None:
    with pytest.raises(FetchRefused, match="private"):
        fetch(f"http://127.0.0.1:{server}/", _settings(fetch_allow_private=False))
    with pytest.raises(FetchRefused, match="private"):
        check_url("http://localhost/", _settings(fetch_allow_private=False))
    assert fetch(f"http://127.0.0.1:{server}/", _settings(fetch_allow_private=True)).status == 200


def test_other_schemes_are_refused() -> None:
    with pytest.raises(FetchRefused, match="only http and https"):
        fetch("file:///etc/passwd", _settings(fetch_allow_private=True))


def test_size_limit(server: int) -> None:
    with pytest.raises(FetchRefused, match="larger than 1000 bytes"):
        fetch(f"http://127.0.0.1:{server}/big", _settings(fetch_allow_private=True, fetch_max_bytes=1000))


def test_a_dripping_answer_is_cut_off_at_the_total_time_limit(server: int) -> None:
    """Each byte arrives well within the per-read timeout; the whole answer does not (2 s against 0.5 s)."""
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="longer than the time limit"):
        fetch(f"http://127.0.0.1:{server}/drip", _settings(fetch_allow_private=True, fetch_timeout_seconds=0.5))
    assert time.monotonic() - started < 1.5


def test_the_connection_goes_to_the_address_that_was_checked(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name resolves to the checked address once, then to another. The fetch must use the
    first answer (and keep the name in the Host header), not resolve again when it connects."""
    real = socket.getaddrinfo
    answers = ["127.0.0.1", "10.255.255.1"]  # the second would hang or fail if it were used
    calls: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            address = answers[min(len(calls), 1)]
            calls.append(address)
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, server))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    # the guard is on, and for this test the loopback server stands in for a public host
    monkeypatch.setattr(fetcher, "_is_public", lambda address: address == "127.0.0.1")
    result = fetch(f"http://rebind.example:{server}/", _settings(fetch_allow_private=False, fetch_timeout_seconds=2))
    assert result.status == 200
    assert result.body == f"rebind.example:{server}".encode()  # the server saw the original name
    assert calls == ["127.0.0.1"]  # resolved once, by the guard
    assert result.url == f"http://rebind.example:{server}/"
