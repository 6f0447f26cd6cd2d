from __future__ import annotations

import pytest

from accord.errors import InvalidInput
from accord.signals import normalise_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Example.COM", "http://www.example.com/"),
        ("http://example.com:80/Path", "http://example.com/Path"),
        ("https://example.com:8443/", "https://example.com:8443/"),
        ("https://user:pw@example.com/x", "https://example.com/x"),
        ("https://example.com/x?utm_medium=a&UTM_campaign=b&fbclid=c&q=1", "https://example.com/x?q=1"),
        ("https://example.com/x?b=2&a=1&a=0", "https://example.com/x?a=0&a=1&b=2"),
        ("https://example.com./x#frag", "https://example.com/x"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://[2001:DB8::1]:443/", "https://[2001:db8::1]/"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url) == expected
    assert normalise_url(expected) == expected


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "mailto:a@b.c", "https:///nohost", "x" * 5000])
def test_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_url(url)
