"""The guarded fetcher: the only way Accord reaches out to a URL it was given.

Refuses schemes other than http(s), hosts that resolve to private, loopback, link-local or reserved addresses
(unless ``fetch_allow_private``), bodies over ``fetch_max_bytes`` and fetches that take longer than
``fetch_timeout_seconds`` in all (a server dripping bytes is cut off too). Redirects are followed by hand, each
hop checked again. The host is resolved once per hop and the connection goes to the address that was checked
(the request carries the original ``Host`` and, for https, the original name for SNI and certificate checks),
so a resolver that answers differently a moment later (DNS rebinding) cannot point the fetch elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket
import time
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
    _check_scheme(url)
    if not settings.fetch_allow_private:
        _checked_address(url, settings)


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(f"only http and https URLs with a host can be fetched: {url!r}", field="url")


def _checked_address(url: str, settings: Settings) -> str:
    """Resolve the URL's host once; every address must be public (unless allowed); return the first."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchRefused(f"cannot resolve {host!r}", field="url") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not settings.fetch_allow_private and not all(_is_public(a) for a in addresses):
        raise FetchRefused(f"{host!r} resolves to a private or reserved address", field="url")
    if not addresses:
        raise FetchRefused(f"cannot resolve {host!r}", field="url")
    return addresses[0]


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL aimed at ``address``, the ``Host`` header and the request extensions that keep the name."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    target = parts._replace(netloc=netloc).geturl()
    host_header = f"{host}:{parts.port}" if parts.port else host
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return target, {"Host": host_header}, extensions


def _read_limited(response: httpx.Response, limit: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchRefused(f"the answer is larger than {limit} bytes", field="url")
        if time.monotonic() > deadline:
            raise FetchRefused("the answer took longer than the time limit", field="url")
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
    deadline = time.monotonic() + settings.fetch_timeout_seconds
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            _check_scheme(url)
            target, pin, extensions = _pinned(url, _checked_address(url, settings))
            try:
                with client.stream(method, target, content=content, headers={**(headers or {}), **pin},
                                   extensions=extensions) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        method, content = "GET", None
                        continue
                    body = _read_limited(response, settings.fetch_max_bytes, deadline)
                    return FetchResult(url, response.status_code, dict(response.headers), body)
            except httpx.HTTPError as exc:
                raise FetchRefused(f"fetching {url} failed: {exc.__class__.__name__}", field="url") from exc
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects", field="url")
