"""Issue, the Art. 8 notification path, the provider's answers and the issuer's steps, with the clock pinned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEvent
from accord.clock import FrozenClock
from accord.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from accord.evidence import sealing, service
from accord.evidence.models import EvidencePackage
from accord.notices import service as notices
from accord.settings import Settings
from tests.unit.evidence.helpers import World, request, world
from tests.unit.notices.helpers import org, payload

DATA = b"subscriber: Jean Exemple, registered 2025-04-01 from 203.0.113.7"


def produce(session: Session, clock: FrozenClock, settings: Settings, w: World, order_id: str) -> None:
    service.answer(session, clock, settings, w.provider_p, order_id,
                   service.Answer(outcome="produce", data=DATA, filename="subscriber.txt", media_type="text/plain"))


def test_production_has_ten_days_and_eight_hours_in_an_emergency(session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id))
    assert order.deadline_at == clock.now() + timedelta(days=10)
    assert order.status == "received" and order.notification == {"required": False}
    urgent = service.issue(session, clock, w.issuer_p, request(w.provider.id, emergency=True,
                                                               emergency_reason="attack announced for tonight"))
    assert urgent.deadline_at == clock.now() + timedelta(hours=8)


def test_preservation_lasts_sixty_days_and_is_extended_once_by_thirty(session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id, kind="preservation",
                                                              data_categories=["content"], max_sentence_years=1))
    start = clock.now()
    assert order.preserve_until == start + timedelta(days=60) and order.notification == {"required": False}
    clock.advance(days=50)
    service.extend(session, clock, w.issuer_p, order.id, reason="production order being drafted")
    assert order.preserve_until == start + timedelta(days=90) and order.extensions == 1
    with pytest.raises(Conflict, match=r"Art\. 11\(1\)"):
        service.extend(session, clock, w.issuer_p, order.id, reason="again")
    with pytest.raises(PermissionDenied):
        service.extend(session, clock, w.provider_p, order.id, reason="not mine")


def test_an_emergency_order_without_a_reason_or_a_key_is_refused(session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    with pytest.raises(InvalidInput) as caught:
        service.issue(session, clock, w.issuer_p, request(w.provider.id, emergency=True))
    assert caught.value.field == "emergency_reason"
    _, keyless = org(session, clock, "authority", country="FR")
    with pytest.raises(InvalidInput, match="register a public key"):
        service.issue(session, clock, keyless, request(w.provider.id))


def test_a_prosecutor_ordering_content_is_refused_citing_article_4(session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    with pytest.raises(InvalidInput, match=r"Art\. 4\(2\)"):
        service.issue(session, clock, w.issuer_p, request(w.provider.id, data_categories=["content"]))
    with pytest.raises(PermissionDenied):
        service.issue(session, clock, w.provider_p, request(w.provider.id))


def test_produced_data_is_sealed_for_the_issuer(session: Session, clock: FrozenClock, settings: Settings) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id))
    produce(session, clock, settings, w, order.id)
    assert order.status == "produced" and order.answer["package_id"]
    package = service.download(session, clock, w.issuer_p, order.answer["package_id"])
    assert package.sealed is not None and DATA not in package.sealed
    opened = sealing.open_sealed(w.private_key, package.sealed)
    assert (opened.data, opened.filename, opened.media_type) == (DATA, "subscriber.txt", "text/plain")
    assert package.manifest["signature"]["signer"]["organisation_id"] == w.provider.id
    assert len(package.downloads) == 1
    with pytest.raises(PermissionDenied):
        service.download(session, clock, w.provider_p, package.id)
    with pytest.raises(InvalidInput):  # another key cannot open it
        sealing.open_sealed(sealing.generate()[1], package.sealed)


def test_outsiders_and_other_states_do_not_see_the_order(session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id))
    _, outsider = org(session, clock, "provider")
    for who in (outsider, w.enforcing_p):  # not notified: an identification order
        with pytest.raises(NotFound):
            service.get_order(session, who, order.id)
    assert service.list_orders(session, outsider) == []


# ---- the enforcing State (Art. 8, 10(2), 10(4), 12) ---------------------------------------------------------


def content_order(session: Session, clock: FrozenClock, w: World, **extra: object) -> service.EvidenceOrder:
    return service.issue(session, clock, w.issuer_p, request(w.provider.id, issuer_type="investigating_judge",
                                                             data_categories=["content"], **extra))


def test_content_of_a_non_resident_is_notified_and_production_waits(session: Session, clock: FrozenClock,
                                                                     settings: Settings) -> None:
    w = world(session, clock)
    order = content_order(session, clock, w)
    assert order.enforcing_authority_id == w.enforcing.id and order.enforcing_state == "DE"
    assert order.notification["answer_due_at"] == (clock.now() + timedelta(days=10)).isoformat()
    assert service.get_order(session, w.enforcing_p, order.id) is order
    clock.advance(days=2)
    with pytest.raises(Conflict, match=r"Art\. 10\(2\)"):
        produce(session, clock, settings, w, order.id)
    with pytest.raises(PermissionDenied):
        service.answer_notification(session, clock, w.issuer_p, order.id, answer="no_grounds")
    service.answer_notification(session, clock, w.enforcing_p, order.id, answer="no_grounds")
    produce(session, clock, settings, w, order.id)
    assert order.status == "produced"


def test_production_proceeds_when_the_ten_days_pass_without_an_answer(session: Session, clock: FrozenClock,
                                                                      settings: Settings) -> None:
    w = world(session, clock)
    order = content_order(session, clock, w)
    clock.advance(days=10, seconds=-1)
    with pytest.raises(Conflict):
        produce(session, clock, settings, w, order.id)
    clock.advance(seconds=1)
    produce(session, clock, settings, w, order.id)
    assert order.status == "produced"


def test_a_resident_of_the_issuing_state_is_not_notified(session: Session, clock: FrozenClock,
                                                         settings: Settings) -> None:
    w = world(session, clock)
    order = content_order(session, clock, w, resides_in_issuing_state=True)
    assert order.notification == {"required": False} and order.enforcing_authority_id is None
    produce(session, clock, settings, w, order.id)


def test_grounds_for_refusal_end_the_order(session: Session, clock: FrozenClock, settings: Settings) -> None:
    w = world(session, clock)
    order = content_order(session, clock, w)
    with pytest.raises(InvalidInput):
        service.answer_notification(session, clock, w.enforcing_p, order.id, answer="grounds_raised")
    service.answer_notification(session, clock, w.enforcing_p, order.id, answer="grounds_raised",
                                grounds=["press_freedom"], explanation="a journalist's sources")
    assert order.status == "refused"
    with pytest.raises(Conflict):
        produce(session, clock, settings, w, order.id)


def test_emergency_production_is_at_once_and_a_refusal_within_96_hours_deletes_it(
        session: Session, clock: FrozenClock, settings: Settings) -> None:
    w = world(session, clock)
    order = content_order(session, clock, w, emergency=True, emergency_reason="hostage taking")
    assert order.notification["answer_due_at"] == (clock.now() + timedelta(hours=96)).isoformat()
    clock.advance(hours=1)
    produce(session, clock, settings, w, order.id)
    clock.advance(hours=94)
    service.answer_notification(session, clock, w.enforcing_p, order.id, answer="grounds_raised",
                                grounds=["fundamental_rights"])
    package = session.get(EvidencePackage, order.answer["package_id"])
    assert order.status == "refused" and package is not None and package.sealed is None
    assert package.purged_at == clock.now()


def test_the_enforcing_authority_answers_within_its_time(session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    order = content_order(session, clock, w, emergency=True, emergency_reason="bomb threat")
    clock.advance(hours=96, seconds=1)
    with pytest.raises(Conflict, match=r"96 hours"):
        service.answer_notification(session, clock, w.enforcing_p, order.id, answer="grounds_raised",
                                    grounds=["ne_bis_in_idem"])


def test_without_an_enforcing_authority_on_the_instance_the_issuer_records_its_answer(
        session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    lonely, _ = org(session, clock, "provider", country="NL")
    order = service.issue(session, clock, w.issuer_p, request(lonely.id, issuer_type="judge",
                                                              data_categories=["traffic"]))
    assert order.notification["required"] and order.enforcing_authority_id is None
    service.answer_notification(session, clock, w.issuer_p, order.id, answer="no_grounds")
    assert order.notification["recorded_by"] == w.issuer.id


# ---- impossibility, clarification, Art. 17 review, Art. 4(5) validation -------------------------------------


def test_an_incomplete_order_stops_the_clock_until_clarified(session: Session, clock: FrozenClock,
                                                             settings: Settings) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id))
    with pytest.raises(InvalidInput):
        service.answer(session, clock, settings, w.provider_p, order.id,
                       service.Answer(outcome="impossible", grounds=["incomplete_or_manifest_error"]))
    service.answer(session, clock, settings, w.provider_p, order.id,
                   service.Answer(outcome="impossible", grounds=["incomplete_or_manifest_error"],
                                  explanation="no such account name"))
    assert order.status == "clarification"
    clock.advance(days=12)
    service.clarify(session, clock, w.issuer_p, order.id, text="the account is attacker_42")
    assert order.status == "received" and order.deadline_at == clock.now() + timedelta(days=10)


@pytest.mark.parametrize("ground", ["data_not_held", "force_majeure", "de_facto_impossibility",
                                    "immunities_or_privileges"])
def test_other_grounds_close_the_order(session: Session, clock: FrozenClock, settings: Settings,
                                       ground: str) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id))
    service.answer(session, clock, settings, w.provider_p, order.id,
                   service.Answer(outcome="impossible", grounds=[ground], explanation="see the form"))
    assert order.status == "impossible" and order.answer["grounds"] == [ground]


def test_a_third_country_conflict_opens_the_article_17_review(session: Session, clock: FrozenClock,
                                                             settings: Settings) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id))
    service.answer(session, clock, settings, w.provider_p, order.id,
                   service.Answer(outcome="impossible", grounds=["third_country_conflict"],
                                  explanation="US SCA 18 U.S.C. 2702 forbids disclosure"))
    assert order.status == "review" and order.review["state"] == "open"
    with pytest.raises(Conflict, match=r"Art\. 17"):
        service.decide_review(session, clock, w.issuer_p, order.id, decision="court_upheld")
    service.decide_review(session, clock, w.issuer_p, order.id, decision="refer_to_court")
    clock.advance(days=20)
    service.decide_review(session, clock, w.issuer_p, order.id, decision="court_upheld", reasons="no conflict")
    assert order.status == "received" and order.deadline_at == clock.now() + timedelta(days=10)


def test_an_unvalidated_emergency_order_refused_validation_is_withdrawn_and_purged(
        session: Session, clock: FrozenClock, settings: Settings) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id, issuer_type="other", emergency=True,
                                                              emergency_reason="kidnapping in progress"))
    assert order.validation == {"required": True, "due_at": (clock.now() + timedelta(hours=96)).isoformat()}
    produce(session, clock, settings, w, order.id)
    with pytest.raises(InvalidInput, match=r"Art\. 4\(1\)"):
        service.validate(session, clock, w.issuer_p, order.id, validated_by="other", granted=True)
    service.validate(session, clock, w.issuer_p, order.id, validated_by="prosecutor", granted=False)
    package = session.get(EvidencePackage, order.answer["package_id"])
    assert order.status == "withdrawn" and package is not None and package.sealed is None


def test_a_preservation_is_confirmed_not_produced(session: Session, clock: FrozenClock, settings: Settings) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id, kind="preservation"))
    with pytest.raises(InvalidInput, match=r"Art\. 11"):
        produce(session, clock, settings, w, order.id)
    service.answer(session, clock, settings, w.provider_p, order.id,
                   service.Answer(outcome="preserve", preserved_item_id="pres_1"))
    assert order.status == "preserved"
    with pytest.raises(Conflict):
        service.answer(session, clock, settings, w.provider_p, order.id, service.Answer(outcome="preserve"))


def test_yearly_statistics_count_each_side(session: Session, clock: FrozenClock, settings: Settings) -> None:
    w = world(session, clock)
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id))
    content_order(session, clock, w)
    clock.advance(hours=5)
    produce(session, clock, settings, w, order.id)
    issued = service.statistics(session, w.issuer_p, clock.now().year)
    received = service.statistics(session, w.provider_p, clock.now().year)
    assert issued["orders"] == received["orders"] == 2 and issued["notified"] == 1
    assert issued["by_category"] == {"subscriber": 1, "content": 1}
    assert issued["average_seconds_to_answer"] == 5 * 3600
    assert service.statistics(session, w.issuer_p, clock.now().year + 1)["orders"] == 0


def test_text_with_a_nul_character_is_refused_by_field(session: Session, clock: FrozenClock) -> None:
    w = world(session, clock)
    with pytest.raises(InvalidInput) as caught:
        service.issue(session, clock, w.issuer_p, request(w.provider.id, legal_basis="CPP\x00"))
    assert caught.value.field == "legal_basis"
    order = service.issue(session, clock, w.issuer_p, request(w.provider.id, kind="preservation"))
    with pytest.raises(InvalidInput) as caught:
        service.extend(session, clock, w.issuer_p, order.id, reason="\x00")
    assert caught.value.field == "reason"


def test_a_voluntary_disclosure_joins_the_imminent_threat_escalation(session: Session, clock: FrozenClock,
                                                                     settings: Settings) -> None:
    w = world(session, clock)
    notice = notices.receive(session, clock, settings, w.issuer_p, payload("removal_order", w.provider.id))
    package = service.disclose(session, clock, settings, w.provider_p, authority_id=w.issuer.id,
                               details="the uploader announced he will shoot tonight",
                               reply=service.Answer(outcome="produce", data=DATA), notice_id=notice.id)
    assert package.order_id is None and package.voluntary["notice_id"] == notice.id
    assert sealing.open_sealed(w.private_key, package.sealed or b"").data == DATA
    session.flush()
    escalated = session.scalars(select(AuditEvent.tag).where(AuditEvent.subject == notice.id))
    assert "notices:threat:escalate" in list(escalated)
    assert service.disclosures(session, w.issuer_p) == [package]
    with pytest.raises(PermissionDenied):
        service.disclose(session, clock, settings, w.issuer_p, authority_id=w.issuer.id, details="x",
                         reply=service.Answer(outcome="produce", data=DATA))
