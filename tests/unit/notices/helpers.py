"""Shared builders for the notices tests: organisations as principals, and a valid payload per kind."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.identity.scopes import ALL_SCOPES
from accord.identity.service import Principal
from tests.factories import OrgHandle, make_org

URL = "https://video.example.org/watch/123"


def principal(handle: OrgHandle) -> Principal:
    return Principal(org_id=handle.id, org_kind=handle.kind, ref=f"test:{handle.kind}", scopes=frozenset(ALL_SCOPES))


def org(session: Session, clock: Clock, kind: str, country: str = "FR") -> tuple[OrgHandle, Principal]:
    handle = make_org(session, clock, kind, country=country)
    return handle, principal(handle)


def payload(kind: str, provider_id: str, url: str = URL, **extra: Any) -> dict[str, Any]:
    """A valid notice of ``kind``: the contract payload for a removal order."""
    base: dict[str, Any] = {"kind": kind, "provider_id": provider_id, "urls": [url], "reasons": "Glorifies an attack."}
    per_kind: dict[str, dict[str, Any]] = {
        "removal_order": {"reference": "FR-IRU-2026-0042", "tco_types": ["incitement"], "legal_basis": "TCO Art. 3",
                          "redress": {"body": "Tribunal administratif", "deadline_days": 30}, "emergency": True,
                          "emergency_reason": "Imminent attack call"},
        "referral": {"clause": "Rules 4.2"},
        "trusted_flag": {},
        "user_report": {"notifier_name": "A. Reader", "notifier_email": "reader@example.org", "good_faith": True},
        "alert": {"verification_label": "verified"},
    }
    return {**base, **per_kind[kind], **extra}
