"""Webhooks: per-organisation endpoints, signed deliveries, retried as jobs.

Each delivery carries ``Accord-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` with the
endpoint's secret, and ``Accord-Delivery: <job id>`` so that a receiver can drop a repeat. Secrets are shown
once at creation and kept encrypted (Fernet, key derived from ``secret_key``) because signing needs them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import TRANSACTION_CACHE, get_owned, new_id
from accord.errors import DomainError, InvalidInput
from accord.fetcher import check_url, fetch
from accord.jobs.models import WebhookEndpoint
from accord.jobs.registry import JobContext, handler
from accord.jobs.service import enqueue
from accord.settings import Settings

SIGNATURE_HEADER = "Accord-Signature"
DELIVERY_HEADER = "Accord-Delivery"
EVENT_HEADER = "Accord-Event"
ALL_EVENTS = "*"


class DeliveryFailed(Exception):
    """The receiver answered with an error status or could not be reached; the job will retry."""


def _fernet(settings: Settings) -> Fernet:
    key = hashlib.sha256(b"accord-webhooks:" + settings.secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: check the MAC and that the timestamp is fresh."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def create_endpoint(
    session: Session,
    clock: Clock,
    settings: Settings,
    actor: Actor,
    *,
    org_id: str,
    url: str,
    events: Sequence[str] = (ALL_EVENTS,),
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its signing secret (shown once)."""
    try:
        check_url(url, settings)
    except DomainError as exc:
        raise InvalidInput(exc.detail, field="url") from exc
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        id=new_id("whk"), org_id=org_id, url=url, events=list(events) or [ALL_EVENTS],
        secret_encrypted=_fernet(settings).encrypt(secret.encode()).decode(), created_at=clock.now(),
    )
    session.add(endpoint)
    session.flush()
    _forget_listeners(session)
    record(session, clock, actor, Event.JOBS_WEBHOOK_CREATE, subject=endpoint.id, org_id=org_id,
           payload={"url": url, "events": endpoint.events})
    return endpoint, secret


def list_endpoints(session: Session, org_id: str) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.org_id == org_id).order_by(WebhookEndpoint.created_at)
    return list(session.scalars(query))


_LISTENERS = TRANSACTION_CACHE + "webhooks.listeners"
# Built once (every notice reads its provider's endpoints), for the bound list ``orgs``.
_ACTIVE_ENDPOINTS = (select(WebhookEndpoint)
                     .where(WebhookEndpoint.org_id.in_(bindparam("orgs", expanding=True)),
                            WebhookEndpoint.active.is_(True))
                     .order_by(WebhookEndpoint.created_at))


def listeners(session: Session, org_id: str) -> list[WebhookEndpoint]:
    """The organisation's active endpoints, read once per transaction.

    Creating or disabling an endpoint in the same session forgets what was read.
    """
    prefetch_listeners(session, [org_id])
    found: list[WebhookEndpoint] = session.info[_LISTENERS][org_id]
    return found


def prefetch_listeners(session: Session, org_ids: Sequence[str]) -> None:
    """Read the active endpoints of the organisations not read yet in this transaction, in one query (a batch
    of notices to hundreds of providers reads them all at once)."""
    known: dict[str, list[WebhookEndpoint]] = session.info.setdefault(_LISTENERS, {})
    wanted = [o for o in dict.fromkeys(org_ids) if o not in known]
    if not wanted:
        return
    for org_id in wanted:
        known[org_id] = []
    for endpoint in session.scalars(_ACTIVE_ENDPOINTS, {"orgs": wanted}):
        known[endpoint.org_id].append(endpoint)


def _forget_listeners(session: Session) -> None:
    session.info.pop(_LISTENERS, None)


def delete_endpoint(session: Session, clock: Clock, actor: Actor, *, org_id: str, endpoint_id: str) -> None:
    endpoint = get_owned(session, WebhookEndpoint, endpoint_id, org_id, what="webhook endpoint")
    endpoint.active = False
    _forget_listeners(session)
    record(session, clock, actor, Event.JOBS_WEBHOOK_DISABLE, subject=endpoint.id, org_id=org_id, payload={})


def emit(session: Session, clock: Clock, *, org_id: str, event: str, data: Mapping[str, Any]) -> int:
    """Queue one delivery per active endpoint of ``org_id`` that listens to ``event``, in this transaction."""
    count = 0
    for endpoint in listeners(session, org_id):
        if ALL_EVENTS in endpoint.events or event in endpoint.events:
            payload = {"endpoint_id": endpoint.id, "event": event, "data": dict(data), "at": clock.now()}
            enqueue(session, clock, "webhook.deliver", json.loads(json.dumps(payload, default=str)),
                    org_id=org_id)
            count += 1
    return count


TEST_EVENT = "webhook.test"


def send_test(session: Session, clock: Clock, actor: Actor, *, org_id: str) -> int:
    """Queue one signed ``webhook.test`` delivery to each active endpoint of ``org_id``, whatever events it
    listens to: proof that the on-call path answers (the readiness score counts a test answered in the last 30
    days). Returns how many were queued; an organisation without an endpoint is refused."""
    endpoints = listeners(session, org_id)
    if not endpoints:
        raise InvalidInput("no active webhook endpoint: add one first (POST /v1/webhooks)", field="url")
    for endpoint in endpoints:
        payload = {"endpoint_id": endpoint.id, "event": TEST_EVENT, "at": clock.now(),
                   "data": {"test": True, "org_id": org_id}}
        enqueue(session, clock, "webhook.deliver", json.loads(json.dumps(payload, default=str)), org_id=org_id)
    record(session, clock, actor, Event.JOBS_WEBHOOK_TEST, subject=org_id, org_id=org_id,
           payload={"endpoints": len(endpoints)})
    return len(endpoints)


@handler("webhook.deliver")
def deliver(ctx: JobContext, payload: dict[str, Any]) -> None:
    endpoint = ctx.session.get(WebhookEndpoint, payload["endpoint_id"])
    if endpoint is None or not endpoint.active:
        return
    secret = _fernet(ctx.settings).decrypt(endpoint.secret_encrypted.encode()).decode()
    body = json.dumps({"event": payload["event"], "at": payload["at"], "data": payload["data"]}).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, int(ctx.clock.now().timestamp()), body),
        DELIVERY_HEADER: ctx.job_id,
        EVENT_HEADER: payload["event"],
    }
    result = fetch(endpoint.url, ctx.settings, method="POST", content=body, headers=headers)
    if not 200 <= result.status < 300:
        raise DeliveryFailed(f"{endpoint.url} answered {result.status}")
