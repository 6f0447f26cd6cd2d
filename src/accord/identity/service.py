"""Organisations, members and API keys.

API keys are random, shown once, stored as a SHA-256 digest (they carry 256 bits of entropy, so a slow hash
adds nothing) and found by their public prefix. Member passwords are hashed with argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from accord.audit.catalogue import Event
from accord.audit.service import Actor, record
from accord.clock import Clock
from accord.db import TRANSACTION_CACHE, new_id
from accord.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from accord.identity.languages import check_contact_languages
from accord.identity.models import ORG_KINDS, ROLES, ApiKey, Member, Organisation
from accord.identity.scopes import ALL_SCOPES

KEY_PREFIX = "acc"
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request: an organisation plus what it may do."""

    org_id: str
    org_kind: str
    ref: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    role: str | None = None
    member_id: str | None = None
    # Who is signed in, for people to read (the UI header): "Name, Organisation"; empty for API keys.
    display: str = ""

    @property
    def actor(self) -> Actor:
        return Actor(self.ref, self.org_id)

    def require_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise PermissionDenied(f"this key lacks the scope {scope!r}")

    def require_kind(self, *kinds: str) -> None:
        if self.org_kind not in kinds:
            raise PermissionDenied(f"only {', '.join(kinds)} organisations may do this")

    def require_role(self, *roles: str) -> None:
        if self.role is not None and self.role not in roles and self.role != "admin":
            raise PermissionDenied(f"this needs the role {' or '.join(roles)}")


# ---- organisations ---------------------------------------------------------------------------------


def _check_country(country: str | None) -> str | None:
    if country is None:
        return None
    value = country.strip().upper()
    if not _COUNTRY.match(value):
        raise InvalidInput("country must be an ISO 3166-1 alpha-2 code such as FR", field="country")
    return value


def _check_languages(languages: Sequence[str]) -> list[str]:
    out = [lang.strip().lower() for lang in languages]
    for lang in out:
        if not _LANGUAGE.match(lang):
            raise InvalidInput(f"language {lang!r} is not an ISO 639-1 code", field="contact_languages")
    return out


def create_organisation(
    session: Session,
    clock: Clock,
    actor: Actor,
    *,
    kind: str,
    name: str,
    country: str | None = None,
    contact_email: str | None = None,
    contact_languages: Sequence[str] = (),
) -> Organisation:
    """Admit an organisation of one of the five kinds."""
    if kind not in ORG_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(ORG_KINDS)}", field="kind")
    if not name.strip():
        raise InvalidInput("name must not be empty", field="name")
    if session.scalar(select(Organisation.id).where(Organisation.name == name.strip())):
        raise Conflict(f"an organisation named {name!r} exists already", field="name")
    org = Organisation(
        id=new_id("org"),
        kind=kind,
        name=name.strip(),
        country=_check_country(country),
        contact_email=contact_email,
        contact_languages=_check_languages(contact_languages),
        created_at=clock.now(),
    )
    session.add(org)
    session.flush()
    record(session, clock, actor, Event.IDENTITY_ORGANISATION_CREATE, subject=org.id, org_id=org.id,
           payload={"kind": kind, "name": org.name, "country": org.country})
    return org


def get_organisation(session: Session, org_ref: str) -> Organisation:
    """Find an organisation by id or exact name."""
    org = session.get(Organisation, org_ref) or session.scalar(
        select(Organisation).where(Organisation.name == org_ref)
    )
    if org is None:
        raise NotFound(f"no organisation {org_ref!r}")
    return org


def list_organisations(session: Session, kind: str | None = None) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.created_at, Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    return list(session.scalars(query))


def update_contact_point(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    email: str | None,
    phone: str | None,
    languages: Sequence[str],
) -> Organisation:
    """TCO Art. 15: the contact point that receives orders, and the languages it accepts."""
    org = get_organisation(session, principal.org_id)
    if email is not None and not _EMAIL.match(email):
        raise InvalidInput("email is not an email address", field="email")
    checked = _check_languages(languages)
    if org.kind == "provider":
        check_contact_languages(org.country, checked)
    org.contact_email, org.contact_phone = email, phone
    org.contact_languages = checked
    record(session, clock, principal.actor, Event.IDENTITY_ORGANISATION_CONTACT_POINT,
           subject=org.id, payload={"email": email, "languages": org.contact_languages})
    return org


# ---- members -----------------------------------------------------------------------------------------


