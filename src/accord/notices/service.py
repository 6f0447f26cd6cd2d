"""Intake, dispatch, answers and holds of notices.

The law behind each step: a removal order must be acted on within one hour of receipt (TCO Art. 3(3)); an
authority's first order to a provider needs an information notice 12 hours earlier unless it is an emergency
(Art. 3(2)); the provider acknowledges, then removes, disables, or says why it cannot comply (Annex III), which
stops the clock until a clarification starts a fresh hour (Art. 3(7)-(8)); notices about the same content join
one case (Art. 14(1), deconfliction), and an authority's operational hold keeps them from the provider.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.cases.intake import open_or_join, prefetched_cases
from accord.clock import Clock
from accord.db import TRANSACTION_CACHE, new_id
from accord.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied, RateLimited
from accord.identity.models import Organisation
from accord.identity.service import Principal
from accord.jobs.service import enqueue
from accord.jobs.webhooks import emit, listeners, prefetch_listeners
from accord.law.eu import EU_MEMBER_STATES
from accord.notices import contact, europol, kinds
from accord.notices.models import InformationNotice, Notice, OperationalHold
from accord.settings import Settings

ONE_HOUR = timedelta(hours=1)
FIRST_ORDER_NOTICE = timedelta(hours=12)
ISSUE_SKEW = timedelta(minutes=5)
# Service targets for voluntary notices, in hours; a provider sets its own in ``settings["service_targets"]``.
DEFAULT_TARGET_HOURS = {"referral": 24, "trusted_flag": 12, "user_report": 72, "alert": 24}
OUTCOMES = ("removed", "disabled", "no_action", "cannot_comply")
# TCO Annex III: the grounds on which a provider cannot comply with an order.
ANNEX_III_GROUNDS = ("force_majeure", "de_facto_impossibility", "manifest_error", "insufficient_information")
OPEN_STATUSES = ("received", "acknowledged")
# A removal order is executed only by removing, or by disabling access in all Member States (TCO Art. 3(3)).
ALL_MEMBER_STATES = frozenset(EU_MEMBER_STATES)
_COUNTRY_ALIASES = {"EL": "GR"}  # the EU's own code for Greece
_COUNTRY = re.compile(r"^[A-Z]{2}$")
DRILL_HOUR_PAGED = 60  # in ``escalated``: a drill's passed hour was paged (a drill is never marked breached)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _seconds(start: datetime | None, end: datetime) -> int | None:
    return None if start is None else int((end - start).total_seconds())


# ---- reading ------------------------------------------------------------------------------------------------


def visible_to(notice: Notice, org_id: str) -> bool:
    """The issuer sees its notice; the provider and the copied host authority once it was dispatched."""
    if notice.issuer_id == org_id:
        return True
    return notice.status != "held" and org_id in (notice.provider_id, notice.host_authority_id)


def get_notice(session: Session, principal: Principal, notice_id: str) -> Notice:
    """One notice the caller may see (Europol: the orders copied to it, read-only); anyone else's is NotFound."""
    notice = session.get(Notice, notice_id)
    if notice is None or not (visible_to(notice, principal.org_id)
                              or europol.holds_copy(notice, europol.is_union_authority(session, principal))):
        raise NotFound(f"no notice {notice_id!r}")
    return notice


def public_status(notice: Notice, principal: Principal) -> str:
    """An operational hold is shown to authorities only; others see a held notice as queued."""
    return "queued" if notice.status == "held" and principal.org_kind != "authority" else notice.status


def list_notices(
    session: Session,
    principal: Principal,
    *,
    kind: str | None = None,
    status: str | None = None,
    provider_id: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[Notice]:
    """Notices the caller sent, or received (never held ones; Europol: the orders copied to it), newest first."""
    org = principal.org_id
    dispatched = Notice.status != "held"
    seen = [Notice.issuer_id == org, dispatched & (Notice.provider_id == org),
            dispatched & (Notice.host_authority_id == org)]
    if europol.is_union_authority(session, principal):
        seen.append(europol.copied())
    query = select(Notice).where(or_(*seen))
    if kind:
        query = query.where(Notice.kind == kind)
    if status:
        query = query.where(Notice.status == status)
    if provider_id:
        query = query.where(Notice.provider_id == provider_id)
    if since:
        query = query.where(Notice.created_at >= since)
    return list(session.scalars(query.order_by(Notice.created_at.desc(), Notice.id).limit(max(1, min(limit, 1000)))))


def sent_with_reference(session: Session, principal: Principal, reference: str) -> Notice | None:
    """The caller's earlier notice under this reference, if any: sending the same order twice is usually a
    mistake (a double click, a resend after a timeout) that the sender should be warned of, not stopped."""
    wanted = reference.strip()
    if not wanted:
        return None
    query = select(Notice).where(Notice.issuer_id == principal.org_id, Notice.reference == wanted)
    found: Notice | None = session.scalars(query.order_by(Notice.created_at.desc()).limit(1)).first()
    return found


def notices_of_case(session: Session, case_id: str) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.case_id == case_id)
                                .order_by(Notice.created_at, Notice.id)))


