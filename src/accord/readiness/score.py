"""The readiness score of a provider: can it meet the one-hour rule at 3 a.m.?

Seven items, each green or red, each saying how to fix it with a link to the page that does it:

- ``contact_point``: a contact point for orders with the languages it accepts (TCO Art. 15);
- ``webhook_tested``: an on-call webhook that answered a signed test in the last 30 days;
- ``two_people``: at least two active people who can act on an order (admins or reviewers);
- ``policy``: a policy in force (what the provider removes and why);
- ``drill_passed``: a drill acted on within its hour in the last 90 days (``accord.readiness.drills``);
- ``keys_rotated``: no API key nor signing key older than a year;
- ``micro_small_profile``: the micro/small enterprise profile declared, either way (DSA Art. 15(2), 19).

The coordinator reads every provider's score (its overview); a provider reads its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.clock import Clock, as_utc
from accord.errors import NotFound, PermissionDenied
from accord.identity.languages import includes_establishment_language
from accord.identity.models import ApiKey, Member, Organisation, SigningKey
from accord.identity.service import Principal
from accord.jobs.models import Job, WebhookEndpoint
from accord.jobs.webhooks import TEST_EVENT
from accord.policies.service import active_version
from accord.readiness import drills
from accord.rights.profile import PROFILE_KEY

WEBHOOK_TEST_DAYS = 30
DRILL_DAYS = 90
KEY_MAX_AGE = timedelta(days=365)
ACTING_ROLES = ("admin", "reviewer")


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    ok: bool
    detail: str
    fix: str
    link: str


@dataclass(frozen=True)
class Readiness:
    provider_id: str
    provider_name: str
    items: list[Item]

    @property
    def passed(self) -> int:
        return sum(item.ok for item in self.items)

    @property
    def ready(self) -> bool:
        return self.passed == len(self.items)

    @property
    def gaps(self) -> list[Item]:
        return [item for item in self.items if not item.ok]


Check = Callable[[Session, Clock, Organisation], Item]


def _contact_point(session: Session, clock: Clock, org: Organisation) -> Item:
    own = includes_establishment_language(org.country, org.contact_languages) is not False  # TCO Art. 15(2)
    ok = bool(org.contact_email and org.contact_languages) and own
    detail = (f"{org.contact_email} ({', '.join(org.contact_languages)})" if ok
              else "no contact e-mail" if not org.contact_email else "no accepted languages"
              if not org.contact_languages else f"no official language of {org.country} accepted")
    return Item("contact_point", "Contact point with accepted languages (TCO Art. 15)", ok, detail,
                "Set the contact e-mail and the languages orders may be written in.", "/ui/settings")


def _tested_at(session: Session, clock: Clock, org_id: str) -> datetime | None:
    since = clock.now() - timedelta(days=WEBHOOK_TEST_DAYS)
    query = select(Job).where(Job.kind == "webhook.deliver", Job.org_id == org_id, Job.state == "done",
                              Job.finished_at >= since).order_by(Job.finished_at.desc())
    active = set(session.scalars(select(WebhookEndpoint.id).where(WebhookEndpoint.org_id == org_id,
                                                                  WebhookEndpoint.active.is_(True))))
    for job in session.scalars(query):
        if job.payload.get("event") == TEST_EVENT and job.payload.get("endpoint_id") in active:
            return job.finished_at
    return None


def _webhook_tested(session: Session, clock: Clock, org: Organisation) -> Item:
    answered = _tested_at(session, clock, org.id)
    detail = f"a signed test answered on {as_utc(answered):%Y-%m-%d %H:%M} UTC" if answered else \
        f"no signed test answered in the last {WEBHOOK_TEST_DAYS} days"
    return Item("webhook_tested", "On-call webhook answered a signed test (30 days)", answered is not None, detail,
                "Add a webhook endpoint for the on-call person, then send it a signed test.", "/ui/readiness")


def _two_people(session: Session, clock: Clock, org: Organisation) -> Item:
    count = len(list(session.scalars(select(Member.id).where(Member.org_id == org.id, Member.active.is_(True),
                                                             Member.role.in_(ACTING_ROLES)))))
    return Item("two_people", "At least two people who can act", count >= 2, f"{count} admin or reviewer",
                "Add a second admin or reviewer, so that an order never waits for one person.", "/ui/settings#members")


def _policy(session: Session, clock: Clock, org: Organisation) -> Item:
    found = active_version(session, org.id)
    detail = f"version {found[0].number} in force" if found else "no policy in force"
    return Item("policy", "A policy in force", found is not None, detail,
                "Write the policy (what you remove and why) and activate it.", "/ui/policies")


def _drill_passed(session: Session, clock: Clock, org: Organisation) -> Item:
    since = clock.now() - timedelta(days=DRILL_DAYS)
    recent = [d for d in drills.drills_of_provider(session, org.id) if d.sent_at and as_utc(d.sent_at) >= since]
    passed = [d for d in recent if drills.scorecard(session, clock, d).passed]
    detail = f"passed on {as_utc(passed[0].sent_at or clock.now()):%Y-%m-%d}" if passed else \
        f"{len(recent)} drill(s) in the last {DRILL_DAYS} days, none acted on within the hour"
    return Item("drill_passed", "A drill passed (90 days)", bool(passed), detail,
                "Run a self-drill: an order arrives at a random moment; act on it within the hour.",
                "/ui/readiness/drills")


def _keys_rotated(session: Session, clock: Clock, org: Organisation) -> Item:
    cutoff = clock.now() - KEY_MAX_AGE
    old_api = [k.prefix for k in session.scalars(select(ApiKey).where(ApiKey.org_id == org.id,
                                                                     ApiKey.revoked_at.is_(None)))
               if as_utc(k.created_at) < cutoff]
    signing = session.scalars(select(SigningKey).where(SigningKey.org_id == org.id,
                                                       SigningKey.retired_at.is_(None))).first()
    old_signing = signing is not None and as_utc(signing.created_at) < cutoff
    ok = not old_api and not old_signing
    detail = "every key younger than a year" if ok else \
        ", ".join([*(f"API key {p}" for p in old_api), *(["the signing key"] if old_signing else [])]) + \
        " older than a year"
    return Item("keys_rotated", "Keys rotated (a year at most)", ok, detail,
                "Create a new API key and revoke the old one; rotate the signing key (accord keys rotate).",
                "/ui/settings#keys")


def _micro_small(session: Session, clock: Clock, org: Organisation) -> Item:
    settings = org.settings or {}
    declared = PROFILE_KEY in settings
    detail = ("micro or small enterprise" if settings[PROFILE_KEY] else "not a micro or small enterprise") \
        if declared else "not declared"
    return Item("micro_small_profile", "Micro/small enterprise profile set", declared, detail,
                "Say whether you are a micro or small enterprise: it changes your reporting duties.", "/ui/rights")


CHECKS: tuple[Check, ...] = (_contact_point, _webhook_tested, _two_people, _policy, _drill_passed, _keys_rotated,
                             _micro_small)


def of_provider(session: Session, clock: Clock, provider_id: str) -> Readiness:
    org = session.get(Organisation, provider_id)
    if org is None or org.kind != "provider":
        raise NotFound(f"no provider {provider_id!r}")
    return Readiness(org.id, org.name, [check(session, clock, org) for check in CHECKS])


def visible(session: Session, clock: Clock, principal: Principal) -> list[Readiness]:
    """A provider's own score; the coordinator's overview of every provider."""
    if principal.org_kind == "provider":
        return [of_provider(session, clock, principal.org_id)]
    if principal.org_kind != "coordinator":
        raise PermissionDenied("providers read their readiness; the coordinator reads every provider's")
    providers = session.scalars(select(Organisation.id).where(Organisation.kind == "provider")
                                .order_by(Organisation.name))
    return [of_provider(session, clock, org_id) for org_id in providers]
