"""Builders for the evidence tests: an issuing authority with a registered key, a provider in another State, the
enforcing authority of that State, and a valid order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from accord.clock import Clock
from accord.evidence import sealing, service
from accord.identity.service import Principal
from tests.factories import OrgHandle
from tests.unit.notices.helpers import org


@dataclass
class World:
    issuer: OrgHandle
    issuer_p: Principal
    provider: OrgHandle
    provider_p: Principal
    enforcing: OrgHandle
    enforcing_p: Principal
    private_key: str


def world(session: Session, clock: Clock) -> World:
    issuer, issuer_p = org(session, clock, "authority", country="FR")
    provider, provider_p = org(session, clock, "provider", country="DE")
    enforcing, enforcing_p = org(session, clock, "authority", country="DE")
    public, private = sealing.generate()
    service.register_key(session, clock, issuer_p, public)
    return World(issuer, issuer_p, provider, provider_p, enforcing, enforcing_p, private)


def request(provider_id: str, **extra: Any) -> service.OrderRequest:
    base: dict[str, Any] = {
        "kind": "production", "provider_id": provider_id, "data_categories": ["subscriber"],
        "targets": ["user:attacker42"], "issuer_type": "prosecutor", "offences": ["participation in a terrorist group"],
        "legal_basis": "Code de procédure pénale, art. 60-1", "max_sentence_years": 10,
    }
    return service.OrderRequest(**{**base, **extra})
