from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from accord.audit.service import Actor
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from accord.identity import service
from accord.identity.models import ApiKey

OP = Actor("test", None)


def _org(session: Session, clock: FrozenClock, name: str = "Hoster", kind: str = "provider") -> str:
    return service.create_organisation(session, clock, OP, kind=kind, name=name, country="de").id


def test_key_is_shown_once_and_stored_hashed(session: Session, clock: FrozenClock) -> None:
    org_id = _org(session, clock)
    key, plain = service.create_key(session, clock, OP, org_id=org_id, scopes=["notices:read"])
    stored = session.get(ApiKey, key.id)
    assert stored is not None and plain not in (stored.secret_hash, stored.prefix)
    assert plain.startswith(f"acc_{stored.prefix}_")
    principal = service.authenticate_key(session, clock, plain)
    assert principal.org_id == org_id and principal.scopes == frozenset({"notices:read"})
    assert stored.last_used_at == clock.now()


def test_revoked_and_wrong_keys_are_refused(session: Session, clock: FrozenClock) -> None:
    org_id = _org(session, clock)
    key, plain = service.create_key(session, clock, OP, org_id=org_id)
    with pytest.raises(NotAuthenticated):
        service.authenticate_key(session, clock, plain[:-2] + "xx")
    with pytest.raises(NotAuthenticated):
        service.authenticate_key(session, clock, "garbage")
    service.revoke_key(session, clock, OP, key_ref=key.prefix, org_id=org_id)
    with pytest.raises(NotAuthenticated, match="revoked"):
        service.authenticate_key(session, clock, plain)


def test_revoking_another_organisations_key_is_not_found(session: Session, clock: FrozenClock) -> None:
    mine, theirs = _org(session, clock, "Mine"), _org(session, clock, "Theirs")
    key, _ = service.create_key(session, clock, OP, org_id=theirs)
    with pytest.raises(NotFound):
        service.revoke_key(session, clock, OP, key_ref=key.id, org_id=mine)


def test_unknown_scope_is_refused(session: Session, clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput, match="unknown scope") as info:
        service.create_key(session, clock, OP, org_id=_org(session, clock), scopes=["root"])
    assert info.value.field == "scopes"


def test_organisation_validation(session: Session, clock: FrozenClock) -> None:
    _org(session, clock, "Dup")
    with pytest.raises(Conflict):
        _org(session, clock, "Dup")
    with pytest.raises(InvalidInput, match="kind"):
        _org(session, clock, "X", kind="government")
    with pytest.raises(InvalidInput) as info:
        service.create_organisation(session, clock, OP, kind="provider", name="Y", country="France")
    assert info.value.field == "country"


def test_password_login_uses_argon2(session: Session, clock: FrozenClock) -> None:
    org_id = _org(session, clock)
    member = service.add_member(session, clock, OP, org_id=org_id, email="Rev@Example.org", name="Rev",
                                role="reviewer", password="a long enough password")
    assert member.password_hash.startswith("$argon2")
    principal = service.login(session, clock, "rev@example.org", "a long enough password")
    assert principal.role == "reviewer" and principal.member_id == member.id
    with pytest.raises(NotAuthenticated):
        service.login(session, clock, "rev@example.org", "wrong password!!")
    with pytest.raises(PermissionDenied):
        principal.require_role("admin")


def test_short_password_and_bad_role_refused(session: Session, clock: FrozenClock) -> None:
    org_id = _org(session, clock)
    with pytest.raises(InvalidInput, match="12"):
        service.add_member(session, clock, OP, org_id=org_id, email="a@b.org", name="", role="admin",
                           password="short")
    with pytest.raises(InvalidInput, match="role"):
        service.add_member(session, clock, OP, org_id=org_id, email="a@b.org", name="", role="god",
                           password="long enough password")
