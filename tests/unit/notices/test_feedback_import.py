"""EUR-03: Annex II/III feedback made in another system, imported onto the order it answers.

Two instances: the order is issued on one (where the provider answers it) and imported as Annex I into another
(as an authority using PERCI would); the provider's signed Annex II or III then comes back into the second one
and is recorded there at the time the provider acted."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.flows import decisions as flows
from accord.identity.signing import sign_document
from accord.notices import annex, feedback, feedback_import
from accord.notices.models import Notice
from accord.settings import Settings
from tests.factories import OrgHandle
from tests.unit.notices.helpers import principal
from tests.unit.notices.test_annex import _fresh, _order


class Elsewhere:
    """The second instance, holding the imported order."""

    def __init__(self, session: Session, handles: dict[str, OrgHandle], order: Notice) -> None:
        self.session, self.handles, self.order = session, handles, order

    def take(self, clock: FrozenClock, settings: Settings, doc: dict[str, Any]) -> Notice:
        return feedback_import.import_feedback(self.session, clock, settings, principal(self.handles["authority"]),
                                               doc)


@pytest.fixture
def world(session: Session, clock: FrozenClock, settings: Settings,
          tmp_path: Path) -> Iterator[tuple[Notice, OrgHandle, Elsewhere]]:
    notice, authority, provider = _order(session, clock, settings)
    doc = annex.annex_i(session, clock, settings, principal(authority), notice.id)
    other, handles = _fresh(tmp_path, {"authority": authority.name, "provider": provider.name})
    with other:
        imported = annex.import_order(other, clock, settings, principal(handles["authority"]), doc)
        yield notice, provider, Elsewhere(other, handles, imported)
        other.rollback()


def _answered(session: Session, clock: FrozenClock, settings: Settings, notice: Notice, provider: OrgHandle,
              answer: flows.Answer) -> dict[str, Any]:
    flows.answer_notice(session, clock, principal(provider), notice.id, answer)
    return feedback.feedback_record(session, clock, settings, notice)


def test_a_signed_annex_ii_is_recorded_at_the_time_the_provider_acted(
    session: Session, clock: FrozenClock, settings: Settings, world: tuple[Notice, OrgHandle, Elsewhere]
) -> None:
    notice, provider, elsewhere = world
    clock.advance(minutes=12)
    acted = clock.now()
    record = _answered(session, clock, settings, notice, provider, flows.Answer(outcome="removed"))
    clock.advance(minutes=55)  # imported after the hour: the clock reads the time of action, not of import
    forged = copy.deepcopy(record)
    forged["section_b"]["action_at"] = (acted - timedelta(minutes=5)).isoformat()
    with pytest.raises(InvalidInput, match="altered"):
        elsewhere.take(clock, settings, forged)
    order = elsewhere.take(clock, settings, record)
    assert (order.id, order.status, order.outcome) == (elsewhere.order.id, "answered", "removed")
    assert order.outcome_at == acted and order.breached_at is None
    assert order.details["imported_feedback"]["signed"] is True
    assert order.details["imported_feedback"]["signer"]["role"] == "hosting_service_provider"
    [event] = elsewhere.session.scalars(select(AuditEvent).where(AuditEvent.tag == "notices:feedback:import"))
    assert event.subject == order.id and event.payload["acted_at"] == acted.isoformat()
    [answer] = elsewhere.session.scalars(select(AuditEvent).where(AuditEvent.tag == "notices:notice:outcome"))
    assert answer.payload["seconds_to_act"] == 12 * 60 and answer.payload["breach"] is False
    again = feedback.feedback_record(elsewhere.session, clock, settings, order)
    assert again["annex"] == "II" and again["section_b"]["action_at"] == acted.isoformat()
    with pytest.raises(Conflict):
        elsewhere.take(clock, settings, record)


def test_an_annex_iii_pauses_the_order_with_its_ground(
    session: Session, clock: FrozenClock, settings: Settings, world: tuple[Notice, OrgHandle, Elsewhere]
) -> None:
    notice, provider, elsewhere = world
    clock.advance(minutes=20)
    record = _answered(session, clock, settings, notice, provider, flows.Answer(
        outcome="cannot_comply", ground="insufficient_information", explanation="Which of the two videos?"))
    order = elsewhere.take(clock, settings, record)
    assert (order.status, order.outcome, order.deadline_at) == ("paused", "cannot_comply", None)
    assert order.outcome_detail["ground"] == "insufficient_information"
    assert feedback.feedback_record(elsewhere.session, clock, settings, order)["annex"] == "III"


def _unsigned(record: dict[str, Any], **section_b: Any) -> dict[str, Any]:
    doc = {k: v for k, v in copy.deepcopy(record).items() if k != "signature"}
    doc["section_b"].update(section_b)
    return doc


def test_what_the_order_does_not_allow_is_refused_and_lateness_is_a_breach(
    session: Session, clock: FrozenClock, settings: Settings, world: tuple[Notice, OrgHandle, Elsewhere]
) -> None:
    notice, provider, elsewhere = world
    clock.advance(minutes=30)
    record = _answered(session, clock, settings, notice, provider, flows.Answer(outcome="removed"))
    received = elsewhere.order.received_at
    assert received is not None
    refusals: dict[str, dict[str, Any]] = {"countries": {"measure": "disabled", "countries": ["DE"]},
                "section_b.measure": {"measure": "no_action"},
                "action_at": {"action_at": (received - timedelta(minutes=1)).isoformat()}}
    for field, change in refusals.items():
        with pytest.raises(InvalidInput) as refused:
            elsewhere.take(clock, settings, _unsigned(record, **change))
        assert refused.value.field == field
    with pytest.raises(InvalidInput) as naive:
        elsewhere.take(clock, settings, _unsigned(record, action_at="2026-03-02T10:30:00"))
    assert naive.value.field == "action_at"
    clock.advance(minutes=40)
    late = elsewhere.take(clock, settings, _unsigned(record, action_at=(received + timedelta(minutes=61)).isoformat()))
    assert late.breached_at is not None and late.breach_seconds == 60
    assert late.details["imported_feedback"]["signed"] is False


def test_only_the_issuer_imports_feedback_signed_by_a_provider(
    session: Session, clock: FrozenClock, settings: Settings, world: tuple[Notice, OrgHandle, Elsewhere]
) -> None:
    notice, provider, elsewhere = world
    record = _answered(session, clock, settings, notice, provider, flows.Answer(outcome="removed"))
    with pytest.raises(PermissionDenied):
        feedback_import.import_feedback(elsewhere.session, clock, settings,
                                        principal(elsewhere.handles["provider"]), record)
    with pytest.raises(NotFound):
        elsewhere.take(clock, settings, {**_unsigned(record), "reference": "FR-IRU-OTHER"})
    with pytest.raises(NotFound):
        elsewhere.take(clock, settings, {**_unsigned(record), "provider": {"id": "org_x", "name": "Someone"}})
    as_authority = sign_document(elsewhere.session, clock, settings, elsewhere.handles["authority"].id,
                                 "issuing_authority", _unsigned(record))
    with pytest.raises(InvalidInput) as wrong_signer:
        elsewhere.take(clock, settings, as_authority)
    assert wrong_signer.value.field == "signature"
    with pytest.raises(InvalidInput) as not_feedback:
        elsewhere.take(clock, settings, {**_unsigned(record), "annex": "I"})
    assert not_feedback.value.field == "schema"
