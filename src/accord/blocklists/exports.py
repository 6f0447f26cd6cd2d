"""What resolvers and search engines read: an RPZ zone (draft-vixie-dnsop-dns-rpz), a hosts file, CSV and JSON.

RPZ: the SOA serial is the list's serial, which grows with every change, so a resolver that transfers or fetches
the zone knows it changed. ``name CNAME .`` answers NXDOMAIN; ``name CNAME stop.host.`` answers the stop page
host (local data); ``*.name`` covers the subdomains; an address is a response-IP trigger ``32.d.c.b.a.rpz-ip``.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from accord.blocklists.models import Blocklist, BlocklistEntry
from accord.blocklists.service import get_list, live_entries
from accord.clock import Clock
from accord.errors import InvalidInput
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.settings import Settings

FORMATS = ("rpz", "hosts", "csv", "json")
MEDIA_TYPES = {"rpz": "text/dns", "hosts": "text/plain", "csv": "text/csv", "json": "application/json"}
TTL = 300


@dataclass(frozen=True)
class Export:
    blocklist: Blocklist
    authority: str
    entries: Sequence[BlocklistEntry]
    generated_at: datetime
    settings: Settings


def zone_name(settings: Settings, blocklist: Blocklist) -> str:
    """``<list-name>.<suffix>.``: the name resolvers configure for the RPZ zone."""
    label = re.sub(r"[^a-z0-9-]+", "-", blocklist.name.lower()).strip("-")[:63] or blocklist.id.lower()
    return f"{label}.{settings.blocklist_zone_suffix.strip('.')}."


def _target(blocklist: Blocklist) -> str:
    return f"{blocklist.stop_host}." if blocklist.action == "stop_page" and blocklist.stop_host else "."


def rpz_ip(address: str) -> str:
    """The response-IP trigger owner name of one address (RPZ section 4.2)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        return "32." + ".".join(reversed(str(ip).split("."))) + ".rpz-ip"
    groups = [format(int(group, 16), "x") for group in ip.exploded.split(":")]
    return "128." + ".".join(reversed(groups)) + ".rpz-ip"


def _rpz_lines(blocklist: Blocklist, entry: BlocklistEntry) -> list[str]:
    target = _target(blocklist)
    if entry.type == "ip":
        return [f"{rpz_ip(entry.value)} CNAME {target}"]
    lines = [f"{entry.value} CNAME {target}"]
    return [*lines, f"*.{entry.value} CNAME {target}"] if entry.subdomains else lines


def rpz(export: Export) -> str:
    blocklist = export.blocklist
    if blocklist.kind != "dns_block":
        raise InvalidInput("an RPZ zone is for DNS blocking lists; a delisting list exports csv or json",
                           field="format")
    head = [
        f"; Accord blocking list {blocklist.name!r} of {export.authority}",
        f"; legal basis: {' '.join(blocklist.legal_basis.split())}",
        f"; generated {export.generated_at.isoformat()}, serial {blocklist.serial}",
        f"$ORIGIN {zone_name(export.settings, blocklist)}",
        f"$TTL {TTL}",
        f"@ IN SOA localhost. hostmaster.{export.settings.blocklist_zone_suffix.strip('.')}. "
        f"{blocklist.serial} 3600 600 604800 {TTL}",
        "@ IN NS localhost.",
    ]
    body = [line for entry in export.entries if entry.type in ("domain", "ip") for line in _rpz_lines(blocklist, entry)]
    return "\n".join([*head, *body]) + "\n"


def hosts(export: Export) -> str:
    """A hosts file: ``0.0.0.0 name``; hosts files know no wildcards, so subdomains are only commented."""
    lines = [f"# Accord blocking list {export.blocklist.name!r} of {export.authority}, serial "
             f"{export.blocklist.serial}"]
    for entry in export.entries:
        if entry.type == "domain":
            lines.append(f"0.0.0.0 {entry.value}" + ("  # and its subdomains" if entry.subdomains else ""))
    return "\n".join(lines) + "\n"


def _row(entry: BlocklistEntry) -> dict[str, str]:
    return {"id": entry.id, "type": entry.type, "value": entry.value, "subdomains": str(entry.subdomains).lower(),
            "starts_at": entry.starts_at.isoformat(), "expires_at": entry.expires_at.isoformat()}


def as_csv(export: Export) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["id", "type", "value", "subdomains", "starts_at", "expires_at"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(_row(entry) for entry in export.entries)
    return out.getvalue()


def as_json(export: Export) -> str:
    blocklist = export.blocklist
    head = {"id": blocklist.id, "name": blocklist.name, "authority": export.authority, "kind": blocklist.kind,
            "legal_basis": blocklist.legal_basis, "action": blocklist.action, "stop_host": blocklist.stop_host,
            "serial": blocklist.serial, "generated_at": export.generated_at.isoformat()}
    entries = [{**_row(entry), "subdomains": entry.subdomains} for entry in export.entries]
    return json.dumps({"list": head, "entries": entries}, indent=2) + "\n"


WRITERS: dict[str, Callable[[Export], str]] = {"rpz": rpz, "hosts": hosts, "csv": as_csv, "json": as_json}


def render(export: Export, fmt: str) -> str:
    if fmt not in WRITERS:
        raise InvalidInput(f"format is one of {', '.join(FORMATS)}", field="format")
    return WRITERS[fmt](export)


def build(session: Session, clock: Clock, settings: Settings, blocklist: Blocklist) -> Export:
    authority = session.get(Organisation, blocklist.authority_id)
    return Export(blocklist, authority.name if authority else blocklist.authority_id, live_entries(session, blocklist),
                  clock.now(), settings)


def export_for(session: Session, clock: Clock, settings: Settings, principal: Principal, blocklist_id: str,
               fmt: str) -> str:
    """The list in ``fmt`` for its authority, its overseer or a subscribed operator."""
    return render(build(session, clock, settings, get_list(session, principal, blocklist_id)), fmt)
