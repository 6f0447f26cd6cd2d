"""What each kind of organisation lands on after signing in, built from the services (never the ORM)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from accord.blocklists import service as blocklists
from accord.clock import Clock
from accord.identity import service as identity
from accord.identity.service import Principal
from accord.jobs import webhooks
from accord.narratives import service as narratives
from accord.notices import service as notices
from accord.notices.models import Notice
from accord.readiness import score
from accord.rights import orders

STATIC = Path(__file__).resolve().parents[1] / "static"
ISSUERS = ("authority", "coordinator", "trusted_flagger")
ON_CALL_EVENTS = ("notice.received", webhooks.ALL_EVENTS)


def names(session: Session) -> dict[str, str]:
    """Organisation names by id: pages name the issuer, the provider and bank owners, never their ids."""
    return {org.id: org.name for org in identity.list_organisations(session)}


class Names:
    """Names for ids, looked up once per page and only when the page asks: organisations by id, and actors
    (``member:mem_…`` → the member's name, ``key:acc…`` → the key's name; anything else as it is)."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._orgs: dict[str, str] | None = None
        self._actors: dict[str, str] | None = None

    def org(self, org_id: str | None, default: str = "") -> str:
        if self._orgs is None:
            with self._factory() as session:
                self._orgs = names(session)
        return self._orgs.get(org_id or "", default or org_id or "")

    def actor(self, ref: str | None) -> str:
        if self._actors is None:
            with self._factory() as session:
                self._actors = _actors(session)
        return self._actors.get(ref or "", ref or "")


def _actors(session: Session) -> dict[str, str]:
    people: dict[str, str] = {}
    for org in identity.list_organisations(session):
        for member in identity.list_members(session, org.id):
            people[f"member:{member.id}"] = member.name
        for key in identity.list_keys(session, org.id):
            people[f"key:{key.prefix}"] = f"API key “{key.name}” of {org.name}"
    return people


def by_time_left(rows: Sequence[Notice]) -> list[Notice]:
    """Open notices first, the least time left first; then the rest, newest first."""
    open_rows = sorted((n for n in rows if n.status in notices.OPEN_STATUSES),
                       key=lambda n: (n.deadline_at is None, n.deadline_at or n.created_at))
    rest = sorted((n for n in rows if n.status not in notices.OPEN_STATUSES), key=lambda n: n.created_at,
                  reverse=True)
    return [*open_rows, *rest]


def on_call(session: Session, principal: Principal) -> dict[str, Any]:
    """Whether a new order reaches someone outside this page: an active webhook for ``notice.received``."""
    endpoints = [w for w in webhooks.list_endpoints(session, principal.org_id)
                 if w.active and any(e in ON_CALL_EVENTS for e in w.events)]
    org = identity.get_organisation(session, principal.org_id)
    return {"webhooks": endpoints, "contact_email": org.contact_email}


def provider_home(session: Session, principal: Principal) -> dict[str, Any]:
    found = by_time_left(notices.list_notices(session, principal, limit=200))
    return {
        "open": [n for n in found if n.status in notices.OPEN_STATUSES],
        "recent": [n for n in found if n.status not in notices.OPEN_STATUSES][:15],
        "names": names(session), "on_call": on_call(session, principal),
        "instructions": orders.instructions_for(session, principal),
    }


def issuer_home(session: Session, principal: Principal) -> dict[str, Any]:
    found = by_time_left([n for n in notices.list_notices(session, principal, limit=200)
                          if n.issuer_id == principal.org_id])
    return {"rows": found, "names": names(session), "open_count": sum(n.status in notices.OPEN_STATUSES
                                                                     for n in found)}


def home(session: Session, clock: Clock, principal: Principal) -> tuple[str, dict[str, Any]]:
    """The template and context of the principal's home page."""
    org = identity.get_organisation(session, principal.org_id)
    if principal.org_kind == "provider":
        return "home/provider.html", {"org": org, **provider_home(session, principal)}
    if principal.org_kind in ISSUERS:
        context = {"org": org, **issuer_home(session, principal)}
        if principal.org_kind == "coordinator":  # the overview of every provider's readiness (accord.readiness)
            context["readiness"] = score.visible(session, clock, principal)
        return "home/issuer.html", context
    if principal.org_kind in ("overseer", "network_operator"):  # they work blocking lists, nothing else
        return "blocklists/list.html", {"org": org, "lists": blocklists.list_lists(session, principal)}
    return "home/campaigner.html", {"org": org, "campaigns": narratives.list_campaigns(session, org.id)}