def add_member(
    session: Session,
    clock: Clock,
    actor: Actor,
    *,
    org_id: str,
    email: str,
    name: str,
    role: str,
    password: str,
) -> Member:
    """Add a person to an organisation with one role; the password is stored as an argon2 hash."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput("email is not an email address", field="email")
    if len(password) < 12:
        raise InvalidInput("password must have at least 12 characters", field="password")
    if session.scalar(select(Member.id).where(Member.email == email)):
        raise Conflict(f"a member with email {email} exists already", field="email")
    member = Member(
        id=new_id("mem"), org_id=org_id, email=email, name=name.strip() or email, role=role,
        password_hash=_hasher.hash(password), created_at=clock.now(),
    )
    session.add(member)
    session.flush()
    record(session, clock, actor, Event.IDENTITY_MEMBER_ADD, subject=member.id, org_id=org_id,
           payload={"email": email, "role": role})
    return member


def list_members(session: Session, org_id: str) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.org_id == org_id).order_by(Member.created_at)))


def login(session: Session, clock: Clock, email: str, password: str) -> Principal:
    """Check a member's password; the same error for an unknown email and a wrong password."""
    member = session.scalar(select(Member).where(Member.email == email.strip().lower()))
    if member is None or not member.active or not _password_ok(member.password_hash, password):
        raise NotAuthenticated("email or password is wrong")
    member.last_login_at = clock.now()
    return member_principal(session, member)


