"""Banks and entries: visibility, the door for bad hashes, quarantine, curation and votes."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.audit.service import Actor
from accord.banks import service
from accord.banks.models import BankChange, EntryState
from accord.banks.service import EntryDetails, NewSignal
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.flows import incidents
from tests.unit.banks.helpers import PDQ_A, PDQ_B, bank_with, flip, org


def test_private_bank_is_invisible_to_others(session: Session, clock: FrozenClock) -> None:
    owner, other = org(session, clock), org(session, clock)
    bank = bank_with(session, clock, owner)
    assert service.get_bank(session, owner.org_id, "list").id == bank.id
    with pytest.raises(NotFound):
        service.get_bank(session, other.org_id, "list")
    with pytest.raises(NotFound):
        service.get_bank(session, other.org_id, bank.id)
    assert service.visible_banks(session, other.org_id) == []


def test_shared_with_named_and_with_all(session: Session, clock: FrozenClock) -> None:
    owner, named, stranger = org(session, clock, "coordinator"), org(session, clock), org(session, clock)
    shared = bank_with(session, clock, owner, "named", visibility="shared", shared_with=[named.org_id])
    everyone = bank_with(session, clock, owner, "all", values=(PDQ_B,), visibility="all")
    assert {b.id for b in service.visible_banks(session, named.org_id)} == {shared.id, everyone.id}
    assert {b.id for b in service.visible_banks(session, stranger.org_id)} == {everyone.id}


def test_a_bank_name_cannot_shadow_a_shared_one(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    shared = bank_with(session, clock, hub, "list", visibility="all")
    with pytest.raises(Conflict):
        bank_with(session, clock, provider, "list", values=())
    assert service.get_bank(session, provider.org_id, "list").id == shared.id


def test_a_name_two_visible_banks_share_needs_the_id(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    mine = bank_with(session, clock, provider, "list", values=())
    shared = bank_with(session, clock, hub, "list", visibility="all")
    with pytest.raises(Conflict):
        service.get_bank(session, provider.org_id, "list")
    assert service.get_bank(session, provider.org_id, shared.id).id == shared.id
    assert service.get_bank(session, provider.org_id, mine.id).id == mine.id


@pytest.mark.parametrize(
    ("signal", "reason"),
    [
        (NewSignal("pdq", "0" * 64), "all-zero"),
        (NewSignal("pdq", "ab" * 10), "64 hex digits, not 20"),
        (NewSignal("pdq", PDQ_A, quality=20), "quality 20"),
        (NewSignal("md5", "xyz"), "32 hex digits"),
        (NewSignal("tmk", "00"), "unknown signal type"),
    ],
)
def test_bad_hashes_are_refused_at_the_door(session: Session, clock: FrozenClock, signal: NewSignal,
                                            reason: str) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    with pytest.raises(InvalidInput, match=reason):
        service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_B), signal], EntryDetails())
    assert session.scalars(select(BankChange)).all() == [], "nothing reached the change log"


def test_labels_are_checked(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    with pytest.raises(InvalidInput, match="unknown label"):
        service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_A)], EntryDetails(labels=["bad"]))
    with pytest.raises(InvalidInput, match="list_source"):
        service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_A)],
                            EntryDetails(list_source="interpol"))


def test_entry_carries_labels_entity_and_metadata(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner, values=())
    details = EntryDetails(labels=["imminent_credible_threat"], incident_tags=["attack-2026"],
                           entity="Example Front", list_source="un", note="seen live", metadata={"tcap": 7})
    [entry] = service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_A.upper())], details)
    assert (entry.value, entry.labels, entry.incident_tags, entry.entity, entry.list_source) == (
        PDQ_A, ["imminent_credible_threat"], ["attack-2026"], "Example Front", "un")
    assert entry.metadata_ == {"tcap": 7}
    assert entry.state == EntryState.ACTIVE
    again = service.add_entries(session, clock, owner, bank, [NewSignal("pdq", PDQ_A)], EntryDetails())
    assert again[0].id == entry.id, "the same hash twice is one entry"


def test_contributions_wait_in_quarantine(session: Session, clock: FrozenClock) -> None:
    hub, provider = org(session, clock, "coordinator"), org(session, clock)
    closed = bank_with(session, clock, hub, "closed", values=(), visibility="all")
    with pytest.raises(PermissionDenied):
        service.add_entries(session, clock, provider, closed, [NewSignal("pdq", PDQ_A)], EntryDetails())
    open_bank = bank_with(session, clock, hub, "open", values=(), visibility="all", accepts_contributions=True)
    [entry] = service.add_entries(session, clock, provider, open_bank, [NewSignal("pdq", PDQ_A)], EntryDetails())
    assert entry.state == EntryState.QUARANTINED
    with pytest.raises(PermissionDenied):
        service.change_entry_state(session, clock, provider, open_bank, entry, "confirm")
    service.change_entry_state(session, clock, hub, open_bank, entry, "confirm")
    assert entry.state == EntryState.ACTIVE


def test_state_transitions(session: Session, clock: FrozenClock) -> None:
    owner = org(session, clock)
    bank = bank_with(session, clock, owner)
    entry = service.list_entries(session, bank)[0]
    service.change_entry_state(session, clock, owner, bank, entry, "disable", reason="mislabelled")
    with pytest.raises(Conflict):
        service.change_entry_state(session, clock, owner, bank, entry, "disable")
    service.change_entry_state(session, clock, owner, bank, entry, "enable")
    ops = session.scalars(select(BankChange.op).order_by(BankChange.seq)).all()
    assert ops == ["add", "disable", "enable"]
    tags = session.scalars(select(AuditEvent.tag).where(AuditEvent.tag.startswith("banks:"))
                           .order_by(AuditEvent.seq)).all()
    assert tags == ["banks:bank:create", "banks:entry:add", "banks:entry:disable", "banks:entry:enable"]


def test_a_coordinator_curates_banks_shared_with_all(session: Session, clock: FrozenClock) -> None:
    provider, hub = org(session, clock), org(session, clock, "coordinator")
    bank = bank_with(session, clock, provider, visibility="all")
    entry = service.list_entries(session, bank)[0]
    service.change_entry_state(session, clock, hub, bank, entry, "disable")
    assert entry.state == EntryState.DISABLED


def test_votes_owner_sees_all_voters_see_their_own(session: Session, clock: FrozenClock) -> None:
    hub, a, b = org(session, clock, "coordinator"), org(session, clock), org(session, clock)
    bank = bank_with(session, clock, hub, visibility="all")
    entry = service.list_entries(session, bank)[0]
    service.vote(session, clock, a, bank, entry, agree=True)
    service.vote(session, clock, b, bank, entry, agree=False, comment="news footage")
    service.vote(session, clock, a, bank, entry, agree=False)  # a vote can be changed
    assert {(v.org_id, v.agree) for v in service.votes_for(session, hub.org_id, bank, [entry.id])} == {
        (a.org_id, False), (b.org_id, False)}
    assert [v.org_id for v in service.votes_for(session, b.org_id, bank, [entry.id])] == [b.org_id]
    assert service.vote_tally(session, [entry.id]) == {entry.id: (0, 2)}
    with pytest.raises(InvalidInput, match="owner"):
        service.vote(session, clock, hub, bank, entry, agree=True)


def test_principal_for_defaults_to_the_coordinator(session: Session, clock: FrozenClock) -> None:
    with pytest.raises(InvalidInput, match="no coordinator"):
        service.principal_for(session, None)
    hub = org(session, clock, "coordinator")
    assert service.principal_for(session, None).org_id == hub.org_id
    with pytest.raises(NotFound):
        service.principal_for(session, "nobody")


def test_vpdq_is_optional() -> None:
    """vPDQ needs the ``video`` extra (and ffmpeg's development libraries); without it the type is absent."""
    import importlib.util

    from accord.signals import SIGNAL_TYPES

    if importlib.util.find_spec("vpdq") is None:
        assert "vpdq" not in SIGNAL_TYPES
        with pytest.raises(InvalidInput, match="unknown signal type"):
            service.check_signal(NewSignal("vpdq", "0,abc"))
        pytest.skip("vpdq is not installed (pip install -e '.[video]')")
    example = SIGNAL_TYPES["vpdq"].tx_type.get_examples()[0]
    assert service.check_signal(NewSignal("vpdq", example)).value == example  # banked: it has a match index


def test_entries_added_to_an_incident_bank_carry_the_incident_tag(session: Session, clock: FrozenClock) -> None:
    hub, member = org(session, clock, "coordinator"), org(session, clock)
    actor = Actor("test:hub", hub.org_id)
    incident = incidents.declare_incident(session, clock, actor, coordinator_id=hub.org_id, title="Attack",
                                          level="content_incident_protocol", member_ids=[member.org_id],
                                          criteria=dict.fromkeys(incidents.CRITERIA, True))
    crisis = service.get_bank(session, hub.org_id, str(incident.bank_id))
    ordinary = bank_with(session, clock, hub, "ordinary", values=())
    [tagged] = service.add_entries(session, clock, hub, crisis, [NewSignal("pdq", PDQ_A)], EntryDetails())
    [both] = service.add_entries(session, clock, hub, crisis, [NewSignal("pdq", PDQ_B)],
                                 EntryDetails(incident_tags=["regional-cell"]))
    [plain] = service.add_entries(session, clock, hub, ordinary, [NewSignal("pdq", PDQ_A)], EntryDetails())
    assert tagged.incident_tags == [incident.tag] and plain.incident_tags == []
    assert both.incident_tags == sorted([incident.tag, "regional-cell"]), "a tag the caller gave is kept"
    events = session.scalars(select(AuditEvent).where(AuditEvent.tag == "banks:entry:add")).all()
    assert {e.payload["entry_ids"][0]: e.payload["incident_tags"] for e in events} == {
        tagged.id: [incident.tag], both.id: sorted([incident.tag, "regional-cell"]), plain.id: []}

    clock.advance(hours=2)
    incidents.conclude_incident(session, clock, actor, coordinator_id=hub.org_id, incident_id=incident.id)
    clock.advance(minutes=1)
    [late] = service.add_entries(session, clock, hub, crisis, [NewSignal("pdq", flip(PDQ_A, 40))], EntryDetails())
    assert late.incident_tags == [], "after the conclusion the bank is an ordinary bank again"
