"""Feedback to the issuer: TCO Annex II (the measure and its time) or Annex III (why an order was not executed),
and for voluntary notices the decision (DSA Art. 16(5)). Each record carries the provider's signature, an
HMAC over its canonical JSON, so that the issuer can show it was not altered."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sqlalchemy.orm import Session

from accord.errors import Conflict
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.notices.models import Notice
from accord.notices.service import executes_order, get_notice
from accord.settings import Settings


def _annex(notice: Notice) -> str | None:
    if not notice.binding:
        return None
    if executes_order(notice.outcome, notice.outcome_detail.get("countries", [])):
        return "II"
    # Only Annex III grounds excuse not executing an order (TCO Art. 3(7)-(8)); anything else (a disabling in
    # some Member States only, recorded before Accord refused it) is neither feedback form.
    return "III" if notice.outcome == "cannot_comply" else None


def _name(session: Session, org_id: str | None) -> str | None:
    org = session.get(Organisation, org_id) if org_id else None
    return org.name if org else None


def sign_record(settings: Settings, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    key = hashlib.sha256(b"accord-feedback:" + settings.secret_key.encode()).digest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def feedback_record(session: Session, settings: Settings, notice: Notice) -> dict[str, Any]:
    """The Annex II/III record of a notice's latest outcome."""
    if notice.outcome is None or notice.outcome_at is None:
        raise Conflict("the provider has not answered yet", field="outcome")
    detail = notice.outcome_detail
    body: dict[str, Any] = {
        "annex": _annex(notice), "notice_id": notice.id, "kind": notice.kind, "reference": notice.reference,
        "issuer": {"id": notice.issuer_id, "name": _name(session, notice.issuer_id)},
        "provider": {"id": notice.provider_id, "name": _name(session, notice.provider_id)},
        "urls": notice.urls, "received_at": notice.received_at, "acknowledged_at": notice.acknowledged_at,
        "outcome": notice.outcome, "outcome_at": notice.outcome_at, "countries": detail.get("countries", []),
        "reasons": detail.get("reasons", ""), "ground": detail.get("ground"),
        "explanation": detail.get("explanation", ""), "automated": detail.get("automated", False),
        "deadline_at": notice.deadline_at, "breach": notice.breached_at is not None,
        "breach_seconds": notice.breach_seconds,
    }
    body = json.loads(json.dumps(body, default=lambda v: v.isoformat()))
    return {**body, "signature": sign_record(settings, body)}


def feedback(session: Session, settings: Settings, principal: Principal, notice_id: str) -> dict[str, Any]:
    return feedback_record(session, settings, get_notice(session, principal, notice_id))
