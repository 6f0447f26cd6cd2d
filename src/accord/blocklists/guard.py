"""The over-blocking guard: what an entry would really block, checked before it goes live.

DNS blocking acts on a whole name and everything under it; blocking a shared platform (a video site, a file
host, a CDN) or a public suffix blocks millions of lawful pages, and blocking an address blocks every site it
hosts (Italy's Piracy Shield blocked a CDN address and a major file-sharing domain). The guard refuses such
entries with an ``OverBlocking`` error whose detail says what to do instead.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from accord.errors import InvalidInput, OverBlocking
from accord.settings import Settings

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
REMOVAL_ORDER = ("send a removal order (TCO Art. 3) or a referral to the platform for the content itself; "
                 "blocking the platform would block every lawful page it hosts")


@cache
def _psl() -> PublicSuffixList:
    """The Public Suffix List shipped with ``publicsuffixlist`` (ICANN and private sections)."""
    return PublicSuffixList()


def normalise_domain(value: str) -> str:
    """Lower case, no trailing dot, IDNA (punycode) labels; refuses anything that is not a host name."""
    name = value.strip().rstrip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(f"{value!r} is not a domain name", field="value") from None
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidInput(f"{value!r} is not a domain name such as example.org", field="value")
    return name


def normalise_url(value: str) -> tuple[str, str]:
    """The URL as given (trimmed) and its host name."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{value!r} is not an http(s) URL", field="value")
    return value.strip(), normalise_domain(parts.hostname)


def normalise_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise InvalidInput(f"{value!r} is not an IPv4 or IPv6 address", field="value") from None


def _within(name: str, parent: str) -> bool:
    return name == parent or name.endswith("." + parent)


def shared_platform(settings: Settings, name: str, *, subdomains: bool) -> str | None:
    """The shared platform ``name`` would block: itself or one under it (a parent with its subdomains)."""
    for platform in settings.blocklist_shared_platforms:
        platform = platform.strip().rstrip(".").lower()
        if _within(name, platform) or (subdomains and _within(platform, name)):
            return platform
    return None


def check_domain(settings: Settings, name: str, *, subdomains: bool) -> None:
    """Refuse a public suffix (``co.uk``, ``blogspot.com``) and a shared platform or CDN."""
    if _psl().is_public(name):
        raise OverBlocking(f"{name} is a public suffix: blocking it blocks every site registered under it; list "
                           "the registrable domain of the site itself", field="value")
    platform = shared_platform(settings, name, subdomains=subdomains)
    if platform is not None:
        raise OverBlocking(f"{name} would block the shared platform {platform}: {REMOVAL_ORDER}", field="value",
                           platform=platform)


def check_ip(settings: Settings, address: str, ip_reason: str | None) -> None:
    """An address only with an explicit reason why it hosts no other site, never a shared or special one."""
    ip = ipaddress.ip_address(address)
    if not ip.is_global:
        raise OverBlocking(f"{address} is not a public address; nothing on the Internet is reached there",
                           field="value")
    for network in settings.blocklist_shared_ips:
        if ip in ipaddress.ip_network(network, strict=False):
            raise OverBlocking(f"{address} belongs to {network}, which hosts many sites (a CDN or shared hosting): "
                               f"{REMOVAL_ORDER}; or block the site's own domain name", field="value",
                               network=network)
    if not (ip_reason or "").strip():
        raise OverBlocking(f"an address such as {address} may host other sites: say in ip_reason why this one "
                           "hosts only the listed site (e.g. a reverse lookup and the hosting contract), or block "
                           "the site's domain name instead", field="ip_reason")
