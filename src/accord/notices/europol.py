"""Copies of removal orders to Europol (TCO Art. 14(4)).

Member States *may* use Europol's tools for removal orders, so a copy is the issuing authority's choice, order by
order: ``copy_to_europol`` on the order. Europol is an authority organisation whose country is ``EU``
(``identity.threat_contacts.UNION``, as for imminent threats under Art. 14(5)). When the order is dispatched to
the provider, each such organisation is told (webhook ``notice.copied``), the copy is recorded on the order
(``details.europol_copy``) and in the audit trail (``notices:order:europol_copy``), and from then on the order,
its Annex I and its feedback are in Europol's view: read-only, since Europol is no party to the order (it does not
answer, hold, clarify, extend, scrutinise, re-check or escalate it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.errors import InvalidInput, PermissionDenied
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.identity.threat_contacts import UNION
from accord.jobs.webhooks import emit, listeners
from accord.notices.models import Notice

FLAG = "copy_to_europol"


def union_authorities(session: Session) -> list[Organisation]:
    """The Union-level authorities on this instance (Europol), oldest first."""
    query = (select(Organisation).where(Organisation.kind == "authority", Organisation.country == UNION)
             .order_by(Organisation.created_at, Organisation.id))
    return list(session.scalars(query))


def is_union_authority(session: Session, principal: Principal) -> bool:
    if principal.org_kind != "authority":
        return False
    org = session.get(Organisation, principal.org_id)
    return org is not None and org.country == UNION


def check_request(session: Session, details: Mapping[str, Any]) -> None:
    """Refuse, before anything is written, a copy this instance cannot deliver."""
    if details.get(FLAG) and not union_authorities(session):
        raise InvalidInput("no Europol organisation (an authority with country EU) is registered on this instance "
                           "to receive the copy", field=FLAG)


def recipients(session: Session, notice: Notice) -> list[Organisation]:
    """Who gets the copy of ``notice`` (none unless the issuer asked); read before the notice joins the session."""
    if not (notice.binding and notice.details.get(FLAG)):
        return []
    found = union_authorities(session)
    for org in found:
        listeners(session, org.id)
    return found


def send_copy(session: Session, clock: Clock, actor: Actor, notice: Notice, europol: Sequence[Organisation]) -> None:
    """Record and announce the copy, at the order's dispatch."""
    if not europol:
        return
    now = clock.now().isoformat()
    copy = {"sent_at": now, "org_ids": [org.id for org in europol]}
    notice.details = {**notice.details, "europol_copy": copy}
    record(session, clock, actor, Event.NOTICES_ORDER_EUROPOL_COPY, subject=notice.id, org_id=actor.org_id,
           payload={"provider_id": notice.provider_id, "issuer_id": notice.issuer_id,
                    "reference": notice.reference, **copy})
    data = {"notice_id": notice.id, "reference": notice.reference, "issuer_id": notice.issuer_id,
            "provider_id": notice.provider_id, "member_state": notice.member_state, "urls": notice.urls,
            "tco_types": notice.tco_types, "received_at": now}
    for org in europol:
        emit(session, clock, org_id=org.id, event="notice.copied", data=data)


def copied() -> ColumnElement[bool]:
    """The orders a Union authority sees: dispatched removal orders whose issuer asked for the copy."""
    return and_(Notice.binding.is_(True), Notice.status != "held", Notice.details[FLAG].as_boolean().is_(True))


def holds_copy(notice: Notice, is_union: bool) -> bool:
    """``copied()`` for one notice already loaded."""
    return is_union and notice.binding and notice.status != "held" and bool(notice.details.get(FLAG))


def refuse_copy_holder(notice: Notice, principal: Principal) -> None:
    """Europol's copy is read-only: acts on the order are for its parties (issuer, provider, host authority)."""
    if principal.org_id not in (notice.issuer_id, notice.provider_id, notice.host_authority_id):
        raise PermissionDenied("Europol holds a read-only copy of this order (TCO Art. 14(4))")