def nondisclosure_until_for_case(session: Session, case_id: str) -> datetime | None:
    """TCO Art. 11(3): the latest non-disclosure end among the case's orders (None: the uploader may be told)."""
    value: datetime | None = session.scalar(
        select(func.max(Notice.nondisclosure_until)).where(Notice.case_id == case_id)
    )
    return value


# ---- intake -------------------------------------------------------------------------------------------------


@dataclass
class BatchLookups:
    """What a batch read once for all its lines: organisations and active holds (``hold_keys``: the content
    keys whose holds were read). Lines of the batch that place a hold add to ``held``."""

    orgs: dict[str, Organisation | None]
    hold_keys: set[str]
    held: set[str]


_LOOKUPS = TRANSACTION_CACHE + "notices.lookups"


def _batch_lookups(session: Session) -> BatchLookups | None:
    found: BatchLookups | None = session.info.get(_LOOKUPS)
    return found


@contextmanager
def batch_lookups(session: Session, issuers: set[str], cleans: Sequence[kinds.CleanNotice]) -> Iterator[None]:
    """Read, in a few queries, what each line of a batch would otherwise read on its own: the organisations
    (``issuers``' and the addressed providers'), the holds on the lines' content, the providers' webhook
    endpoints and their open cases. Nothing is written, so a line still sees the lines before it (their cases,
    their holds)."""
    wanted = {c.provider_id for c in cleans} | issuers
    orgs: dict[str, Organisation | None] = dict.fromkeys(wanted)
    orgs.update({o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(wanted)))})
    keys = {k for c in cleans for k in c.content_keys}
    held = set(session.scalars(select(OperationalHold.content_key).where(
        OperationalHold.content_key.in_(keys), OperationalHold.lifted_at.is_(None)))) if keys else set()
    providers = [o.id for o in orgs.values() if o is not None and o.kind == "provider"]
    prefetch_listeners(session, providers)
    with_keys = {c.provider_id for c in cleans if c.content_keys}
    session.info[_LOOKUPS] = BatchLookups(orgs=orgs, hold_keys=keys, held=held)
    try:
        with prefetched_cases(session, with_keys, {k for c in cleans for k in c.content_keys}):
            yield
    finally:
        session.info.pop(_LOOKUPS, None)



def _actor(principal: Principal | None, address: str | None) -> Actor:
    if principal is not None:
        return principal.actor
    digest = hashlib.sha256((address or "unknown").encode()).hexdigest()[:16]
    return Actor(f"public:{digest}", None)


def _check_issuer(kind: kinds.NoticeKind, principal: Principal | None) -> None:
    if principal is None:
        if "public" not in kind.issuers:
            raise NotAuthenticated(f"a {kind.name} needs an API key")
        return
    principal.require_scope("notices:write")
    if "public" not in kind.issuers and principal.org_kind not in kind.issuers:
        raise PermissionDenied(f"only {', '.join(kind.issuers)} organisations send a {kind.name}")


def _organisation(session: Session, org_id: str) -> Organisation | None:
    known = _batch_lookups(session)
    if known is not None and org_id in known.orgs:
        return known.orgs[org_id]
    return session.get(Organisation, org_id)


def _provider(session: Session, provider_id: str) -> Organisation:
    org = _organisation(session, provider_id)
    if org is None or org.kind != "provider":
        raise InvalidInput(f"no hosting provider {provider_id!r}", field="provider_id")
    return org


def _rate_limit(session: Session, clock: Clock, settings: Settings, address: str | None) -> None:
    """Unauthenticated reports are limited per address so that the public door cannot flood a provider."""
    since = clock.now() - timedelta(minutes=1)
    count = session.scalar(select(func.count()).select_from(Notice).where(
        Notice.submitter_address == (address or "unknown"), Notice.created_at > since)) or 0
    if count >= settings.public_rate_limit_per_minute:
        raise RateLimited(f"at most {settings.public_rate_limit_per_minute} reports a minute from one address")


