"""The exports, alone: an RPZ zone a resolver accepts (dnspython parses it as a zone), hosts, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import dns.zone
import pytest

from accord.blocklists import exports
from accord.blocklists.models import Blocklist, BlocklistEntry
from accord.errors import InvalidInput
from accord.settings import Settings

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _list(**overrides: object) -> Blocklist:
    fields: dict[str, object] = {"id": "bl_1", "authority_id": "org_1", "overseer_id": None, "name": "FR DNS",
                                 "kind": "dns_block", "legal_basis": "Décret 2015-253", "action": "nxdomain",
                                 "stop_host": None, "review_required": False, "default_expiry_days": 90,
                                 "max_expiry_days": 365, "reexamine_days": 91, "serial": 7, "created_at": NOW,
                                 "changed_at": NOW, **overrides}
    return Blocklist(**fields)


def _entry(value: str, kind: str = "domain", subdomains: bool = False) -> BlocklistEntry:
    return BlocklistEntry(id=f"ble_{value}", blocklist_id="bl_1", type=kind, value=value, subdomains=subdomains,
                          reason="r", state="active", starts_at=NOW, expires_at=NOW + timedelta(days=90))


def _export(blocklist: Blocklist, *entries: BlocklistEntry) -> exports.Export:
    return exports.Export(blocklist, "Referral Unit", entries, NOW, Settings())


def test_the_rpz_zone_parses_with_its_serial_and_its_triggers() -> None:
    text = exports.rpz(_export(_list(), _entry("propaganda.example", subdomains=True), _entry("one.example"),
                               _entry("9.9.9.10", "ip"), _entry("2001:db8::1", "ip")))
    origin = "fr-dns.rpz.accord.invalid."
    zone = dns.zone.from_text(text, origin=origin, relativize=False)
    assert zone.find_rdataset(origin, "SOA")[0].serial == 7
    names = {str(name) for name in zone.nodes}
    assert {f"propaganda.example.{origin}", f"*.propaganda.example.{origin}", f"one.example.{origin}",
            f"32.10.9.9.9.rpz-ip.{origin}", f"128.1.0.0.0.0.0.db8.2001.rpz-ip.{origin}"} <= names
    assert f"*.one.example.{origin}" not in names
    assert str(zone.find_rdataset(f"one.example.{origin}", "CNAME")[0].target) == "."


def test_a_stop_page_list_points_at_its_stop_host() -> None:
    text = exports.rpz(_export(_list(action="stop_page", stop_host="stop.example.gouv"),
                               _entry("propaganda.example", subdomains=True)))
    assert "propaganda.example CNAME stop.example.gouv.\n*.propaganda.example CNAME stop.example.gouv.\n" in text


def test_a_delisting_list_has_no_zone_but_csv_and_json() -> None:
    export = _export(_list(kind="search_delisting"), _entry("https://propaganda.example/v/1", "url"))
    with pytest.raises(InvalidInput, match="csv or json"):
        exports.rpz(export)
    rows = list(csv.DictReader(io.StringIO(exports.as_csv(export))))
    assert rows[0]["value"] == "https://propaganda.example/v/1" and rows[0]["type"] == "url"
    document = json.loads(exports.as_json(export))
    assert document["list"]["serial"] == 7 and document["entries"][0]["subdomains"] is False


def test_hosts_cannot_say_subdomains_and_says_so() -> None:
    text = exports.hosts(_export(_list(), _entry("propaganda.example", subdomains=True), _entry("9.9.9.10", "ip")))
    assert "0.0.0.0 propaganda.example  # and its subdomains" in text and "9.9.9.10" not in text


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(InvalidInput, match="rpz, hosts, csv, json"):
        exports.render(_export(_list()), "xml")
