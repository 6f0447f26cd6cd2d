"""A load generator for the notices benchmark: standard library only, so that a client process starts in
milliseconds instead of importing Accord (which cost each spawned client about 2-3 s of the shared cores,
inside the measured window, in earlier runs).

Each client process opens ``threads`` kept-alive raw sockets, waits at a barrier until every client is
connected, POSTs removal orders until ``seconds`` have passed, and reports what it sent and the CPU it used.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Load:
    base: str
    key: str
    providers: list[str]
    order: dict[str, Any]
    seconds: float
    threads: int


@dataclass(frozen=True)
class Sent:
    ok: int
    failed: int
    started: float  # time.monotonic() at the barrier (shared by every process on the machine)
    ended: float
    cpu_seconds: float  # this client process's own CPU while sending


def read_status(sock: socket.socket) -> int:
    """Read one HTTP/1.1 answer with a Content-Length from a kept-alive socket; return its status."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(rest) < length:
        rest += sock.recv(65536)
    return int(head[9:12])


def client(load: Load, index: int, barrier: Any, results: Any) -> None:
    """One client process (a ``multiprocessing`` target): its ``Sent`` goes on ``results``."""
    address = urlsplit(load.base)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    sockets = [socket.create_connection((host, port), timeout=30) for _ in range(load.threads)]
    head = (f"POST /v1/notices HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {load.key}\r\n"
            "Content-Type: application/json\r\n")
    counts = [[0, 0] for _ in range(load.threads)]
    barrier.wait()
    cpu_before, started = time.process_time(), time.monotonic()
    stop = started + load.seconds

    def loop(thread: int) -> None:
        sock, n = sockets[thread], 0
        while time.monotonic() < stop:
            n += 1
            body = json.dumps({**load.order, "provider_id": load.providers[n % len(load.providers)],
                               "reference": f"B-{index}-{thread}-{n}",
                               "urls": [f"https://h.example/{index}/{thread}/{n}"]}).encode()
            sock.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
            counts[thread][0 if read_status(sock) == 201 else 1] += 1
        sock.close()

    workers = [threading.Thread(target=loop, args=(t,)) for t in range(load.threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(Sent(ok=sum(c[0] for c in counts), failed=sum(c[1] for c in counts), started=started,
                     ended=time.monotonic(), cpu_seconds=time.process_time() - cpu_before))