def _first_order_rule(session: Session, clock: Clock, authority_id: str, provider_id: str,
                      details: Mapping[str, Any]) -> None:
    """TCO Art. 3(2): a first order needs an information notice at least 12 hours old, or a stated emergency."""
    if details["emergency"]:
        return
    earlier = select(Notice.id).where(Notice.issuer_id == authority_id, Notice.provider_id == provider_id,
                                      Notice.kind == "removal_order").limit(1)
    if session.scalar(earlier) is not None:
        return
    cutoff = clock.now() - FIRST_ORDER_NOTICE
    informed = select(InformationNotice.id).where(
        InformationNotice.authority_id == authority_id, InformationNotice.provider_id == provider_id,
        InformationNotice.sent_at <= cutoff).limit(1)
    if session.scalar(informed) is None:
        raise Conflict("a first removal order to this provider needs an information notice sent at least 12 hours "
                       "earlier (TCO Art. 3(2)), or emergency with emergency_reason", field="emergency")


def _host_authority(session: Session, issuer: Organisation, provider: Organisation,
                    details: dict[str, Any]) -> tuple[bool, str | None]:
    """TCO Art. 4: an order to a provider established in another Member State is copied to its authority."""
    cross = details.get("cross_border")
    if cross is None:
        cross = bool(provider.country and issuer.country and provider.country != issuer.country)
    if not cross:
        return False, None
    wanted = details.get("host_authority_id")
    if wanted:
        host = session.get(Organisation, wanted)
        if host is None or host.kind != "authority":
            raise InvalidInput(f"no authority {wanted!r}", field="host_authority_id")
        return True, host.id
    found = session.scalar(select(Organisation.id).where(
        Organisation.kind == "authority", Organisation.country == provider.country).order_by(Organisation.created_at))
    return True, found


def receive(
    session: Session,
    clock: Clock,
    settings: Settings,
    principal: Principal | None,
    data: Mapping[str, Any],
    *,
    address: str | None = None,
) -> Notice:
    """Take in one notice of any kind (``principal`` None: a public DSA Art. 16 report) and dispatch it.

    Every refusal is raised before the first write, so a refused notice leaves nothing behind (the batch
    import relies on this instead of a savepoint per line).
    """
    return receive_clean(session, clock, settings, principal, kinds.validate(data), address=address)


def receive_clean(session: Session, clock: Clock, settings: Settings, principal: Principal | None,
                  clean: kinds.CleanNotice, *, address: str | None = None) -> Notice:
    """``receive`` for a notice already validated by ``kinds.validate``."""
    _check_issuer(clean.kind, principal)
    _check_issued_at(clock, clean.details)
    europol.check_request(session, clean.details)
    provider = _provider(session, clean.provider_id)
    if principal is None:
        _rate_limit(session, clock, settings, address)
    issuer = _organisation(session, principal.org_id) if principal else None
    if clean.kind.binding and issuer is not None:
        _first_order_rule(session, clock, issuer.id, provider.id, clean.details)
    notice = _new_notice(session, clean, issuer, provider, clock.now(), address)
    actor = _actor(principal, address)
    contact.flag_order_language(session, clock, actor, notice, provider)
    held = bool(clean.operational_hold) or _is_held(session, notice.content_keys)
    if not held:
        dispatch(session, clock, actor, notice)
        return notice
    session.add(notice)
    notice.status = "held"
    if clean.operational_hold:
        _place_hold(session, clock, actor, notice, clean.operational_hold)
    record(session, clock, actor, Event.NOTICES_NOTICE_HOLD, subject=notice.id, org_id=actor.org_id,
           payload={"kind": notice.kind, "provider_id": notice.provider_id, "held": True})
    return notice


def _check_issued_at(clock: Clock, details: Mapping[str, Any]) -> None:
    """An order is not issued after it arrives (a few minutes of clock skew between systems are tolerated)."""
    issued = details.get("issued_at")
    if issued and datetime.fromisoformat(issued) > clock.now() + ISSUE_SKEW:
        raise InvalidInput("issued_at is in the future", field="issued_at")


