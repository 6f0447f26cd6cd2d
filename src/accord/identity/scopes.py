"""API key scopes. A key carries a subset; a route names the scope it needs."""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "org:read": "read the organisation, its members and keys",
    "org:admin": "manage members, keys and webhooks",
    "audit:read": "read the organisation's audit events",
    "jobs:read": "read the organisation's jobs and dead letters",
    "jobs:admin": "retry dead-lettered jobs",
    "notices:read": "read notices sent or received",
    "notices:write": "send notices and answer them",
    "cases:read": "read cases and queues",
    "cases:write": "claim and decide cases",
    "banks:read": "read hash banks and entries",
    "banks:write": "create banks, add entries, vote",
    "match": "hash media and match it against banks",
    "policies:read": "read policies and incidents",
    "policies:write": "edit policies and declare incidents",
    "rights:read": "read complaints, preservation and user notices",
    "rights:write": "decide complaints, manage preservation",
    "reports:read": "read transparency reports and exports",
    "campaigns:read": "read campaigns and their impact",
    "campaigns:write": "run campaigns and import figures",
    "blocklists:read": "read blocking lists, their entries and exports",
    "blocklists:write": "keep, oversee or apply blocking lists",
    "evidence:read": "read European Production and Preservation Orders and their packages",
    "evidence:write": "issue and answer European Production and Preservation Orders",
}

ALL_SCOPES: tuple[str, ...] = tuple(SCOPES)
