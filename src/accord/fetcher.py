"""The guarded fetcher: the only way Accord reaches out to a URL it was given.

Refuses schemes other than http(s), hosts that resolve to private, loopback, link-local or reserved addresses
(unless ``fetch_allow_private``), bodies over ``fetch_max_bytes`` and answers slower than
``fetch_timeout_seconds``. Redirects are followed by hand, each hop checked again.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from accord.errors import FetchRefused
from accord.settings import Settings

MAX_REDIRECTS = 3


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


def check_url(url: str, settings: Settings) -> None:
    """Raise FetchRefused unless ``url`` may be fetched under the settings."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(f"only http and https URLs with a host can be fetched: {url!r}", field="url")
    if settings.fetch_allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchRefused(f"cannot resolve {parts.hostname!r}", field="url") from exc
    for info in infos:
        if not _is_public(str(info[4][0])):
            raise FetchRefused(f"{parts.hostname!r} resolves to a private or reserved address", field="url")


def _read_limited(response: httpx.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchRefused(f"the answer is larger than {limit} bytes", field="url")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(
    url: str,
    settings: Settings,
    *,
    method: str = "GET",
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> FetchResult:
    """Fetch ``url`` within the guard; network failures become FetchRefused with the reason."""
    timeout = httpx.Timeout(settings.fetch_timeout_seconds)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, settings)
            try:
                with client.stream(method, url, content=content, headers=headers) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        method, content = "GET", None
                        continue
                    body = _read_limited(response, settings.fetch_max_bytes)
                    return FetchResult(url, response.status_code, dict(response.headers), body)
            except httpx.HTTPError as exc:
                raise FetchRefused(f"fetching {url} failed: {exc.__class__.__name__}", field="url") from exc
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects", field="url")