def _new_notice(session: Session, clean: kinds.CleanNotice, issuer: Organisation | None, provider: Organisation,
                now: datetime, address: str | None) -> Notice:
    """The notice, not yet added: the caller adds it once every lookup is done, so that it is written once."""
    details = {**clean.details, "reasons": clean.reasons}
    cross, host = (False, None)
    if clean.kind.binding and issuer is not None:
        cross, host = _host_authority(session, issuer, provider, details)
    return Notice(
        id=new_id("ntc"), kind=clean.kind.name, issuer_id=issuer.id if issuer else None,
        issuer_kind=issuer.kind if issuer else "public", provider_id=provider.id, reference=clean.reference,
        status="received", binding=clean.kind.binding, urls=clean.urls, content_keys=clean.content_keys,
        tco_types=clean.tco_types, member_state=issuer.country if issuer else None, details=details,
        emergency=bool(details.get("emergency")), cross_border=cross, host_authority_id=host, created_at=now,
        escalated=[], answers=[], scrutiny={}, liveness=[], outcome_detail={},
        submitter_address=(address or "unknown") if issuer is None else None, drill=False,
    )


def _target(session: Session, notice: Notice) -> timedelta:
    if notice.binding:
        return ONE_HOUR
    provider = session.get(Organisation, notice.provider_id)
    targets = (provider.settings or {}).get("service_targets", {}) if provider else {}
    return timedelta(hours=float(targets.get(notice.kind, DEFAULT_TARGET_HOURS[notice.kind])))


def dispatch(session: Session, clock: Clock, actor: Actor, notice: Notice) -> None:
    """Deliver to the provider: the clock starts, a case is opened or joined, the on-call webhook fires.

    Every lookup (webhook endpoints, the open case) runs before the notice joins the session, so a new notice,
    its case, audit events and deliveries are written by one flush at commit.
    """
    now = clock.now()
    notice.status = "received"
    notice.received_at = notice.window_started_at = now
    notice.deadline_at = now + _target(session, notice)
    days = notice.details.get("nondisclosure_days")
    if days:
        notice.nondisclosure_until = now + timedelta(days=int(days))
    if notice.cross_border:
        notice.scrutiny = {"copy_sent_at": _iso(now), "host_authority_id": notice.host_authority_id,
                           "host_until": _iso(now + timedelta(hours=72)),
                           "request_until": _iso(now + timedelta(hours=48))}
    listeners(session, notice.provider_id)
    if notice.cross_border and notice.host_authority_id:
        listeners(session, notice.host_authority_id)
    copies = europol.recipients(session, notice)  # TCO Art. 14(4), when the issuer asked
    case, _ = open_or_join(session, clock, actor, provider_id=notice.provider_id, content_keys=notice.content_keys,
                           source=notice.kind, urls=notice.urls,
                           deadline_at=notice.deadline_at if notice.binding else None,
                           title=f"{notice.kind.replace('_', ' ')} {notice.reference}".strip())
    notice.case_id = case.id
    if notice.drill and "drill" not in case.labels:  # a drill's case is decided without a legal record
        case.labels = [*case.labels, "drill"]
    session.add(notice)
    _record_receipt(session, clock, actor, notice)
    europol.send_copy(session, clock, actor, notice, copies)
    _announce(session, clock, notice)


def _record_receipt(session: Session, clock: Clock, actor: Actor, notice: Notice) -> None:
    record(session, clock, actor, Event.NOTICES_NOTICE_RECEIVE, subject=notice.id,
           org_id=actor.org_id or notice.provider_id,
           payload={"kind": notice.kind, "issuer_id": notice.issuer_id, "issuer_kind": notice.issuer_kind,
                    "provider_id": notice.provider_id, "member_state": notice.member_state,
                    "tco_types": notice.tco_types, "cross_border": notice.cross_border,
                    "emergency": notice.emergency, "received_at": _iso(notice.received_at),
                    "deadline_at": _iso(notice.deadline_at), "case_id": notice.case_id, **drill_mark(notice)})


def _announce(session: Session, clock: Clock, notice: Notice) -> None:
    data = {"notice_id": notice.id, "kind": notice.kind, "reference": notice.reference, "urls": notice.urls,
            "received_at": _iso(notice.received_at), "deadline_at": _iso(notice.deadline_at),
            "binding": notice.binding, "case_id": notice.case_id, "drill": notice.drill}
    emit(session, clock, org_id=notice.provider_id, event="notice.received", data=data)
    if notice.cross_border and notice.host_authority_id:
        emit(session, clock, org_id=notice.host_authority_id, event="notice.cross_border_copy", data=data)


