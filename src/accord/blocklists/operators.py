"""Network operators: their subscription (with a capability URL for resolvers that cannot send headers), the
serial they applied, and whether they are current or late against the list's clock.

France's Décret 2015-253 gives access providers 24 hours to block and search engines 48 hours to delist."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import record
from accord.blocklists.models import Blocklist, BlocklistSerial, BlocklistSubscription
from accord.blocklists.service import get_list, own_list
from accord.clock import Clock, as_utc
from accord.db import new_id
from accord.errors import Conflict, InvalidInput, NotFound
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.settings import Settings

FEED_PATH = "/blocklists/feed/"
CLOCKS = {"dns_block": timedelta(hours=24), "search_delisting": timedelta(hours=48)}


@dataclass(frozen=True)
class Compliance:
    operator_id: str
    operator_name: str
    applied_serial: int
    applied_at: datetime | None
    current_serial: int
    status: str  # current | pending | late
    behind: int
    due_at: datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(settings: Settings, token: str, fmt: str = "rpz") -> str:
    return f"{settings.public_base_url.rstrip('/')}{FEED_PATH}{token}.{fmt}"


def subscribe(session: Session, clock: Clock, principal: Principal, blocklist_id: str,
              operator_id: str) -> tuple[BlocklistSubscription, str]:
    """The authority hands its list to a network operator; returns the feed token (shown once, stored hashed)."""
    blocklist = own_list(session, principal, blocklist_id)
    operator = session.get(Organisation, operator_id)
    if operator is None or operator.kind != "network_operator":
        raise InvalidInput("operator_id names no network_operator organisation", field="operator_id")
    if session.scalar(select(BlocklistSubscription.id).where(BlocklistSubscription.blocklist_id == blocklist.id,
                                                             BlocklistSubscription.operator_id == operator.id)):
        raise Conflict("the operator already has this list; rotate its feed token instead")
    token = secrets.token_urlsafe(32)
    subscription = BlocklistSubscription(id=new_id("blsub"), blocklist_id=blocklist.id, operator_id=operator.id,
                                         token_hash=token_hash(token), created_at=clock.now(), applied_serial=0,
                                         applied_at=None, fetched_at=None)
    session.add(subscription)
    record(session, clock, principal.actor, Event.BLOCKLISTS_SUBSCRIPTION_CREATE, subject=blocklist.id,
           payload={"authority_id": blocklist.authority_id, "operator_id": operator.id,
                    "subscription_id": subscription.id})
    return subscription, token


def rotate_token(session: Session, clock: Clock, principal: Principal, blocklist_id: str) -> str:
    """The operator replaces its feed token (a leaked URL stops working at once)."""
    subscription = _subscription(session, principal, blocklist_id)
    token = secrets.token_urlsafe(32)
    subscription.token_hash = token_hash(token)
    record(session, clock, principal.actor, Event.BLOCKLISTS_SUBSCRIPTION_ROTATE, subject=subscription.blocklist_id,
           payload={"operator_id": principal.org_id})
    return token


def by_token(session: Session, clock: Clock, token: str) -> tuple[Blocklist, BlocklistSubscription]:
    """The list a feed token opens; 404 for any other token."""
    subscription = session.scalar(select(BlocklistSubscription)
                                  .where(BlocklistSubscription.token_hash == token_hash(token)))
    blocklist = session.get(Blocklist, subscription.blocklist_id) if subscription else None
    if subscription is None or blocklist is None:
        raise NotFound("no such feed")
    subscription.fetched_at = clock.now()
    return blocklist, subscription


def _subscription(session: Session, principal: Principal, blocklist_id: str) -> BlocklistSubscription:
    blocklist = get_list(session, principal, blocklist_id)
    found = session.scalar(select(BlocklistSubscription).where(BlocklistSubscription.blocklist_id == blocklist.id,
                                                               BlocklistSubscription.operator_id == principal.org_id))
    if found is None:
        raise NotFound("this organisation does not apply the list")
    return found


def applied(session: Session, clock: Clock, principal: Principal, blocklist_id: str,
            serial: int) -> BlocklistSubscription:
    """The operator says which serial its resolvers now enforce."""
    principal.require_kind("network_operator")
    subscription = _subscription(session, principal, blocklist_id)
    blocklist = session.get(Blocklist, blocklist_id)
    assert blocklist is not None
    if serial < 1 or serial > blocklist.serial:
        raise InvalidInput(f"serial is between 1 and the list's current serial {blocklist.serial}", field="serial")
    subscription.applied_serial = max(subscription.applied_serial, serial)
    subscription.applied_at = clock.now()
    record(session, clock, principal.actor, Event.BLOCKLISTS_SERIAL_APPLY, subject=blocklist.id,
           payload={"authority_id": blocklist.authority_id, "operator_id": principal.org_id, "serial": serial,
                    "current_serial": blocklist.serial})
    return subscription


def _first_unapplied(session: Session, blocklist: Blocklist, applied_serial: int) -> datetime | None:
    published = session.scalar(select(BlocklistSerial.published_at)
                               .where(BlocklistSerial.blocklist_id == blocklist.id,
                                      BlocklistSerial.serial > applied_serial)
                               .order_by(BlocklistSerial.serial).limit(1))
    return as_utc(published) if published else None


def compliance_of(session: Session, clock: Clock, blocklist: Blocklist,
                  subscription: BlocklistSubscription, name: str) -> Compliance:
    since = _first_unapplied(session, blocklist, subscription.applied_serial)
    due = since + CLOCKS[blocklist.kind] if since else None
    status = "current" if due is None else ("late" if clock.now() > due else "pending")
    return Compliance(subscription.operator_id, name, subscription.applied_serial, subscription.applied_at,
                      blocklist.serial, status, blocklist.serial - subscription.applied_serial, due)


def compliance(session: Session, clock: Clock, blocklist: Blocklist) -> list[Compliance]:
    rows = session.execute(select(BlocklistSubscription, Organisation.name)
                           .join(Organisation, Organisation.id == BlocklistSubscription.operator_id)
                           .where(BlocklistSubscription.blocklist_id == blocklist.id).order_by(Organisation.name))
    return [compliance_of(session, clock, blocklist, sub, name) for sub, name in rows]


def operators(session: Session, clock: Clock, principal: Principal, blocklist_id: str) -> list[Compliance]:
    """Who is current and who is late: for the authority and the overseer; an operator sees itself."""
    blocklist = get_list(session, principal, blocklist_id)
    rows = compliance(session, clock, blocklist)
    if principal.org_id in (blocklist.authority_id, blocklist.overseer_id):
        return rows
    return [row for row in rows if row.operator_id == principal.org_id]
