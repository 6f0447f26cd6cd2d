"""Lists and entries: the serial grows with every change of the export and only then; states move as the law
says; every change leaves an audit event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.blocklists import appeals, jobs, operators, service
from accord.blocklists.models import BlocklistSerial
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound
from accord.identity.models import Organisation
from accord.identity.scopes import ALL_SCOPES
from accord.identity.service import Principal
from accord.jobs.registry import JobContext
from accord.settings import Settings
from accord.transparency import reports
from tests.factories import OrgHandle, make_org


def _as(handle: OrgHandle) -> Principal:
    return Principal(org_id=handle.id, org_kind=handle.kind, ref="test", scopes=frozenset(ALL_SCOPES))


def _spec(value: str, **extra: object) -> service.EntrySpec:
    return service.EntrySpec(type="domain", value=value, reason="propaganda", subdomains=True, **extra)  # type: ignore[arg-type]


@pytest.fixture
def parties(session: Session, clock: FrozenClock) -> dict[str, Principal]:
    return {kind: _as(make_org(session, clock, kind)) for kind in ("authority", "overseer", "network_operator")}


def test_the_serial_grows_only_when_the_export_changes(session: Session, clock: FrozenClock, settings: Settings,
                                                       parties: dict[str, Principal]) -> None:
    authority, overseer = parties["authority"], parties["overseer"]
    blocklist = service.create_list(session, clock, settings, authority, service.ListSpec(
        name="fr", kind="dns_block", legal_basis="law", review_required=True, overseer_id=overseer.org_id))
    first = service.add_entry(session, clock, settings, authority, blocklist.id, _spec("a.example"))
    assert (first.state, blocklist.serial) == ("proposed", 1)  # nothing live yet
    service.object_to(session, clock, overseer, blocklist.id, first.id, "doubtful")
    assert blocklist.serial == 1  # a proposed entry was not in the zone
    service.answer_objection(session, clock, authority, blocklist.id, first.id, decision="maintain", text="sure")
    assert first.state == "proposed"
    service.review(session, clock, overseer, blocklist.id, first.id)
    assert (first.state, blocklist.serial) == ("active", 2)
    service.object_to(session, clock, overseer, blocklist.id, first.id, "now doubtful")
    assert (first.state, blocklist.serial) == ("suspended", 3)
    service.answer_objection(session, clock, authority, blocklist.id, first.id, decision="delist", text="agreed")
    assert (first.state, blocklist.serial) == ("delisted", 3)  # already out of the zone
    serials = list(session.scalars(select(BlocklistSerial.serial).where(BlocklistSerial.blocklist_id == blocklist.id)
                                   .order_by(BlocklistSerial.serial)))
    assert serials == [1, 2, 3]
    tags = [e.tag for e in session.scalars(select(AuditEvent).where(AuditEvent.subject == first.id))]
    assert tags.count("blocklists:entry:object") == 2 and "blocklists:entry:delist" in tags


def test_review_is_the_overseers_and_the_list_the_authoritys(session: Session, clock: FrozenClock,
                                                             settings: Settings, parties: dict[str, Principal]) -> None:
    authority, overseer, operator = parties["authority"], parties["overseer"], parties["network_operator"]
    blocklist = service.create_list(session, clock, settings, authority, service.ListSpec(
        name="fr", kind="dns_block", legal_basis="law", review_required=True, overseer_id=overseer.org_id))
    entry = service.add_entry(session, clock, settings, authority, blocklist.id, _spec("a.example"))
    with pytest.raises(NotFound):
        service.review(session, clock, authority, blocklist.id, entry.id)
    with pytest.raises(NotFound):
        service.add_entry(session, clock, settings, overseer, blocklist.id, _spec("b.example"))
    with pytest.raises(NotFound):
        service.get_list(session, operator, blocklist.id)
    with pytest.raises(Conflict):
        service.add_entry(session, clock, settings, authority, blocklist.id, _spec("A.example."))
    with pytest.raises(InvalidInput, match="overseer"):
        service.create_list(session, clock, settings, authority, service.ListSpec(
            name="other", kind="dns_block", legal_basis="law", review_required=True, overseer_id=operator.org_id))


def test_expiry_ends_the_entry_and_publishes_once(session: Session, clock: FrozenClock, settings: Settings,
                                                  parties: dict[str, Principal]) -> None:
    authority = parties["authority"]
    blocklist = service.create_list(session, clock, settings, authority,
                                    service.ListSpec(name="fr", kind="dns_block", legal_basis="law"))
    service.add_entry(session, clock, settings, authority, blocklist.id,
                      _spec("a.example", expires_at=clock.now() + timedelta(hours=1)))
    service.add_entry(session, clock, settings, authority, blocklist.id, _spec("b.example"))
    assert blocklist.serial == 3
    clock.advance(hours=1)
    context = JobContext(session, clock, settings, "t")
    assert (jobs.expire_due(context), jobs.expire_due(context)) == (1, 0)
    assert blocklist.serial == 4
    assert [e.value for e in service.live_entries(session, blocklist)] == ["b.example"]


def test_an_operator_that_applied_an_old_serial_is_late_after_the_clock(session: Session, clock: FrozenClock,
                                                                        settings: Settings,
                                                                        parties: dict[str, Principal]) -> None:
    authority, operator = parties["authority"], parties["network_operator"]
    blocklist = service.create_list(session, clock, settings, authority,
                                    service.ListSpec(name="fr", kind="dns_block", legal_basis="law"))
    subscription, _ = operators.subscribe(session, clock, authority, blocklist.id, operator.org_id)
    operators.applied(session, clock, operator, blocklist.id, 1)
    assert operators.compliance_of(session, clock, blocklist, subscription, "op").status == "current"
    clock.advance(hours=1)
    service.add_entry(session, clock, settings, authority, blocklist.id, _spec("a.example"))
    clock.advance(hours=24)
    row = operators.compliance_of(session, clock, blocklist, subscription, "op")
    assert (row.status, row.behind, row.due_at) == ("pending", 1, clock.now())  # due at this very moment
    clock.advance(seconds=1)
    assert operators.compliance_of(session, clock, blocklist, subscription, "op").status == "late"
    operators.applied(session, clock, operator, blocklist.id, 2)
    assert operators.compliance_of(session, clock, blocklist, subscription, "op").status == "current"


def test_the_authoritys_yearly_report_counts_its_lists_from_the_audit_trail(
        session: Session, clock: FrozenClock, settings: Settings, parties: dict[str, Principal]) -> None:
    authority, overseer = parties["authority"], parties["overseer"]
    blocklist = service.create_list(session, clock, settings, authority, service.ListSpec(
        name="fr", kind="dns_block", legal_basis="law", overseer_id=overseer.org_id))
    kept = service.add_entry(session, clock, settings, authority, blocklist.id, _spec("a.example"))
    gone = service.add_entry(session, clock, settings, authority, blocklist.id, _spec("b.example"))
    service.object_to(session, clock, overseer, blocklist.id, kept.id, "doubtful")
    service.answer_objection(session, clock, authority, blocklist.id, kept.id, decision="maintain", text="sure")
    appeal = appeals.file_appeal(session, clock, settings, blocklist.id, value="b.example", statement="wrong",
                                 contact="owner@b.example")
    appeals.answer_appeal(session, clock, authority, blocklist.id, appeal.id, outcome="delisted", reasons="ok")
    session.commit()
    org = session.get(Organisation, authority.org_id)
    assert org is not None
    section = reports.authority_report(session, clock, org=org, year=clock.now().year)["blocking_lists"]
    assert (section["entries_added"], section["entries_by_type"], section["delisted"]) == (2, {"domain": 2}, 1)
    assert (section["overseer_objections"], section["objections_answered"]) == (1, {"maintain": 1})
    assert (section["appeals"], section["appeals_by_outcome"]) == (1, {"delisted": 1})
    assert gone.state == "delisted"