def receive_drill(session: Session, clock: Clock, actor: Actor, *, issuer_id: str, provider_id: str,
                  data: Mapping[str, Any]) -> Notice:
    """Send a practice removal order (``accord.readiness``) from ``issuer_id`` (an authority, the coordinator or
    the provider itself, for a self-drill): validated like an order and dispatched at once by the real path
    (case, one-hour clock, webhook, inbox), marked ``drill`` everywhere. Not an order in law, so neither the
    issuer-kind rule, the information notice of Art. 3(2), a cross-border copy nor an operational hold applies."""
    provider = _provider(session, provider_id)
    issuer = session.get(Organisation, issuer_id)
    if issuer is None:
        raise NotFound(f"no organisation {issuer_id!r}")
    clean = kinds.validate({**data, "kind": "removal_order", "provider_id": provider.id})
    notice = _new_notice(session, clean, None, provider, clock.now(), None)
    notice.issuer_id, notice.issuer_kind, notice.member_state = issuer.id, issuer.kind, issuer.country
    notice.submitter_address, notice.drill = None, True
    dispatch(session, clock, actor, notice)
    return notice


# ---- operational holds ---------------------------------------------------------------------------------------


_ANY_HOLD = (select(OperationalHold.id).where(OperationalHold.content_key.in_(bindparam("keys", expanding=True)),
                                             OperationalHold.lifted_at.is_(None)).limit(1))


def _is_held(session: Session, keys: Sequence[str]) -> bool:
    known = _batch_lookups(session)
    if known is not None and known.hold_keys.issuperset(keys):
        return not known.held.isdisjoint(keys)
    return bool(keys) and session.execute(_ANY_HOLD, {"keys": list(keys)}).first() is not None


def _place_hold(session: Session, clock: Clock, actor: Actor, notice: Notice, reason: str) -> None:
    assert notice.issuer_id is not None  # only authorities hold, and they always issue with a key
    for key in notice.content_keys:
        session.add(OperationalHold(id=new_id("hld"), authority_id=notice.issuer_id, notice_id=notice.id,
                                    content_key=key, reason=reason, placed_at=clock.now()))
    notice.hold_reason = reason
    known = _batch_lookups(session)
    if known is not None:
        known.held.update(notice.content_keys)
    session.flush()


def set_hold(session: Session, clock: Clock, principal: Principal, notice_id: str, *, active: bool,
             reason: str = "") -> Notice:
    """TCO Art. 14(1): an authority keeps notices about content of operational interest from the provider.

    A hold covers the notice's content: every notice about it not yet dispatched (from any issuer) stays back
    until the hold is lifted; lifting dispatches them, and their clocks start then.
    """
    notice = get_notice(session, principal, notice_id)
    principal.require_kind("authority")
    if notice.issuer_id != principal.org_id:
        raise PermissionDenied("only the issuing authority holds or releases its notice")
    if active:
        if not reason.strip():
            raise InvalidInput("a hold needs its reason", field="reason")
        # A dispatched notice stays with its provider; the hold keeps back every later notice about the content.
        _place_hold(session, clock, principal.actor, notice, reason.strip())
    else:
        _lift(session, clock, principal, notice)
    record(session, clock, principal.actor, Event.NOTICES_NOTICE_HOLD, subject=notice.id,
           payload={"kind": notice.kind, "provider_id": notice.provider_id, "held": active})
    return notice


def _lift(session: Session, clock: Clock, principal: Principal, notice: Notice) -> None:
    for hold in session.scalars(select(OperationalHold).where(OperationalHold.notice_id == notice.id,
                                                              OperationalHold.lifted_at.is_(None))):
        hold.lifted_at = clock.now()
    notice.hold_reason = None
    session.flush()
    keys = set(notice.content_keys)
    for waiting in session.scalars(select(Notice).where(Notice.status == "held")):
        if keys & set(waiting.content_keys) and not _is_held(session, waiting.content_keys):
            dispatch(session, clock, principal.actor, waiting)


# ---- information notice (TCO Art. 3(2)) ---------------------------------------------------------------------


def send_information_notice(session: Session, clock: Clock, principal: Principal, *, provider_id: str,
                            text: str) -> InformationNotice:
    """Tell a provider about the procedures and deadlines before the authority's first order (12 h ahead)."""
    principal.require_kind("authority")
    provider = _provider(session, provider_id)
    if not text.strip():
        raise InvalidInput("the information notice needs its text", field="text")
    info = InformationNotice(id=new_id("inf"), authority_id=principal.org_id, provider_id=provider.id,
                             text=text.strip(), sent_at=clock.now())
    session.add(info)
    session.flush()
    record(session, clock, principal.actor, Event.NOTICES_INFORMATION_SEND, subject=info.id,
           payload={"issuer_id": principal.org_id, "provider_id": provider.id, "sent_at": _iso(info.sent_at)})
    emit(session, clock, org_id=provider.id, event="notice.information",
         data={"information_notice_id": info.id, "authority_id": principal.org_id, "text": info.text})
    return info


