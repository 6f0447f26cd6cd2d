"""URL normalisation, so that trivially different spellings of one address match as one signal.

The notices package reuses ``normalise_url`` to compare the URLs named in removal orders and referrals.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from accord.errors import InvalidInput

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl"}
)
MAX_URL_LENGTH = 4096


def normalise_url(url: str) -> str:
    """Lowercase scheme and host, drop default port, credentials, fragment and tracking parameters, sort query.

    Only ``http`` and ``https`` URLs with a host are accepted; anything else raises ``InvalidInput``.
    """
    text = url.strip()
    if not text or len(text) > MAX_URL_LENGTH:
        raise InvalidInput(f"a URL has 1 to {MAX_URL_LENGTH} characters", field="value")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"the URL is malformed: {exc}", field="value") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidInput("only http and https URLs are accepted", field="value")
    host = _normalise_host(parts.hostname or "")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", _normalise_query(parts.query), ""))


def _normalise_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise InvalidInput("the URL has no host", field="value")
    if ":" in host:  # an IPv6 literal keeps its brackets
        return f"[{host}]"
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(f"the URL host {host!r} is not a valid domain name", field="value") from None


def _normalise_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS]
    return urlencode(sorted(kept))