def _password_ok(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def member_principal(session: Session, member: Member) -> Principal:
    org = session.get(Organisation, member.org_id)
    assert org is not None  # the foreign key guarantees it
    return Principal(
        org_id=org.id, org_kind=org.kind, ref=f"member:{member.id}", scopes=frozenset(ALL_SCOPES),
        role=member.role, member_id=member.id, display=f"{member.name}, {org.name}",
    )


def principal_for_member_id(session: Session, member_id: str) -> Principal:
    member = session.get(Member, member_id)
    if member is None or not member.active:
        raise NotAuthenticated("this login is no longer valid")
    return member_principal(session, member)


# ---- API keys ----------------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_scopes(scopes: Sequence[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise InvalidInput(f"unknown scope(s): {', '.join(unknown)}", field="scopes")
    return sorted(set(scopes)) if scopes else list(ALL_SCOPES)


def create_key(
    session: Session,
    clock: Clock,
    actor: Actor,
    *,
    org_id: str,
    name: str = "",
    scopes: Sequence[str] = (),
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plain text, which is never stored nor shown again."""
    prefix = secrets.token_hex(6)
    plain = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        id=new_id("key"), org_id=org_id, prefix=prefix, secret_hash=_digest(plain),
        name=name or f"key {prefix}", scopes=_check_scopes(scopes), created_at=clock.now(),
    )
    session.add(key)
    session.flush()
    record(session, clock, actor, Event.IDENTITY_API_KEY_CREATE, subject=key.id, org_id=org_id,
           payload={"prefix": prefix, "scopes": key.scopes})
    return key, plain


def list_keys(session: Session, org_id: str) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.created_at)))


def revoke_key(session: Session, clock: Clock, actor: Actor, *, key_ref: str, org_id: str | None,
               confirm: bool = False) -> ApiKey:
    """Revoke by id or prefix. ``org_id`` scopes the lookup (None only for the operator's CLI).

    A key revoking itself cuts off whoever holds it, often the only integration an organisation has, so it
    must say ``confirm``; another admin key or the operator's CLI need not."""
    key = session.scalar(select(ApiKey).where((ApiKey.id == key_ref) | (ApiKey.prefix == key_ref)))
    if key is None or (org_id is not None and key.org_id != org_id):
        raise NotFound(f"no key {key_ref!r}")
    if actor.ref == f"key:{key.prefix}" and key.revoked_at is None and not confirm:
        raise Conflict("this is the key making the request: revoking it ends this caller's access. Send "
                       "confirm=true, or revoke it with another admin key", field="confirm")
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        record(session, clock, actor, Event.IDENTITY_API_KEY_REVOKE, subject=key.id, org_id=key.org_id,
               payload={"prefix": key.prefix})
    return key


# Built once: constructing a statement costs about as much as running it (every request authenticates).
_KEY_AND_ORGANISATION = (select(ApiKey, Organisation).join(Organisation, Organisation.id == ApiKey.org_id)
                         .where(ApiKey.prefix == bindparam("prefix")))
_KEYS_AND_ORGANISATIONS = (select(ApiKey, Organisation).join(Organisation, Organisation.id == ApiKey.org_id)
                           .where(ApiKey.prefix.in_(bindparam("prefixes", expanding=True))))


def authenticate_key(session: Session, clock: Clock, plain: str) -> Principal:
    """Turn a bearer token into a principal, or raise NotAuthenticated (unknown, malformed or revoked)."""
    prefix = _key_prefix(plain)
    # One round trip: the key and its organisation (which the request will usually need again).
    found = session.execute(_KEY_AND_ORGANISATION, {"prefix": prefix}).first()
    principal = _principal(clock, plain, None if found is None else (found[0], found[1]))
    _keep_organisations(session, [found[1]] if found is not None else [])
    return principal


def authenticate_keys(session: Session, clock: Clock, plains: Iterable[str]) -> dict[str, Principal | NotAuthenticated]:
    """``authenticate_key`` for many tokens in one query: each token's principal, or the refusal it earns."""
    answers: dict[str, Principal | NotAuthenticated] = {}
    prefixes: dict[str, str] = {}
    for plain in set(plains):
        try:
            prefixes[plain] = _key_prefix(plain)
        except NotAuthenticated as exc:
            answers[plain] = exc
    found: dict[str, tuple[ApiKey, Organisation]] = {}
    if prefixes:
        rows = session.execute(_KEYS_AND_ORGANISATIONS, {"prefixes": sorted(set(prefixes.values()))})
        found = {key.prefix: (key, org) for key, org in rows}
    _keep_organisations(session, [org for _, org in found.values()])
    for plain, prefix in prefixes.items():
        try:
            answers[plain] = _principal(clock, plain, found.get(prefix))
        except NotAuthenticated as exc:
            answers[plain] = exc
    return answers


def _keep_organisations(session: Session, orgs: list[Organisation]) -> None:
    # The identity map holds objects weakly; keeping the organisations for the transaction lets the request's
    # later ``session.get(Organisation, principal.org_id)`` answer without another round trip.
    session.info[TRANSACTION_CACHE + "identity.organisations"] = orgs


def _key_prefix(plain: str) -> str:
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise NotAuthenticated("the API key is malformed")
    return parts[1]


def _principal(clock: Clock, plain: str, found: tuple[ApiKey, Organisation] | None) -> Principal:
    if found is None or not hmac.compare_digest(found[0].secret_hash, _digest(plain)):
        raise NotAuthenticated("the API key is not valid")
    key, org = found
    if key.revoked_at is not None:
        raise NotAuthenticated("the API key was revoked")
    _touch(key, clock)
    return Principal(org_id=org.id, org_kind=org.kind, ref=f"key:{key.prefix}", scopes=frozenset(key.scopes))


def _touch(key: ApiKey, clock: Clock) -> None:
    # Writing on every request would serialise the API on SQLite; a minute's precision is enough.
    now = clock.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        key.last_used_at = now


# ---- the organisation's details printed in TCO Annex II/III (section C) --------------------------------------

_PROFILE_FIELDS = {"legal_representative": ("name", "member_state", "address"),
                   "authorised_person": ("name", "post", "email")}


def _profile_part(name: str, value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    for extra in sorted(set(value) - set(_PROFILE_FIELDS[name])):
        raise InvalidInput(f"{extra} is not a field of {name}", field=f"{name}.{extra}")
    part: dict[str, Any] = {key: str(value[key]).strip() for key in _PROFILE_FIELDS[name] if value.get(key)}
    if not part.get("name"):
        raise InvalidInput(f"{name} needs a name", field=f"{name}.name")
    if "member_state" in part:
        part["member_state"] = _check_country(part["member_state"])
    return part


def set_annex_profile(session: Session, clock: Clock, principal: Principal, *,
                      legal_representative: Mapping[str, Any] | None,
                      authorised_person: Mapping[str, Any] | None) -> Organisation:
    """A provider's legal representative (TCO Art. 17, for one established outside the Union) and the person
    authorised to sign its feedback: printed in section C of Annex II and III."""
    org = get_organisation(session, principal.org_id)
    profile = {"legal_representative": _profile_part("legal_representative", legal_representative),
               "authorised_person": _profile_part("authorised_person", authorised_person)}
    org.settings = {**(org.settings or {}), "annex": profile}
    record(session, clock, principal.actor, Event.IDENTITY_ORGANISATION_ANNEX_PROFILE, subject=org.id,
           payload={"legal_representative": bool(profile["legal_representative"]),
                    "authorised_person": bool(profile["authorised_person"])})
    return org