def list_information_notices(session: Session, principal: Principal) -> list[InformationNotice]:
    org = principal.org_id
    query = select(InformationNotice).where(or_(InformationNotice.authority_id == org,
                                                InformationNotice.provider_id == org))
    return list(session.scalars(query.order_by(InformationNotice.sent_at.desc())))


# ---- answers ------------------------------------------------------------------------------------------------


def for_provider(session: Session, principal: Principal, notice_id: str) -> Notice:
    """A notice the caller's organisation is the addressee of: only it answers the notice."""
    notice = get_notice(session, principal, notice_id)
    if notice.provider_id != principal.org_id:
        raise PermissionDenied("only the provider the notice is addressed to answers it")
    return notice


def drill_mark(notice: Notice) -> dict[str, bool]:
    """``{"drill": True}`` for a drill's events, nothing otherwise: the reports skip every event so marked
    (``accord.transparency.events.query``)."""
    return {"drill": True} if notice.drill else {}


def _facts(notice: Notice) -> dict[str, Any]:
    return {"kind": notice.kind, "issuer_id": notice.issuer_id, "provider_id": notice.provider_id,
            "member_state": notice.member_state, **drill_mark(notice)}


def _acknowledge(session: Session, clock: Clock, actor: Actor, notice: Notice) -> None:
    now = clock.now()
    notice.acknowledged_at = now
    notice.status = "acknowledged"
    record(session, clock, actor, Event.NOTICES_NOTICE_ACKNOWLEDGE, subject=notice.id, org_id=notice.provider_id,
           payload={**_facts(notice), "seconds_to_ack": _seconds(notice.received_at, now)})


def acknowledge(session: Session, clock: Clock, principal: Principal, notice_id: str) -> Notice:
    """The provider confirms receipt (TCO Art. 3(5) receipt; DSA Art. 16(4)). Repeating it changes nothing."""
    notice = for_provider(session, principal, notice_id)
    if notice.acknowledged_at is not None:
        return notice
    if notice.status != "received":
        raise Conflict(f"the notice is {notice.status}", field="status")
    _acknowledge(session, clock, principal.actor, notice)
    return notice


def _countries(countries: Sequence[str]) -> list[str]:
    out = sorted({_COUNTRY_ALIASES.get(c.strip().upper(), c.strip().upper()) for c in countries})
    if not out or not all(_COUNTRY.match(c) for c in out):
        raise InvalidInput("disabled needs the ISO 3166-1 alpha-2 countries", field="countries")
    return out


def executes_order(outcome: str | None, countries: Sequence[str]) -> bool:
    """Whether an outcome executes a removal order: removed, or disabled in every Member State (Art. 3(3))."""
    return outcome == "removed" or (outcome == "disabled" and set(countries) >= ALL_MEMBER_STATES)


def _order_countries(countries: Sequence[str]) -> list[str]:
    """A removal order disables access in all Member States: none named means all; a subset is refused."""
    if not countries:
        return sorted(ALL_MEMBER_STATES)
    named = _countries(countries)
    if not executes_order("disabled", named):
        missing = ", ".join(sorted(ALL_MEMBER_STATES - set(named)))
        raise InvalidInput("a removal order is executed by disabling access in all Member States (TCO Art. "
                           f"3(3)); missing: {missing}. Otherwise answer cannot_comply (Annex III)",
                           field="countries")
    return named


def check_order_answer(notice: Notice, outcome: str) -> None:
    """TCO Art. 3(3), (7)-(8): an order is executed or not executed on an Annex III ground; it is never
    answered ``no_action`` (nor with a mere restriction, which a decision records as ``no_action``)."""
    if notice.binding and outcome == "no_action":
        raise InvalidInput("a removal order is executed (removed, or disabled in all Member States) or not "
                           "executed on an Annex III ground (cannot_comply); it cannot be answered no_action "
                           "or restrict", field="outcome")


