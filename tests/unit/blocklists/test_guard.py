"""The over-blocking guard, alone: shared platforms, public suffixes, addresses."""

from __future__ import annotations

import pytest

from accord.blocklists import guard
from accord.errors import InvalidInput, OverBlocking
from accord.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(blocklist_shared_platforms=["youtube.com", "drive.google.com"],
                    blocklist_shared_ips=["104.16.0.0/13", "2606:4700::/32"])


@pytest.mark.parametrize("name", ["youtube.com", "m.youtube.com", "drive.google.com", "a.b.drive.google.com"])
def test_a_shared_platform_and_what_lies_under_it_are_refused(settings: Settings, name: str) -> None:
    with pytest.raises(OverBlocking, match="send a removal order"):
        guard.check_domain(settings, name, subdomains=False)


def test_a_parent_of_a_shared_platform_is_refused_only_with_its_subdomains(settings: Settings) -> None:
    with pytest.raises(OverBlocking, match=r"drive\.google\.com"):
        guard.check_domain(settings, "google.com", subdomains=True)
    guard.check_domain(settings, "google.com", subdomains=False)  # the apex name alone blocks no platform


def test_a_lookalike_is_not_a_platform(settings: Settings) -> None:
    guard.check_domain(settings, "notyoutube.com", subdomains=True)
    guard.check_domain(settings, "youtube.com.propaganda.example", subdomains=True)


@pytest.mark.parametrize("name", ["co.uk", "com", "blogspot.com", "github.io", "gouv.fr"])
def test_public_suffixes_are_refused(settings: Settings, name: str) -> None:
    with pytest.raises(OverBlocking, match="public suffix"):
        guard.check_domain(settings, name, subdomains=False)


def test_the_default_list_holds_the_largest_shared_platforms() -> None:
    defaults = Settings().blocklist_shared_platforms
    for platform in ("youtube.com", "drive.google.com", "cloudflare.com", "mega.nz", "t.me", "x.com",
                     "facebook.com", "tiktok.com", "archive.org", "cloudfront.net", "akamaihd.net", "fastly.net"):
        assert platform in defaults


@pytest.mark.parametrize(("value", "expected"), [("Propaganda.Example.", "propaganda.example"),
                                                 ("bücher.example", "xn--bcher-kva.example")])
def test_names_are_normalised(value: str, expected: str) -> None:
    assert guard.normalise_domain(value) == expected


@pytest.mark.parametrize("value", ["localhost", "-bad.example", "a..example", "http://x.example", "x" * 64 + ".org"])
def test_what_is_not_a_host_name_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput):
        guard.normalise_domain(value)


def test_addresses_need_a_reason_and_a_range_of_their_own(settings: Settings) -> None:
    with pytest.raises(OverBlocking, match="ip_reason"):
        guard.check_ip(settings, "9.9.9.10", None)
    with pytest.raises(OverBlocking, match="hosts many sites"):
        guard.check_ip(settings, "104.17.3.4", "dedicated")
    with pytest.raises(OverBlocking, match="hosts many sites"):
        guard.check_ip(settings, "2606:4700::1111", "dedicated")
    with pytest.raises(OverBlocking, match="not a public address"):
        guard.check_ip(settings, "10.1.2.3", "dedicated")
    guard.check_ip(settings, "9.9.9.10", "reverse lookup: one site; the host confirms a dedicated server")