def _outcome_detail(notice: Notice, outcome: str, countries: Sequence[str], reasons: str, ground: str | None,
                    explanation: str) -> dict[str, Any]:
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome is one of {', '.join(OUTCOMES)}", field="outcome")
    check_order_answer(notice, outcome)
    detail: dict[str, Any] = {"countries": [], "reasons": reasons.strip(), "ground": None,
                              "explanation": explanation.strip()}
    if outcome == "disabled":
        detail["countries"] = _order_countries(countries) if notice.binding else _countries(countries)
    if outcome == "no_action" and not detail["reasons"]:
        raise InvalidInput("no_action needs the reasons", field="reasons")
    if outcome == "cannot_comply":
        _annex_iii(notice, ground, detail)
    return detail


def _annex_iii(notice: Notice, ground: str | None, detail: dict[str, Any]) -> None:
    if not notice.binding:
        raise InvalidInput("cannot_comply answers a removal order only", field="outcome")
    if ground not in ANNEX_III_GROUNDS:
        raise InvalidInput(f"ground is one of {', '.join(ANNEX_III_GROUNDS)} (Annex III)", field="ground")
    if not detail["explanation"]:
        raise InvalidInput("cannot_comply needs an explanation (Annex III)", field="explanation")
    detail["ground"] = ground


def check_answer(notice: Notice, outcome: str, countries: Sequence[str], reasons: str) -> list[str]:
    """Refuse an answer the notice cannot take, before anything is written; returns the countries (for a
    removal order answered ``disabled``, all Member States)."""
    return list(_outcome_detail(notice, outcome, countries, reasons, None, "")["countries"])


def decline(session: Session, clock: Clock, principal: Principal, notice_id: str, *, ground: str | None,
            explanation: str, automated: bool = False) -> Notice:
    """TCO Annex III: the provider cannot comply with a removal order (force majeure or de facto impossibility,
    manifest error, insufficient information). This is not a decision on the content: nothing was restricted,
    so there is no statement of reasons, preservation or user notice; the clock stops until a clarification
    starts a fresh hour, and the reports count the order as not executed. Every other answer is a decision
    (``accord.flows.decisions.answer_notice``)."""
    notice = for_provider(session, principal, notice_id)
    return record_outcome(session, clock, principal.actor, notice, outcome="cannot_comply", countries=(),
                          reasons="", ground=ground, explanation=explanation, automated=automated)


def record_outcome(session: Session, clock: Clock, actor: Actor, notice: Notice, *, outcome: str,
                   countries: Sequence[str], reasons: str, ground: str | None, explanation: str,
                   automated: bool, at: datetime | None = None) -> Notice:
    """Record one answer on the notice (Annex II/III feedback, the one-hour clock, the audit event). ``at`` is
    when the provider acted, if not now (feedback made elsewhere and imported, ``notices.feedback_import``)."""
    if notice.status not in OPEN_STATUSES:
        raise Conflict(f"the notice is {notice.status}; it cannot take an outcome now", field="status")
    detail = _outcome_detail(notice, outcome, countries, reasons, ground, explanation)
    if notice.acknowledged_at is None:
        _acknowledge(session, clock, actor, notice)
    now = at or clock.now()
    # A drill's lateness is told by its scorecard (accord.readiness), never recorded as a breach.
    late = notice.binding and not notice.drill and notice.deadline_at is not None and now > notice.deadline_at
    if late and notice.breached_at is None:
        mark_breach(session, clock, notice)
    if late:
        notice.breach_seconds = _seconds(notice.deadline_at, now)
    notice.outcome, notice.outcome_at, notice.outcome_detail = outcome, now, {**detail, "automated": automated}
    notice.answers = [*notice.answers, {"outcome": outcome, "at": _iso(now), **detail}]
    notice.status = "paused" if outcome == "cannot_comply" else "answered"
    if outcome == "cannot_comply":
        notice.deadline_at = None
    _record_outcome(session, clock, actor, notice, bool(late), automated)
    return notice


def _record_outcome(session: Session, clock: Clock, actor: Actor, notice: Notice, late: bool,
                    automated: bool) -> None:
    assert notice.outcome_at is not None  # set just before
    payload = {**_facts(notice), "outcome": notice.outcome, "countries": notice.outcome_detail["countries"],
               "ground": notice.outcome_detail["ground"], "seconds_to_act": _seconds(notice.received_at,
                                                                                     notice.outcome_at),
               "breach": late, "tco_types": notice.tco_types, "automated": automated}
    record(session, clock, actor, Event.NOTICES_NOTICE_OUTCOME, subject=notice.id, org_id=notice.provider_id,
           payload=payload)
    if notice.issuer_id:
        emit(session, clock, org_id=notice.issuer_id, event="notice.answered",
             data={"notice_id": notice.id, "reference": notice.reference, "outcome": notice.outcome,
                   "at": _iso(notice.outcome_at)})


def mark_breach(session: Session, clock: Clock, notice: Notice) -> None:
    """TCO Art. 3(3) missed: record the breach once per window, with how late it is now. A drill's hour
    passing pages the on-call path like a real one (``notice.breach``, marked ``drill``) but records no breach."""
    now = clock.now()
    if notice.drill:
        if DRILL_HOUR_PAGED in notice.escalated:
            return
        notice.escalated = [*notice.escalated, DRILL_HOUR_PAGED]
        emit(session, clock, org_id=notice.provider_id, event="notice.breach",
             data={"notice_id": notice.id, "reference": notice.reference, "drill": True,
                   "seconds_late": _seconds(notice.deadline_at, now)})
        return
    notice.breached_at = now
    notice.breach_seconds = _seconds(notice.deadline_at, now)
    record(session, clock, Actor.system(), Event.NOTICES_NOTICE_BREACH, subject=notice.id, org_id=notice.provider_id,
           payload={**_facts(notice), "seconds_late": notice.breach_seconds})
    data = {"notice_id": notice.id, "reference": notice.reference, "seconds_late": notice.breach_seconds}
    emit(session, clock, org_id=notice.provider_id, event="notice.breach", data=data)


def clarify(session: Session, clock: Clock, principal: Principal, notice_id: str, *, text: str) -> Notice:
    """After cannot_comply: the issuer's clarification, or the provider saying the ground has ceased, starts a
    fresh one-hour window (TCO Art. 3(7)-(8))."""
    notice = get_notice(session, principal, notice_id)
    if principal.org_id not in (notice.issuer_id, notice.provider_id):
        raise PermissionDenied("only the issuer or the provider clarifies an order")
    if notice.status != "paused":
        raise Conflict("only an order answered cannot_comply awaits a clarification", field="status")
    if not text.strip():
        raise InvalidInput("the clarification needs its text", field="text")
    now = clock.now()
    by = "issuer" if principal.org_id == notice.issuer_id else "provider"
    notice.answers = [*notice.answers, {"clarification": text.strip(), "by": by, "at": _iso(now)}]
    notice.status, notice.outcome, notice.outcome_at, notice.outcome_detail = "acknowledged", None, None, {}
    notice.window_started_at, notice.deadline_at = now, now + ONE_HOUR
    notice.escalated, notice.breached_at, notice.breach_seconds = [], None, None
    record(session, clock, principal.actor, Event.NOTICES_NOTICE_CLARIFY, subject=notice.id,
           payload={**_facts(notice), "by": by, "deadline_at": _iso(notice.deadline_at)})
    emit(session, clock, org_id=notice.provider_id, event="notice.clarified",
         data={"notice_id": notice.id, "deadline_at": _iso(notice.deadline_at), "text": text.strip()})
    return notice


def extend_nondisclosure(session: Session, clock: Clock, principal: Principal, notice_id: str, *,
                         days: int) -> Notice:
    """TCO Art. 11(3): the issuer may extend the non-disclosure period once, by up to six weeks."""
    notice = get_notice(session, principal, notice_id)
    if notice.issuer_id != principal.org_id:
        raise PermissionDenied("only the issuing authority extends the non-disclosure period")
    if notice.nondisclosure_until is None or notice.nondisclosure_until <= clock.now():
        raise Conflict("the order has no running non-disclosure period", field="nondisclosure_until")
    if notice.nondisclosure_extended:
        raise Conflict("the non-disclosure period was extended once already", field="days")
    if not 1 <= days <= kinds.MAX_NONDISCLOSURE_DAYS:
        raise InvalidInput(f"an extension is 1 to {kinds.MAX_NONDISCLOSURE_DAYS} days", field="days")
    notice.nondisclosure_until += timedelta(days=days)
    notice.nondisclosure_extended = True
    record(session, clock, principal.actor, Event.NOTICES_NONDISCLOSURE_EXTEND, subject=notice.id,
           payload={**_facts(notice), "until": _iso(notice.nondisclosure_until)})
    # The extension also reaches user notices already held for the order's case (rights follows it).
    enqueue(session, clock, "rights.follow_nondisclosure", {"provider_id": notice.provider_id,
            "case_id": notice.case_id, "until": _iso(notice.nondisclosure_until)}, org_id=notice.provider_id)
    return notice
